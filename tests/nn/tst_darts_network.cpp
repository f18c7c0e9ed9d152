// DARTSformer's search network and the ordinary Transformer its derived architecture is retrained as (issue
// 13): back-propagation with reconstruction gives ordinary autograd's loss and gradients of every weight and
// of alpha (relative error reported); the bi-level split of trainable sets; derivation (argmax, zero
// excluded); alpha moves towards the one candidate that can solve a synthetic task; the derived model's
// parameter count against a hand count, its decoding steps against whole-prefix decoding, and padding that
// does not change a sentence's encoding.
#include "eval/Decoder.h"
#include "nn/DartsSearchNetwork.h"
#include "nn/DartsTransformer.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <sstream>

using namespace automoe;

namespace {

constexpr int64_t kVocab = 23;
constexpr int64_t kPad = 1;

DartsSpace smallDartsSpace() {
    DartsSpace s;
    s.name = "test";
    for (const char* n :
         {"conv3", "lightconv3", "dynconv3", "self_attention", "glu", "ffn", "zero", "identity"})
        s.encoder.push_back(DartsOpSpec::parse(n));
    s.decoder = s.encoder;
    s.decoder.push_back(DartsOpSpec::parse("ende_attention"));
    return s;
}

DartsSearchConfig smallSearchConfig(bool reversible) {
    DartsSearchConfig c;
    c.vocabSize = kVocab;
    c.padIndex = kPad;
    c.hidden = 16;
    c.heads = 2;
    c.splits = 2;
    c.encoderLayers = 2;
    c.decoderLayers = 2;
    c.reversible = reversible;
    c.space = smallDartsSpace();
    return c;
}

// src [2, 7] with the second sentence padded after 4 tokens; tgtIn / tgtOut [2, 5].
struct Batch3 {
    torch::Tensor src, tgtIn, tgtOut;
};
Batch3 smallBatch() {
    Batch3 b;
    b.src = torch::randint(4, kVocab, {2, 7}, torch::kLong);
    b.src.index_put_({1, torch::indexing::Slice(4)}, kPad);
    b.tgtIn = torch::randint(4, kVocab, {2, 5}, torch::kLong);
    b.tgtOut = torch::randint(4, kVocab, {2, 5}, torch::kLong);
    return b;
}

torch::Tensor lossOf(DartsSearchNetwork& net, const Batch3& b) {
    const auto logits = net->outputLogits(net->forwardHidden(b.src, b.tgtIn));
    return torch::nn::functional::cross_entropy(logits.view({-1, kVocab}), b.tgtOut.view(-1));
}

double relativeError(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>() / std::max(1e-12, b.abs().max().item<double>());
}

} // namespace

