// Mixture-of-Supernets (WeightMixture, the MoS kinds of SuperTransformer): with one weight set it is plain
// weight sharing bit for bit; layer-wise and neuron-wise mixing against hand-computed weights; the collapsed
// (standalone) model computes the supernet's logits; router gradients are non-zero and every set's gradient
// stays inside the sampled block; the architecture encoding against hand-computed values and the same
// vector in training, validation, the search fitness and the collapse.
#include "NnTestSupport.h"

#include "bench/ModelBenchmark.h"
#include "nn/StandaloneTransformer.h"
#include "nn/SuperTransformer.h"
#include "nn/WeightMixture.h"
#include "run/SubnetFitness.h"
#include "space/ArchitectureEncoding.h"
#include "space/SpaceIO.h"
#include "train/LabelSmoothedLoss.h"
#include "train/Trainer.h"

#include "TestMain.h"
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>

using namespace automoe;
using namespace automoe::nntest;

namespace {

SuperTransformerConfig mosConfig(SupernetKind kind, int sets, bool attention, double dropout = 0.1) {
    SuperTransformerConfig c = smallConfig(dropout);
    c.mixture.kind = kind;
    c.mixture.sets = sets;
    c.mixture.attention = attention;
    return c;
}

// Loss of one forward/backward of `arch` with dropout seeded identically, and the gradients of the named
// parameters.
struct Pass {
    torch::Tensor logits;
    double loss = 0;
    std::map<std::string, torch::Tensor> grads;
};

Pass forwardBackward(SuperTransformer& model, const Architecture& arch, const torch::Tensor& src,
                     const torch::Tensor& tgt) {
    model->train();
    model->zero_grad();
    model->setArchitecture(arch);
    torch::manual_seed(5); // the same dropout masks
    auto out = model->forward(src, tgt);
    auto ls = labelSmoothedCrossEntropy(out.logits, tgt, 0.1, kPad);
    auto loss = ls.loss / double(ls.tokens) + 0.01 * out.loadBalancingLoss;
    loss.backward();
    Pass p;
    p.logits = out.logits.detach();
    p.loss = loss.item<double>();
    for (const auto& kv : model->named_parameters())
        if (kv.value().grad().defined()) p.grads[kv.key()] = kv.value().grad().clone();
    return p;
}

bool bitEqual(const torch::Tensor& a, const torch::Tensor& b) {
    return a.sizes() == b.sizes() && torch::equal(a, b);
}

// A mixture layer 2 -> 3 with E1 = [[1,2],[3,4],[5,6]], b1 = 1, E2 = 10 E1, b2 = 2, whose router outputs
// the given logits whatever the encoding (hidden layer zeroed).
SuperLinear handLayer(SupernetKind kind, const std::vector<float>& routerLogits) {
    SuperLinear lin(2, 3);
    MixtureOptions o;
    o.kind = kind;
    o.sets = 2;
    lin->enableMixture(o, 1);
    torch::NoGradGuard guard;
    lin->weight.copy_(torch::tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}).view({3, 2}));
    lin->bias.fill_(1.0);
    lin->mixture->weight[0].copy_(lin->weight * 10);
    lin->mixture->bias[0].fill_(2.0);
    lin->mixture->routerHidden->weight.zero_();
    lin->mixture->routerHidden->bias.zero_();
    lin->mixture->routerOut->weight.zero_();
    lin->mixture->routerOut->bias.copy_(torch::tensor(routerLogits));
    lin->setEncoding(torch::zeros({1}));
    return lin;
}

} // namespace

