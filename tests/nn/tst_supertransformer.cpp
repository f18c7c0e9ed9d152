// The SuperTransformer runs any architecture of its space: forward and backward for the corners and random
// architectures, clear errors naming the gene for misfits, parameter counts equal to the cost model,
// padding and causality respected, tracing that changes nothing, and the model-level balance loss.
#include "NnTestSupport.h"

#include "cost/CostModel.h"
#include "nn/SuperTransformer.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <tuple>

using namespace automoe;
using namespace automoe::nntest;

namespace {

// Sum of |grad| over the parameters whose name starts with `prefix`.
double gradMass(SuperTransformer& m, const std::string& prefix) {
    double s = 0;
    for (const auto& p : m->named_parameters())
        if (p.key().rfind(prefix, 0) == 0 && p.value().grad().defined())
            s += p.value().grad().abs().sum().item<double>();
    return s;
}

void clearGrads(SuperTransformer& m) {
    for (auto& p : m->parameters())
        p.mutable_grad() = torch::Tensor();
}

std::string errorOf(SuperTransformer& m, const Architecture& a) {
    try {
        m->setArchitecture(a);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

} // namespace

class TestSuperTransformer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(3); }

    void cornersAndRandomArchitecturesTrain() {
        const SearchSpace space = smallSpace();
        SuperTransformer model(smallConfig());
        model->train();
        std::mt19937_64 rng(2024);
        std::vector<Architecture> archs{space.largest(), space.smallest()};
        for (int i = 0; i < 20; ++i)
            archs.push_back(space.sample(rng));
        const auto dims = space.supernet();
        for (const auto& arch : archs) {
            model->setArchitecture(arch);
            clearGrads(model);
            auto src = paddedBatch({5, 3, 7});
            auto tgt = paddedBatch({4, 6, 2});
            auto out = model->forward(src, tgt);
            QCOMPARE(out.logits.sizes().vec(), (std::vector<int64_t>{3, 6, kVocab}));
            auto ce = torch::nn::functional::cross_entropy(
                out.logits.reshape({-1, kVocab}), tgt.reshape({-1}),
                torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kPad));
            auto loss = ce + 0.01 * out.loadBalancingLoss;
            QVERIFY2(std::isfinite(loss.item<double>()), arch.key().c_str());
            loss.backward();
            QVERIFY(gradMass(model, "encoder.layers.0.") > 0);
            QVERIFY(gradMass(model, "embed_tokens.") > 0);
            // Layers beyond the sampled depth are skipped: no gradient reaches them.
            for (int l = arch.encoder.depth(); l < dims.encoderLayers; ++l)
                QCOMPARE(gradMass(model, "encoder.layers." + std::to_string(l) + "."), 0.0);
            for (int l = arch.decoder.depth(); l < dims.decoderLayers; ++l)
                QCOMPARE(gradMass(model, "decoder.layers." + std::to_string(l) + "."), 0.0);
            // Experts beyond a layer's count get nothing; the router only when the layer has several.
            for (int l = 0; l < arch.decoder.depth(); ++l) {
                const auto& g = arch.decoder.layers[size_t(l)];
                const std::string p = "decoder.layers." + std::to_string(l) + ".moe.";
                for (int e = g.experts(); e < dims.decoderExperts; ++e)
                    QCOMPARE(gradMass(model, p + "experts." + std::to_string(e) + "."), 0.0);
                if (g.experts() == 1) QCOMPARE(gradMass(model, p + "router."), 0.0);
            }
            // The embedding table is used only up to the widest stack's width.
            const int64_t widest = std::max(arch.encoder.embedDim, arch.decoder.embedDim);
            auto ge = model->embedding->weight.grad();
            QCOMPARE(ge.slice(1, widest).abs().sum().item<double>(), 0.0);
        }
    }

    void invalidArchitecturesNameTheGene() {
        SuperTransformer model(smallConfig());
        const Architecture good = heterogeneousArch();
        QCOMPARE(errorOf(model, good), std::string("(accepted)"));

        auto expect = [&](Architecture a, const std::string& message) {
            const std::string got = errorOf(model, a);
            QVERIFY2(got.find(message) != std::string::npos, (got + " / expected: " + message).c_str());
        };
        Architecture a = good;
        a.decoder.layers[0].expertWidths[1] = 32;
        expect(a, "decoder layer 0: expert width 32 exceeds supernet FFN 24");
        a = good;
        a.encoder.layers[1].expertWidths = {8, 8, 8, 8};
        expect(a, "encoder layer 1: 4 experts outside supernet range 1..3");
        a = good;
        a.encoder.layers[0].expertWidths = {};
        expect(a, "encoder layer 0: 0 experts");
        a = good;
        a.encoder.layers[1].selfHeads = 3;
        expect(a, "encoder layer 1: self-attention heads 3 do not divide qkv width 16");
        a = good;
        a.decoder.layers[0].endeHeads = 8;
        expect(a, "decoder layer 0: encoder-decoder attention heads 8 outside supernet range 1..4");
        a = good;
        a.encoder.embedDim = 20;
        expect(a, "encoder: embedding width 20 outside supernet range 1..16");
        a = good;
        a.decoder.layers.push_back(a.decoder.layers[0]);
        a.decoder.layers.push_back(a.decoder.layers[0]);
        expect(a, "decoder: 3 layers outside supernet range 1..2");
        a = good;
        a.encoder.layers.clear();
        expect(a, "encoder: 0 layers");
        a = good;
        a.qkvDim = 32;
        expect(a, "qkv width 32");
        a = good;
        a.decoder.layers[0].topK = 0;
        expect(a, "decoder layer 0: top-k 0");
        a = good;
        a.decoder.layers[0].arbitraryEnde = 0;
        expect(a, "decoder layer 0: arbitrary encoder-decoder attention 0");
        // A rejected architecture leaves the model on the last good one.
        QCOMPARE(model->architecture(), good);
    }

    void sampledParameterCountEqualsCostModel() {
        const SearchSpace space = smallSpace();
        SuperTransformer model(smallConfig());
        std::mt19937_64 rng(99);
        std::vector<Architecture> archs{space.largest(), space.smallest(), heterogeneousArch()};
        for (int i = 0; i < 10; ++i)
            archs.push_back(space.sample(rng));
        for (const auto& arch : archs) {
            model->setArchitecture(arch);
            QCOMPARE(model->sampledParameterCount(), CostModel::evaluate(arch).paramsHat);
        }
        // Hand count of the heterogeneous one (embed 12 / 16, qkv 16), independent of both.
        model->setArchitecture(heterogeneousArch());
        auto attn = [](int64_t q, int64_t kv) { return (q * 16 + 16) + 2 * (kv * 16 + 16) + (16 * q + q); };
        auto ffn = [](int64_t e, int64_t f) { return (e * f + f) + (f * e + e); };
        const int64_t enc0 = attn(12, 12) + 4 * 12 + (12 * 2 + 2) + ffn(12, 16) + ffn(12, 8);
        const int64_t enc1 = attn(12, 12) + 4 * 12 + ffn(12, 24);
        const int64_t dec0 =
            attn(16, 16) + attn(16, 12) + 6 * 16 + (16 * 3 + 3) + ffn(16, 24) + ffn(16, 8) + ffn(16, 16);
        QCOMPARE(model->sampledParameterCount(), enc0 + enc1 + dec0);
    }

    void tracingChangesNothingAndRecordsKExpertsPerToken() {
        SuperTransformer model(smallConfig());
        model->eval();
        const Architecture arch = heterogeneousArch();
        model->setArchitecture(arch);
        const std::vector<int64_t> srcLens{5, 3, 7}, tgtLens{4, 6, 2};
        auto src = paddedBatch(srcLens);
        auto tgt = paddedBatch(tgtLens);
        torch::NoGradGuard g;
        auto off = model->forward(src, tgt);
        QVERIFY(model->trace().empty());
        model->setTracing(true);
        auto on = model->forward(src, tgt);
        QVERIFY(torch::equal(off.logits, on.logits));
        QVERIFY(torch::equal(off.loadBalancingLoss, on.loadBalancingLoss));

        const auto records = model->trace().records();
        // (stack, layer, sentence, position) -> experts of that token
        std::map<std::tuple<int, int, int, int>, std::vector<RoutingRecord>> byToken;
        for (const auto& r : records)
            byToken[{int(r.stack), r.layer, r.batch, r.position}].push_back(r);
        const int64_t srcTokens = 15, tgtTokens = 12;
        QCOMPARE(int64_t(byToken.size()), 2 * srcTokens + tgtTokens); // 2 encoder layers, 1 decoder layer
        for (const auto& [key, recs] : byToken) {
            const auto [stack, layer, b, pos] = key;
            const LayerGene& gene = arch.stack(Stack(stack)).layers[size_t(layer)];
            QCOMPARE(int(recs.size()), gene.topK);
            const auto& lens = Stack(stack) == Stack::Encoder ? srcLens : tgtLens;
            QVERIFY(pos < lens[size_t(b)]); // never a pad position
            std::set<int> experts;
            for (const auto& r : recs) {
                experts.insert(r.expert);
                QCOMPARE(r.expertWidth, gene.expertWidths[size_t(r.expert)]);
                QVERIFY(r.gate > 0 && r.gate <= 1);
                QVERIFY(gene.experts() > 1 || r.gate == 1.0f);
            }
            QCOMPARE(int(experts.size()), gene.topK);
        }
        // The routing profile sums to top-k per layer and feeds the cost model.
        const RoutingProfile profile = model->trace().profile(arch);
        QCOMPARE(int(profile.encoder.size()), 2);
        double sum = 0;
        for (double v : profile.decoder[0])
            sum += v;
        QVERIFY(std::abs(sum - 2.0) < 1e-9);
        CostOptions o;
        o.routing = &profile;
        QVERIFY(CostModel::evaluate(arch, o).flopsHat > 0);

        // A second traced forward numbers its sentences after the first one's.
        model->forward(src, tgt);
        int maxBatch = 0;
        for (const auto& r : model->trace().records())
            maxBatch = std::max(maxBatch, r.batch);
        QCOMPARE(maxBatch, 5);
        model->setTracing(false);
        model->clearTrace();
        model->forward(src, tgt);
        QVERIFY(model->trace().empty());
    }

    void loadBalancingLossAveragesOverMoELayersOnly() {
        // Encoder layer 0: 2 experts, encoder layer 1: dense, decoder layer 0: 3 experts. With bias-only
        // routers every token goes to the largest-bias expert, f = one-hot and P = softmax(bias), so a
        // layer's loss is n * p_max and the model's is the mean over the two MoE layers.
        SuperTransformer model(smallConfig());
        model->eval();
        Architecture arch = heterogeneousArch();
        arch.decoder.layers[0].topK = 1;
        model->setArchitecture(arch);
        {
            torch::NoGradGuard g;
            auto& ra = model->encoderLayers[0]->ffn->router;
            ra->weight.zero_();
            ra->bias.copy_(torch::tensor({1.0, 0.0, 5.0}));
            auto& rb = model->decoderLayers[0]->ffn->router;
            rb->weight.zero_();
            rb->bias.copy_(torch::tensor({0.0, 2.0, 0.0}));
        }
        auto out = model->forward(paddedBatch({5, 3}), paddedBatch({4, 6}));
        const double e1 = std::exp(1.0), e2 = std::exp(2.0);
        const double la = 2 * e1 / (e1 + 1), lb = 3 * e2 / (e2 + 2);
        QVERIFY(std::abs(out.loadBalancingLoss.item<double>() - (la + lb) / 2) < 1e-6);

        arch.encoder.layers[0].expertWidths = {16};
        arch.decoder.layers[0].expertWidths = {24};
        model->setArchitecture(arch);
        QCOMPARE(model->forward(paddedBatch({5}), paddedBatch({4})).loadBalancingLoss.item<double>(), 0.0);
    }

    void paddingDoesNotChangeASentence() {
        auto config = smallConfig();
        config.capacityFactor = 0; // capacity couples tokens of a batch; without it routing is per token
        SuperTransformer model(config);
        model->eval();
        model->setArchitecture(heterogeneousArch()); // decoder attends to two encoder layers
        torch::NoGradGuard g;
        auto src = paddedBatch({4, 7, 2});
        auto tgt = paddedBatch({3, 5, 6});
        auto batched = model->forward(src, tgt).logits;
        auto alone =
            model->forward(src.slice(0, 0, 1).slice(1, 0, 4), tgt.slice(0, 0, 1).slice(1, 0, 3)).logits;
        QVERIFY(maxDiff(batched[0].slice(0, 0, 3), alone[0]) < 1e-4);
        // Same with the dense-FFN padding shortcut off.
        model->setSkipPadding(false);
        auto unskipped = model->forward(src, tgt).logits;
        QVERIFY(maxDiff(batched[0].slice(0, 0, 3), unskipped[0].slice(0, 0, 3)) < 1e-4);
    }

    void decoderIsCausal() {
        SuperTransformer model(smallConfig());
        model->eval();
        model->setArchitecture(heterogeneousArch());
        torch::NoGradGuard g;
        auto src = paddedBatch({5, 4});
        auto tgt = paddedBatch({6, 6});
        auto a = model->forward(src, tgt).logits;
        auto tgt2 = tgt.clone();
        tgt2.slice(1, 3).random_(kPad + 1, kVocab);
        auto b = model->forward(src, tgt2).logits;
        QVERIFY(maxDiff(a.slice(1, 0, 3), b.slice(1, 0, 3)) < 1e-5);
        QVERIFY(maxDiff(a.slice(1, 3), b.slice(1, 3)) > 1e-3);
        // And the source matters.
        auto src2 = src.clone();
        src2[0][0] = (src[0][0].item<int64_t>() + 1 - 2) % (kVocab - 2) + 2;
        QVERIFY(maxDiff(model->forward(src2, tgt).logits[0], a[0]) > 1e-4);
    }

    void arbitraryAttentionConcatenatesEncoderLayers() {
        // A decoder layer with arbitrary attention over the last two encoder layers must equal one that
        // attends to a single memory built by hand: [layer 1; layer 0] along the sequence axis, with the
        // padding mask repeated.
        SuperTransformer model(smallConfig());
        model->eval();
        torch::NoGradGuard g;
        auto src = paddedBatch({5, 3});
        auto tgt = paddedBatch({3, 4});
        Architecture a = heterogeneousArch();
        QCOMPARE(a.attendedEncoderLayers(a.decoder.layers[0]), 2);
        model->setArchitecture(a);
        auto enc = model->encode(src);
        QCOMPARE(int(enc.layers.size()), 2);
        QVERIFY(enc.hasPadding);
        auto viaGene = model->decode(tgt, enc).hidden;

        EncoderOutput manual;
        manual.layers = {torch::cat({enc.layers[1], enc.layers[0]}, 1)};
        manual.padMask = torch::cat({enc.padMask, enc.padMask}, 1);
        manual.hasPadding = true;
        a.decoder.layers[0].arbitraryEnde = -1;
        model->setArchitecture(a);
        auto viaManual = model->decode(tgt, manual).hidden;
        QVERIFY(maxDiff(viaGene, viaManual) < 1e-5);
        // ... and differs from attending to the last layer only.
        QVERIFY(maxDiff(viaGene, model->decode(tgt, enc).hidden) > 1e-4);
    }
};

AUTOMOE_TEST_MAIN(TestSuperTransformer)
#include "tst_supertransformer.moc"