class TestDartsNetwork : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::manual_seed(7); }

    void reconstructionGivesOrdinaryGradients() {
        torch::manual_seed(11);
        DartsSearchNetwork reversible(smallSearchConfig(true));
        torch::manual_seed(11);
        DartsSearchNetwork ordinary(smallSearchConfig(false));
        {
            torch::NoGradGuard noGrad;
            ordinary->alphaEncoder().copy_(torch::randn_like(ordinary->alphaEncoder()));
            ordinary->alphaDecoder().copy_(torch::randn_like(ordinary->alphaDecoder()));
            reversible->alphaEncoder().copy_(ordinary->alphaEncoder());
            reversible->alphaDecoder().copy_(ordinary->alphaDecoder());
        }
        const Batch3 b = smallBatch();
        const auto lr = lossOf(reversible, b), lo = lossOf(ordinary, b);
        QVERIFY(std::abs(lr.item<double>() - lo.item<double>()) < 1e-5);
        lr.backward();
        lo.backward();
        const auto pr = reversible->named_parameters(), po = ordinary->named_parameters();
        QCOMPARE(pr.size(), po.size());
        double worst = 0;
        int compared = 0;
        for (const auto& item : po) {
            const auto& g = item.value().grad();
            const auto& gr = pr[item.key()].grad();
            QVERIFY2(g.defined() == gr.defined(), item.key().c_str());
            if (!g.defined()) continue;
            const double err = relativeError(gr, g);
            QVERIFY2(err <= 1e-4, (item.key() + ": " + std::to_string(err)).c_str());
            worst = std::max(worst, err);
            ++compared;
        }
        for (int s = 0; s < 2; ++s) {
            const auto& ga = (s ? reversible->alphaDecoder() : reversible->alphaEncoder()).grad();
            const auto& go = (s ? ordinary->alphaDecoder() : ordinary->alphaEncoder()).grad();
            QVERIFY(ga.defined() && go.defined());
            QVERIFY(go.abs().max().item<double>() > 0);
            const double err = relativeError(ga, go);
            QVERIFY2(err <= 1e-4, std::to_string(err).c_str());
            worst = std::max(worst, err);
        }
        QVERIFY(compared > 100); // every candidate of every edge, both stacks
        qInfo("%d weight tensors and both alphas: largest relative gradient error %.3g", compared, worst);
    }

    // Module names are TorchScript identifiers in an archive: a submodule called "in" (a keyword) or
    // "0_conv3" saved but did not load back ("expected ident but found 'in'").
    void networksSaveAndLoadBack() {
        torch::manual_seed(2);
        DartsSearchNetwork net(smallSearchConfig(true));
        torch::serialize::OutputArchive out;
        net->save(out);
        std::ostringstream bytes;
        out.save_to(bytes);
        torch::manual_seed(3);
        DartsSearchNetwork other(smallSearchConfig(true));
        torch::serialize::InputArchive in;
        const std::string data = bytes.str();
        in.load_from(data.data(), data.size());
        other->load(in);
        const auto a = net->named_parameters(), b = other->named_parameters();
        for (const auto& item : a)
            QVERIFY2(torch::equal(item.value(), b[item.key()]), item.key().c_str());

        DartsModelConfig c;
        c.vocabSize = kVocab;
        c.padIndex = kPad;
        c.arch = DartsArchitecture::standardTransformer(16, 2, 1, 1);
        c.arch.encoder[0][1] = DartsOpSpec::parse("lightconv3");
        c.arch.decoder[0][0] = DartsOpSpec::parse("glu");
        DartsTransformer model(c);
        torch::serialize::OutputArchive mout;
        model->save(mout);
        std::ostringstream mbytes;
        mout.save_to(mbytes);
        DartsTransformer copy(c);
        torch::serialize::InputArchive min;
        const std::string mdata = mbytes.str();
        min.load_from(mdata.data(), mdata.size());
        copy->load(min);
        for (const auto& item : model->named_parameters())
            QVERIFY2(torch::equal(item.value(), copy->named_parameters()[item.key()]), item.key().c_str());
    }

    void setTrainableChoosesTheSetThatGetsGradients() {
        DartsSearchNetwork net(smallSearchConfig(true));
        const Batch3 b = smallBatch();
        net->setTrainable(false, true);
        lossOf(net, b).backward();
        for (const auto& p : net->parameters())
            QVERIFY(!p.grad().defined());
        QVERIFY(net->alphaEncoder().grad().defined() && net->alphaDecoder().grad().defined());
        net->alphaEncoder().mutable_grad() = torch::Tensor();
        net->alphaDecoder().mutable_grad() = torch::Tensor();
        net->setTrainable(true, false);
        lossOf(net, b).backward();
        QVERIFY(!net->alphaEncoder().grad().defined() && !net->alphaDecoder().grad().defined());
        int withGrad = 0;
        for (const auto& p : net->parameters())
            withGrad += p.grad().defined();
        QVERIFY(withGrad > 100);
    }

    void deriveTakesTheArgmaxWithoutZero() {
        DartsSearchNetwork net(smallSearchConfig(true));
        const DartsSpace space = smallDartsSpace();
        auto index = [&](const char* name) {
            for (size_t i = 0; i < space.decoder.size(); ++i)
                if (space.decoder[i].name() == name) return int64_t(i);
            return int64_t(-1);
        };
        {
            torch::NoGradGuard noGrad;
            net->alphaEncoder().zero_();
            net->alphaDecoder().zero_();
            net->alphaEncoder()[0][0][index("zero")] = 5.0; // zero wins the softmax but is never derived
            net->alphaEncoder()[0][0][index("conv3")] = 3.0;
            net->alphaEncoder()[0][1][index("ffn")] = 1.0;
            net->alphaEncoder()[1][0][index("self_attention")] = 1.0;
            net->alphaEncoder()[1][1][index("identity")] = 1.0;
            net->alphaDecoder()[0][0][index("ende_attention")] = 2.0;
            net->alphaDecoder()[0][1][index("dynconv3")] = 2.0;
            net->alphaDecoder()[1][0][index("glu")] = 2.0;
            net->alphaDecoder()[1][1][index("lightconv3")] = 2.0;
        }
        const DartsArchitecture a = net->derive();
        QCOMPARE(a.key(), std::string("enc[conv3,ffn|self_attention,identity] "
                                      "dec[ende_attention,dynconv3|glu,lightconv3]"));
        QCOMPARE(a.hidden, int64_t(16));
        QCOMPARE(a.splits, int64_t(2));
        const EdgeWeights w = net->encoderWeights();
        QCOMPARE(w.size(), size_t(2));
        QCOMPARE(w[0][0].size(), space.encoder.size());
        double sum = 0;
        for (double v : w[0][0])
            sum += v;
        QVERIFY(std::abs(sum - 1.0) < 1e-6);
        // softmax of (5, 3, 0 x 6): zero's weight e^5 / (e^5 + e^3 + 6)
        const double expected = std::exp(5.0) / (std::exp(5.0) + std::exp(3.0) + 6.0);
        QVERIFY(std::abs(w[0][0][size_t(index("zero"))] - expected) < 1e-6);
    }

    void badConfigurationsAreRefusedByField_data() {
        QTest::addColumn<int>("hidden");
        QTest::addColumn<int>("splits");
        QTest::addColumn<int>("heads");
        QTest::addColumn<QString>("message");
        QTest::newRow("splits do not divide") << 16 << 3 << 2 << "splits: 3 splits do not divide hidden 16";
        QTest::newRow("one split") << 16 << 1 << 2 << "splits: a reversible layer needs at least 2, got 1";
        QTest::newRow("heads") << 16 << 2 << 3
                               << "heads: 3 heads do not divide a split's width 8 (hidden / splits)";
    }
    void badConfigurationsAreRefusedByField() {
        QFETCH(int, hidden);
        QFETCH(int, splits);
        QFETCH(int, heads);
        QFETCH(QString, message);
        DartsSearchConfig c = smallSearchConfig(true);
        c.hidden = hidden;
        c.splits = splits;
        c.heads = heads;
        try {
            c.validate();
            QFAIL("no error");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(QString(e.what()), message);
        }
    }

    // Target y_t = LayerNorm(x_{t-1}): of {identity, zero, ffn, causal conv3}, only the convolution sees the
    // previous position. First-order DARTS (alpha on one stream of batches, weights on another, alternating,
    // Adam for both; alpha's rate raised to 0.05 so that 150 steps suffice) must move alpha towards it.
    void alphaMovesTowardsTheOpThatCanSolveTheTask() {
        torch::manual_seed(3);
        std::vector<DartsOpSpec> candidates;
        for (const char* n : {"identity", "zero", "ffn", "conv3"})
            candidates.push_back(DartsOpSpec::parse(n));
        const int64_t w = 8;
        MixedOp mixed(candidates, w, /*causal=*/true, 2);
        auto alpha = torch::zeros({4}, torch::requires_grad());
        torch::optim::Adam weights(mixed->parameters(), torch::optim::AdamOptions(3e-3));
        torch::optim::Adam arch(std::vector<torch::Tensor>{alpha},
                                torch::optim::AdamOptions(0.05).betas({0.5, 0.999}).weight_decay(1e-3));
        auto task = [&](int64_t batch) {
            auto x = torch::randn({batch, 12, w});
            auto shifted = torch::constant_pad_nd(x, {0, 0, 1, 0}).narrow(1, 0, 12);
            return std::make_pair(x, torch::layer_norm(shifted, {w}));
        };
        auto loss = [&](const torch::Tensor& x, const torch::Tensor& y) {
            return (mixed->forward(x, torch::softmax(alpha, 0)) - y).pow(2).mean();
        };
        double first = 0, last = 0;
        for (int step = 0; step < 150; ++step) {
            auto [xa, ya] = task(8);
            arch.zero_grad();
            weights.zero_grad();
            loss(xa, ya).backward();
            arch.step();
            auto [xw, yw] = task(8);
            arch.zero_grad();
            weights.zero_grad();
            const auto l = loss(xw, yw);
            l.backward();
            weights.step();
            (step == 0 ? first : last) = l.item<double>();
        }
        const auto p = torch::softmax(alpha.detach(), 0);
        qInfo("softmax(alpha) identity %.3f zero %.3f ffn %.3f conv3 %.3f; loss %.3f -> %.3f",
              p[0].item<double>(), p[1].item<double>(), p[2].item<double>(), p[3].item<double>(), first,
              last);
        QCOMPARE(p.argmax().item<int64_t>(), int64_t(3));
        QVERIFY(p[3].item<double>() > 0.4); // from 0.25
        QVERIFY(last < 0.5 * first);
        const auto derived = deriveEdges(candidates, {{{p[0].item<double>(), p[1].item<double>(),
                                                        p[2].item<double>(), p[3].item<double>()}}});
        QCOMPARE(derived[0][0].name(), std::string("conv3"));
    }

    // d = 16: self-attention 4d^2 + 4d + LayerNorm 2d = 1120; ffn d*4d + 4d + 4d*d + d + 2d = 2160;
    // encoder-decoder attention 1120. One encoder and one decoder layer: 3280 + 4400 = 7680.
    void standardTransformerHasTheHandCountedParameters() {
        DartsModelConfig c;
        c.vocabSize = kVocab;
        c.padIndex = kPad;
        c.arch = DartsArchitecture::standardTransformer(16, 2, 1, 1);
        DartsTransformer model(c);
        QCOMPARE(model->parameterCount(), int64_t(7680));
        c.arch.encoder[0][0] = DartsOpSpec::parse("identity"); // no sub-layer at all
        DartsTransformer lighter(c);
        QCOMPARE(lighter->parameterCount(), int64_t(7680 - 1120));
    }

    void derivedModelDecodesStepByStepAsOverTheWholePrefix() {
        torch::manual_seed(5);
        DartsModelConfig c;
        c.vocabSize = kVocab;
        c.padIndex = kPad;
        c.arch.hidden = 16;
        c.arch.heads = 2;
        c.arch.splits = 2;
        c.arch.encoder = {{DartsOpSpec::parse("conv3"), DartsOpSpec::parse("self_attention")},
                          {DartsOpSpec::parse("dynconv3"), DartsOpSpec::parse("ffn")}};
        c.arch.decoder = {{DartsOpSpec::parse("lightconv3"), DartsOpSpec::parse("self_attention")},
                          {DartsOpSpec::parse("conv5"), DartsOpSpec::parse("glu")}};
        DartsTransformer model(c);
        model->eval();
        torch::NoGradGuard noGrad;
        const Batch3 b = smallBatch();
        const EncoderOutput enc = model->encodeSource(b.src);
        DecoderState state = model->startDecoding(enc);
        for (int64_t t = 0; t < b.tgtIn.size(1); ++t) {
            const auto step = model->stepLogits(b.tgtIn.select(1, t), state);
            const auto whole = model->nextTokenLogits(b.tgtIn.narrow(1, 0, t + 1), enc);
            QVERIFY((step - whole).abs().max().item<double>() < 1e-5);
        }
        DecodeOptions incremental, prefix;
        prefix.incremental = false;
        incremental.bosId = prefix.bosId = 2;
        incremental.eosId = prefix.eosId = 3;
        QCOMPARE(decode(*model, b.src, incremental), decode(*model, b.src, prefix));
        incremental.beamSize = prefix.beamSize = 3;
        QCOMPARE(decode(*model, b.src, incremental), decode(*model, b.src, prefix));
    }

    void paddingDoesNotChangeASentencesEncoding() {
        torch::manual_seed(9);
        DartsModelConfig c;
        c.vocabSize = kVocab;
        c.padIndex = kPad;
        c.arch.hidden = 16;
        c.arch.heads = 2;
        c.arch.encoder = {{DartsOpSpec::parse("conv5"), DartsOpSpec::parse("self_attention")},
                          {DartsOpSpec::parse("dynconv3"), DartsOpSpec::parse("lightconv7")}};
        c.arch.decoder = {{DartsOpSpec::parse("self_attention"), DartsOpSpec::parse("ffn")}};
        DartsTransformer model(c);
        model->eval();
        torch::NoGradGuard noGrad;
        const auto sentence = torch::tensor(std::vector<int64_t>{5, 6, 7, 8}).view({1, 4});
        const auto padded = torch::tensor(std::vector<int64_t>{5, 6, 7, 8, kPad, kPad, kPad}).view({1, 7});
        const auto a = model->encodeSource(sentence).layers.back();
        const auto p = model->encodeSource(padded).layers.back().narrow(1, 0, 4);
        QVERIFY((a - p).abs().max().item<double>() < 1e-5);
    }
};

AUTOMOE_TEST_MAIN(TestDartsNetwork)
#include "tst_darts_network.moc"
