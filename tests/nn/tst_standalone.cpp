// A StandaloneTransformer copied from the supernet is the same network with exactly-sized weights: equal
// logits (eval mode) for dense, heterogeneous top-1/top-2 MoE and arbitrary encoder-decoder attention
// architectures, parameters equal to the cost model's total, independent storage, and a single-file save /
// load that reproduces the logits exactly and rejects truncated or foreign files by name.
#include "NnTestSupport.h"

#include "cost/CostModel.h"
#include "nn/StandaloneTransformer.h"
#include "nn/SuperTransformer.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

using namespace automoe;
using namespace automoe::nntest;

namespace {

std::string loadError(const std::string& path) {
    try {
        StandaloneTransformer::load(path);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(loaded)";
}

} // namespace

class TestStandalone : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(11); }

    void logitsEqualSupernetLogits() {
        SuperTransformer supernet = perturbedSupernet();
        torch::NoGradGuard guard;
        const auto src = paddedBatch({5, 7, 3});
        const auto tgt = paddedBatch({4, 2, 6});
        const std::vector<Architecture> archs = variedArchitectures();
        double worst = 0;
        for (const Architecture& arch : archs) {
            supernet->setArchitecture(arch);
            const auto expected = supernet->forward(src, tgt);
            StandaloneTransformer model = StandaloneTransformer::fromSupernet(*supernet, arch);
            model->eval();
            QCOMPARE(model->architecture(), arch);
            const auto got = model->forward(src, tgt);
            QCOMPARE(got.logits.sizes().vec(), expected.logits.sizes().vec());
            const double diff = maxDiff(got.logits, expected.logits);
            QVERIFY2(diff < 1e-5, (arch.key() + ": max |diff| " + std::to_string(diff)).c_str());
            worst = std::max(worst, diff);
            QVERIFY2(std::abs(got.loadBalancingLoss.item<double>() -
                              expected.loadBalancingLoss.item<double>()) < 1e-6,
                     arch.key().c_str());

            // The decoder interface: per-position logits of a prefix equal the supernet's too.
            const auto encS = supernet->encodeSource(src);
            const auto encM = model->encodeSource(src);
            QCOMPARE(encM.layers.size(), encS.layers.size());
            const auto prefix = tgt.narrow(1, 0, 2).clone().fill_(kPad + 1);
            QVERIFY(maxDiff(model->nextTokenLogits(prefix, encM), supernet->nextTokenLogits(prefix, encS)) <
                    1e-5);
        }
        qInfo("largest |logit difference| over %d architectures: %g", int(archs.size()), worst);
    }

    void copiedWeightsAreIndependentAndContiguous() {
        SuperTransformer supernet = perturbedSupernet();
        const Architecture arch = heterogeneousArch();
        const Architecture before = supernet->architecture();
        StandaloneTransformer model = StandaloneTransformer::fromSupernet(*supernet, arch);
        QCOMPARE(supernet->architecture(), before); // restored
        for (const auto& p : model->parameters())
            QVERIFY(p.is_contiguous());
        torch::NoGradGuard guard;
        const auto src = paddedBatch({6});
        const auto tgt = paddedBatch({5});
        const auto logits = model->forward(src, tgt).logits.clone();
        for (auto& p : supernet->parameters())
            p.zero_();
        QVERIFY(torch::equal(model->forward(src, tgt).logits, logits));
    }

    void parameterCountEqualsCostModelTotal() {
        SuperTransformer supernet(smallConfig());
        CostOptions options;
        options.vocabSize = int(kVocab);
        for (const Architecture& arch : variedArchitectures()) {
            StandaloneTransformer model = StandaloneTransformer::fromSupernet(*supernet, arch);
            const ArchitectureCost cost = CostModel::evaluate(arch, options);
            QCOMPARE(model->parameterCount(), cost.paramsTotal);
            QCOMPARE(model->parameterCount() - model->embedding->weight.numel(), cost.paramsHat);
            supernet->setArchitecture(arch);
            QCOMPARE(model->parameterCount() - model->embedding->weight.numel(),
                     supernet->sampledParameterCount());
        }
    }

    void misfitArchitectureNamesTheGene() {
        SuperTransformer supernet(smallConfig());
        Architecture a = heterogeneousArch();
        a.decoder.layers[0].expertWidths[1] = 32;
        try {
            StandaloneTransformer::fromSupernet(*supernet, a);
            QFAIL("a misfit architecture was accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(std::string(e.what()).find("decoder layer 0: expert width 32 exceeds supernet FFN 24") !=
                         std::string::npos,
                     e.what());
        }
        StandaloneTransformerConfig c;
        c.vocabSize = kVocab;
        c.arch = heterogeneousArch();
        c.arch.encoder.layers[1].selfHeads = 3;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, StandaloneTransformer{c});
    }

    void saveLoadRoundTripReproducesLogits() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("model.pt").toStdString();
        SuperTransformer supernet = perturbedSupernet();
        StandaloneTransformer model = StandaloneTransformer::fromSupernet(*supernet, heterogeneousArch());
        model->eval();
        const nlohmann::json meta = {{"run", 42}, {"corpus", "trans-de-en"}, {"note", "Grüße"}};
        const char raw[] = "spm\0\x01\xff\x80 model";
        const std::string vocab(raw, sizeof(raw) - 1);
        model->save(path, meta, vocab);
        QVERIFY(std::filesystem::exists(path));
        QVERIFY(!std::filesystem::exists(path + ".tmp"));

        StandaloneModelFile file = StandaloneTransformer::load(path);
        QCOMPARE(file.meta, meta);
        QCOMPARE(file.vocabularyModel, vocab);
        QCOMPARE(file.model->architecture(), model->architecture());
        QVERIFY(!file.model->is_training());
        QCOMPARE(file.model->parameterCount(), model->parameterCount());
        torch::NoGradGuard guard;
        const auto src = paddedBatch({4, 7});
        const auto tgt = paddedBatch({5, 3});
        QVERIFY(torch::equal(file.model->forward(src, tgt).logits, model->forward(src, tgt).logits));

        // A fresh model (not from a supernet), no meta and no vocabulary, round-trips too.
        StandaloneTransformerConfig c;
        c.vocabSize = kVocab;
        c.padIndex = kPad;
        c.arch = smallSpace().largest();
        StandaloneTransformer fresh(c);
        fresh->eval();
        fresh->save(path);
        StandaloneModelFile again = StandaloneTransformer::load(path);
        QVERIFY(again.vocabularyModel.empty());
        QVERIFY(torch::equal(again.model->forward(src, tgt).logits, fresh->forward(src, tgt).logits));
    }

    void truncatedOrForeignFileNamesTheFile() {
        QTemporaryDir dir;
        const std::string good = dir.filePath("good.pt").toStdString();
        StandaloneTransformerConfig c;
        c.vocabSize = kVocab;
        c.arch = heterogeneousArch();
        StandaloneTransformer(c)->save(good, {{"x", 1}}, "vocab");
        const auto size = std::filesystem::file_size(good);

        const std::string truncated = dir.filePath("truncated.pt").toStdString();
        std::filesystem::copy_file(good, truncated);
        std::filesystem::resize_file(truncated, size / 2);
        std::string e = loadError(truncated);
        QVERIFY2(e.find(truncated) != std::string::npos && e.find("truncated") != std::string::npos,
                 e.c_str());

        const std::string text = dir.filePath("notes.txt").toStdString();
        std::ofstream(text) << "not a model\n";
        e = loadError(text);
        QVERIFY2(e.find(text) != std::string::npos, e.c_str());

        // A LibTorch archive of something else.
        const std::string tensor = dir.filePath("tensor.pt").toStdString();
        torch::serialize::OutputArchive other;
        other.write("weights", torch::ones({3}));
        other.save_to(tensor);
        e = loadError(tensor);
        QVERIFY2(e.find(tensor) != std::string::npos && e.find("format") != std::string::npos, e.c_str());

        e = loadError(dir.filePath("missing.pt").toStdString());
        QVERIFY2(e.find("missing.pt") != std::string::npos, e.c_str());
    }
};

AUTOMOE_TEST_MAIN(TestStandalone)
#include "tst_standalone.moc"