class TestMoS : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(13); }

    void kindsParseAndPrint() {
        for (const char* name : {"shared", "mos-layer", "mos-neuron"})
            QCOMPARE(std::string(toString(supernetKind(name))), std::string(name));
        try {
            supernetKind("mos");
            QFAIL("accepted an unknown kind");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(std::string(e.what()), std::string("unknown supernet kind 'mos' (shared, mos-layer or "
                                                        "mos-neuron)"));
        }
        MixtureOptions o;
        o.kind = SupernetKind::MoSNeuron;
        o.sets = 3;
        o.attention = true;
        const MixtureOptions back = MixtureOptions::fromJson(o.toJson());
        QCOMPARE(back.kind, o.kind);
        QCOMPARE(back.sets, 3);
        QVERIFY(back.attention);
        QCOMPARE(back.label(), std::string("mos-neuron x3 +attn"));
        QCOMPARE(MixtureOptions().label(), std::string("shared"));
        try {
            MixtureOptions::fromJson({{"kind", "mos-layer"}, {"sets", 0}});
            QFAIL("accepted zero sets");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(std::string(e.what()), std::string("supernet.sets: 0 is not >= 1"));
        }
    }

    // Encoding of heterogeneousArch() in the small supernet (embed 16/16, depth 3/2, FFN 24, 3 expert slots,
    // 4 heads, qkv 16), entry by entry.
    void encodingHandComputed() {
        const SupernetDims d = smallSpace().supernet();
        const std::vector<float> got = architectureEncoding(heterogeneousArch(), d);
        const std::vector<double> want{12.0 / 16, 1.0,     2.0 / 3, 1.0 / 2,   18.0 / 24,
                                       16.0 / 24, 3.0 / 4, 1.0,     2.0 / 4,   2.0 / 3,
                                       1.0,       1.5 / 3, 1.0,     24.0 / 72, 48.0 / 72};
        QCOMPARE(int(got.size()), architectureEncodingSize(d));
        QCOMPARE(got.size(), want.size());
        QCOMPARE(architectureEncodingNames(d).size(), want.size());
        for (size_t i = 0; i < want.size(); ++i)
            QVERIFY2(std::abs(double(got[i]) - want[i]) < 1e-6,
                     (architectureEncodingNames(d)[i] + ": " + std::to_string(got[i])).c_str());
        // The supernet's own architecture is all ones but the attended-layers entry: it attends the last
        // encoder layer only (1 of 3). A dense supernet has no expert entries.
        SuperTransformer model(smallConfig());
        const std::vector<float> full = architectureEncoding(model->architecture(), d);
        for (size_t i = 0; i < full.size(); ++i)
            QCOMPARE(full[i], i == 9 ? 1.0f / 3 : 1.0f);
        SupernetDims dense = d;
        dense.encoderExperts = dense.decoderExperts = 1;
        QCOMPARE(architectureEncodingSize(dense), 11);
    }

    void oneSetIsWeightSharingBitForBit_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<bool>("attention");
        QTest::newRow("mos-layer") << int(SupernetKind::MoSLayer) << false;
        QTest::newRow("mos-neuron") << int(SupernetKind::MoSNeuron) << false;
        QTest::newRow("mos-neuron +attention") << int(SupernetKind::MoSNeuron) << true;
    }

    void oneSetIsWeightSharingBitForBit() {
        QFETCH(int, kind);
        QFETCH(bool, attention);
        torch::manual_seed(21);
        SuperTransformer shared(smallConfig(0.1));
        torch::manual_seed(21);
        SuperTransformer mos(mosConfig(SupernetKind(kind), 1, attention));
        QVERIFY(!mos->mixedLinears().empty());
        const auto src = paddedBatch({5, 7, 3});
        const auto tgt = paddedBatch({4, 2, 6});
        for (const Architecture& arch : variedArchitectures()) {
            const Pass a = forwardBackward(shared, arch, src, tgt);
            const Pass b = forwardBackward(mos, arch, src, tgt);
            QVERIFY2(bitEqual(a.logits, b.logits), arch.key().c_str());
            QCOMPARE(a.loss, b.loss);
            for (const auto& [name, grad] : a.grads) {
                QVERIFY2(b.grads.count(name), name.c_str());
                QVERIFY2(bitEqual(grad, b.grads.at(name)), (arch.key() + " " + name).c_str());
            }
        }
    }

    // Neuron-wise: router logits (set 0: 0, ln 3, 0; set 1: 0, 0, ln 3) give row coefficients
    // (1/2, 1/2), (3/4, 1/4), (1/4, 3/4).
    void neuronWiseRowsMixIndependently() {
        const float l3 = std::log(3.0f);
        SuperLinear lin = handLayer(SupernetKind::MoSNeuron, {0, l3, 0, 0, 0, l3});
        const LinearWeights w = lin->sampled();
        const auto want = torch::tensor({5.5f, 11.f, 9.75f, 13.f, 38.75f, 46.5f}).view({3, 2});
        QVERIFY2(maxDiff(w.weight, want) < 1e-5, "mixed weight");
        QVERIFY(maxDiff(w.bias, torch::tensor({1.5f, 1.25f, 1.75f})) < 1e-6);
        // Sliced to 1 -> 2 after mixing: the leading block of the same mixture.
        lin->setSample(1, 2);
        const LinearWeights s = lin->sampled();
        QCOMPARE(s.weight.sizes().vec(), (std::vector<int64_t>{2, 1}));
        QVERIFY(maxDiff(s.weight, torch::tensor({5.5f, 9.75f}).view({2, 1})) < 1e-5);
        QVERIFY(maxDiff(s.bias, torch::tensor({1.5f, 1.25f})) < 1e-6);
    }

    // Layer-wise: logits (0, ln 3) give (1/4, 3/4) for every row.
    void layerWiseMixesWholeSets() {
        SuperLinear lin = handLayer(SupernetKind::MoSLayer, {0, std::log(3.0f)});
        const LinearWeights w = lin->sampled();
        const auto e1 = torch::tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}).view({3, 2});
        QVERIFY(maxDiff(w.weight, e1 * 0.25 + e1 * 10 * 0.75) < 1e-5);
        QVERIFY(maxDiff(w.bias, torch::full({3}, 0.25 + 2 * 0.75)) < 1e-6);
        // The cached mixture (no gradients) follows a weight change.
        {
            torch::NoGradGuard guard;
            const auto before = lin->sampled().weight.clone();
            QVERIFY(maxDiff(lin->sampled().weight, before) == 0);
            lin->mixture->weight.add_(1.0);
            QVERIFY(maxDiff(lin->sampled().weight, before + 0.75) < 1e-5);
        }
    }

    void collapsedModelComputesTheSupernet_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("mos-layer x3 +attention") << int(SupernetKind::MoSLayer);
        QTest::newRow("mos-neuron x3 +attention") << int(SupernetKind::MoSNeuron);
    }

    void collapsedModelComputesTheSupernet() {
        QFETCH(int, kind);
        SuperTransformer supernet(mosConfig(SupernetKind(kind), 3, true));
        supernet->eval();
        torch::NoGradGuard guard;
        const auto src = paddedBatch({5, 7, 3});
        const auto tgt = paddedBatch({4, 2, 6});
        for (const Architecture& arch : variedArchitectures()) {
            supernet->setArchitecture(arch);
            const auto expected = supernet->forward(src, tgt);
            StandaloneTransformer model = StandaloneTransformer::fromSupernet(*supernet, arch);
            model->eval();
            const double diff = maxDiff(model->forward(src, tgt).logits, expected.logits);
            QVERIFY2(diff < 1e-5, (arch.key() + ": max |diff| " + std::to_string(diff)).c_str());
            // The same collapse into a plain supernet (what the gap study fine-tunes).
            SuperTransformer plain = collapsedSupernet(*supernet, arch);
            QVERIFY(plain->mixedLinears().empty());
            QCOMPARE(plain->architecture(), arch);
            plain->eval();
            const double plainDiff = maxDiff(plain->forward(src, tgt).logits, expected.logits);
            QVERIFY2(plainDiff < 1e-5,
                     (arch.key() + ": collapsed supernet, max |diff| " + std::to_string(plainDiff)).c_str());
        }
        // The collapsed FFN weight of a layer is the mixture E1 a1 + E2 a2 + E3 a3 of its block.
        const Architecture arch = heterogeneousArch();
        supernet->setArchitecture(arch);
        StandaloneTransformer model = StandaloneTransformer::fromSupernet(*supernet, arch);
        SuperLinear fc1 = supernet->encoderLayers[0]->ffn->expertSlots[1]->fc1; // expert 1: width 8, embed 12
        const auto alpha = fc1->mixture->coefficients(fc1->encoding());
        auto coef = [&](int64_t k) {
            return SupernetKind(kind) == SupernetKind::MoSNeuron ? alpha[k].narrow(0, 0, 8).unsqueeze(1)
                                                                 : alpha[k];
        };
        const auto want = fc1->weight.narrow(0, 0, 8).narrow(1, 0, 12) * coef(0) +
                          fc1->mixture->weight[0].narrow(0, 0, 8).narrow(1, 0, 12) * coef(1) +
                          fc1->mixture->weight[1].narrow(0, 0, 8).narrow(1, 0, 12) * coef(2);
        const auto got = model->encoderLayers[0]->weights().ffn.experts[1].fc1.weight;
        QCOMPARE(got.sizes().vec(), (std::vector<int64_t>{8, 12}));
        QVERIFY(maxDiff(got, want) < 1e-6);
        // The standalone model has no router and no weight sets: it is an ordinary dense copy.
        for (const auto& p : model->named_parameters())
            QVERIFY2(p.key().find("mos") == std::string::npos, p.key().c_str());
    }

    void routerGradientsReachOnlyUsedSlices_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("mos-layer") << int(SupernetKind::MoSLayer);
        QTest::newRow("mos-neuron") << int(SupernetKind::MoSNeuron);
    }

    void routerGradientsReachOnlyUsedSlices() {
        QFETCH(int, kind);
        SuperTransformer model(mosConfig(SupernetKind(kind), 2, false, 0.0));
        const Architecture arch = heterogeneousArch();
        const auto src = paddedBatch({5, 7, 3});
        const auto tgt = paddedBatch({4, 2, 6});
        forwardBackward(model, arch, src, tgt);
        // Encoder layer 0's expert 1 is 8 wide at embed 12: its fc1 block is [8, 12] of [24, 16].
        SuperLinear fc1 = model->encoderLayers[0]->ffn->expertSlots[1]->fc1;
        const auto& mix = *fc1->mixture;
        QVERIFY(mix.routerOut->weight.grad().defined());
        QVERIFY(mix.routerOut->weight.grad().abs().sum().item<double>() > 0);
        QVERIFY(mix.routerHidden->weight.grad().abs().sum().item<double>() > 0);
        for (const auto& g : {fc1->weight.grad(), mix.weight.grad()[0]}) {
            QVERIFY(g.narrow(0, 0, 8).narrow(1, 0, 12).abs().sum().item<double>() > 0);
            QCOMPARE(g.narrow(0, 8, 16).abs().sum().item<double>(), 0.0);
            QCOMPARE(g.narrow(1, 12, 4).abs().sum().item<double>(), 0.0);
        }
        QCOMPARE(mix.bias.grad()[0].narrow(0, 8, 16).abs().sum().item<double>(), 0.0);
        // An unused expert slot (encoder layer 0 has two experts) gets nothing, router included.
        SuperLinear unused = model->encoderLayers[0]->ffn->expertSlots[2]->fc1;
        for (const auto& p : unused->parameters())
            QVERIFY(!p.grad().defined() || p.grad().abs().sum().item<double>() == 0);
        // Layer-wise mixing moves the gradient by the coefficients: dL/dE2 = a2 dL/dW on the block.
        if (SupernetKind(kind) == SupernetKind::MoSLayer) {
            const auto alpha = fc1->mixture->coefficients(fc1->encoding()).detach();
            const auto g1 = fc1->weight.grad().narrow(0, 0, 8).narrow(1, 0, 12);
            const auto g2 = mix.weight.grad()[0].narrow(0, 0, 8).narrow(1, 0, 12);
            QVERIFY(maxDiff(g1 * alpha[1].item<double>(), g2 * alpha[0].item<double>()) < 1e-6);
        }
    }

    // One encoding: what the routers read after a training step, a validation, the search's fitness and
    // the collapse is architectureEncoding(arch, dims).
    void encodingIsTheSameInTrainingAndSearch() {
        SuperTransformer model(mosConfig(SupernetKind::MoSNeuron, 2, false));
        const SupernetDims dims = model->config().dims;
        TokenizedSet set;
        for (int i = 0; i < 12; ++i) {
            std::vector<int32_t> s, t;
            for (int j = 0; j < 3 + i % 4; ++j) {
                s.push_back(int32_t(4 + (i + j) % 19));
                t.push_back(int32_t(4 + (i * 3 + j) % 19));
            }
            set.source.push_back(s);
            set.target.push_back(t);
        }
        const std::vector<Architecture> archs = variedArchitectures();
        auto readByRouters = [&] {
            std::vector<float> v;
            const auto e = model->mixedLinears().front()->encoding().contiguous();
            for (const auto& lin : model->mixedLinears())
                if (!torch::equal(lin->encoding(), e)) return std::vector<float>{};
            return std::vector<float>(e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
        };
        TrainerOptions o;
        o.sampling = SubnetSampling::Fixed;
        o.fixedArchitecture = archs[1];
        o.maxTokens = 64;
        o.ids.pad = int32_t(kPad);
        Trainer trainer(model, smallSpace(), set, set, o);
        trainer.step();
        QCOMPARE(readByRouters(), architectureEncoding(archs[1], dims));
        trainer.validate(archs[2]);
        QCOMPARE(readByRouters(), architectureEncoding(archs[2], dims));
        SubnetFitness fitness(model, set, 0, 64);
        fitness(archs[3]);
        QCOMPARE(readByRouters(), architectureEncoding(archs[3], dims));
        model->setArchitecture(archs[0]);
        StandaloneTransformer::fromSupernet(*model, archs[4]);
        // The collapse restores the previous architecture, and with it its encoding.
        QCOMPARE(readByRouters(), architectureEncoding(archs[0], dims));
    }

    // m full-size sets of the covered matrices plus the routers, and nothing else.
    void parameterCounts() {
        SuperTransformer shared(smallConfig());
        SuperTransformer mos(mosConfig(SupernetKind::MoSNeuron, 3, false));
        int64_t sharedTotal = 0, mosTotal = 0, covered = 0;
        for (const auto& p : shared->parameters())
            sharedTotal += p.numel();
        for (const auto& p : mos->parameters())
            mosTotal += p.numel();
        for (const auto& lin : mos->mixedLinears())
            covered += lin->weight.numel() + lin->bias.numel();
        QCOMPARE(mosTotal, sharedTotal + mos->mixtureParameterCount());
        // 2 further sets of every covered matrix, and per layer 15 -> 128 -> 3 x rows routers.
        int64_t routers = 0;
        for (const auto& lin : mos->mixedLinears())
            routers += 15 * 128 + 128 + 128 * 3 * lin->superOut() + 3 * lin->superOut();
        QCOMPARE(mos->mixtureParameterCount(), 2 * covered + routers);
        QCOMPARE(shared->mixtureParameterCount(), int64_t(0));
        // The deployed (collapsed) size does not change.
        shared->setArchitecture(heterogeneousArch());
        mos->setArchitecture(heterogeneousArch());
        QCOMPARE(mos->sampledParameterCount(), shared->sampledParameterCount());
    }

    // `automoe bench model --supernet mos-neuron --mos-experts 3` on the small space: the MoS rows beside the
    // shared ones, and its parameter figures equal to those of a MoS supernet of the same space counted here.
    void modelBenchmarkReportsTheMixture() {
        QTemporaryDir dir;
        const std::string space = (dir.path() + "/space.json").toStdString();
        saveSpace(smallSpace(), space);
        ModelBenchmarkOptions o;
        o.spacePath = space;
        o.batchTokens = 62;
        o.seconds = 0.01;
        o.threads = 1;
        o.vocabSize = 64;
        o.includePeer = false;
        o.supernet = "mos-neuron";
        o.mosSets = 3;
        const ModelBenchmarkResult r = runModelBenchmark(o);
        QVERIFY(r.hasMixture);
        QCOMPARE(r.mixture.label, std::string("mos-neuron x3"));
        QCOMPARE(r.models.size(), size_t(6 + 4)); // the six supernet rows, then four MoS rows
        QCOMPARE(r.models[6].name, std::string("mos-neuron x3 largest"));
        QCOMPARE(r.models[6].arch, r.models[0].arch);
        QCOMPARE(r.models[9].arch, r.models[5].arch);
        QCOMPARE(r.mixture.rows, (std::vector<std::string>{"supernet largest", "supernet smallest",
                                                           "supernet random", r.models[5].name}));
        QCOMPARE(r.mixture.stepRatios.size(), size_t(4));
        double worst = 0;
        for (size_t i = 0; i < 4; ++i) {
            const size_t shared = i < 3 ? i : 5;
            QCOMPARE(r.mixture.stepRatios[i], r.models[6 + i].stepMs / r.models[shared].stepMs);
            worst = std::max(worst, r.mixture.stepRatios[i]);
        }
        QCOMPARE(r.mixture.maxStepRatio, worst);

        SuperTransformerConfig c = smallConfig();
        c.vocabSize = 64;
        SuperTransformer shared(c);
        c.mixture.kind = SupernetKind::MoSNeuron;
        c.mixture.sets = 3;
        SuperTransformer mos(c);
        int64_t total = 0, covered = 0, routers = 0;
        for (const auto& p : shared->parameters())
            total += p.numel();
        for (const auto& lin : mos->mixedLinears()) {
            covered += lin->weight.numel() + lin->bias.numel();
            routers += 15 * 128 + 128 + 128 * 3 * lin->superOut() + 3 * lin->superOut();
        }
        QCOMPARE(r.mixture.supernetParams, total);
        QCOMPARE(r.mixture.coveredParams, covered);
        QCOMPARE(r.mixture.extraSetParams, 2 * covered);
        QCOMPARE(r.mixture.routerParams, routers);
        QCOMPARE(r.mixture.trainingExtraMb, double(2 * covered + routers) * 16 / (1024.0 * 1024.0));
        const nlohmann::json j = modelBenchmarkJson(r);
        QCOMPARE(j["mixture"]["router_params"].get<int64_t>(), routers);
        QVERIFY(formatModelBenchmark(r).find(
                    "Mixture-of-Supernets mos-neuron x3 beside the shared supernet") != std::string::npos);
        // Without --supernet there is no mixture.
        o.supernet = "shared";
        const ModelBenchmarkResult plain = runModelBenchmark(o);
        QVERIFY(!plain.hasMixture);
        QCOMPARE(plain.models.size(), size_t(6));
        QVERIFY(!modelBenchmarkJson(plain).contains("mixture"));
    }
};

AUTOMOE_TEST_MAIN(TestMoS)
#include "tst_mos.moc"
