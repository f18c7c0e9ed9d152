// A StandaloneTransformer copied from the supernet is the same network with exactly-sized weights: equal
// logits (eval mode) for dense, heterogeneous top-1/top-2 MoE and arbitrary encoder-decoder attention
// architectures, parameters equal to the cost model's total, independent storage, and a single-file save /
// load that reproduces the logits exactly and rejects truncated or foreign files by name.
#include "NnTestSupport.h"

#include "cost/CostModel.h"
#include "nn/StandaloneTransformer.h"
#include "nn/SuperTransformer.h"
#include "nn/TorchArchive.h"
#include "space/ArchitectureIO.h"

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

// A model file laid out as save() writes it, with `config` as the config entry and the parameters of
// `weights` as the weights: what a damaged or hostile file can hold.
void writeModelFile(const std::string& path, const std::string& config, torch::nn::Module& weights) {
    torch::serialize::OutputArchive archive;
    writeArchiveText(archive, "format", "automoe-standalone-model");
    writeArchiveText(archive, "version", "1");
    writeArchiveText(archive, "config", config);
    writeArchiveText(archive, "meta", "{}");
    writeArchiveText(archive, "vocabulary", "");
    torch::serialize::OutputArchive stored(archive.compilation_unit());
    weights.save(stored);
    archive.write("model", stored);
    archive.save_to(path);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
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

    // Issue 16, item 7: the stored config is checked field by field, and against the file's size, before
    // any tensor is allocated; the weights must then be the config's, shape and dtype.
    void untrustedConfigIsCheckedBeforeTheWeights() {
        QTemporaryDir dir;
        StandaloneTransformerConfig c;
        c.vocabSize = kVocab;
        c.padIndex = kPad;
        c.arch = heterogeneousArch();
        StandaloneTransformer model(c);
        const nlohmann::json config = standaloneConfigToJson(c);

        // The control: the hand-made layout loads.
        const std::string good = dir.filePath("good.pt").toStdString();
        writeModelFile(good, config.dump(), *model);
        QCOMPARE(StandaloneTransformer::load(good).model->parameterCount(), model->parameterCount());

        // A field that cannot be built is named; nothing is allocated for it.
        nlohmann::json bad = config;
        bad["architecture"]["encoder"]["layers"][1]["heads"] = 3;
        const std::string heads = dir.filePath("heads.pt").toStdString();
        writeModelFile(heads, bad.dump(), *model);
        QCOMPARE(QString::fromStdString(loadError(heads)),
                 QString::fromStdString(heads + ": config.architecture.encoder.layers[1].heads: 3 heads do " +
                                        "not divide qkv_dim 16"));

        // A vocabulary of 1,000,000 declares 16 M embedding parameters (64 MB of float32) in a file of a
        // few KB: refused before the model (and its 64 MB table) is built.
        bad = config;
        bad["vocab_size"] = 1000000;
        CostOptions costs;
        costs.vocabSize = 1000000;
        const int64_t declared = CostModel::evaluate(c.arch, costs).paramsTotal;
        QCOMPARE(declared - model->parameterCount(), (1000000 - kVocab) * 16);
        const std::string vocab = dir.filePath("vocab.pt").toStdString();
        writeModelFile(vocab, bad.dump(), *model);
        const std::string e = loadError(vocab);
        QVERIFY2(contains(e, vocab + ": the config declares " + std::to_string(declared) + " parameters (" +
                                 std::to_string(declared * 4) + " bytes of float32 weights), more than the " +
                                 "file's ") &&
                     contains(e, " bytes hold: a truncated file, or the config of another model"),
                 e.c_str());

        // The config of another architecture (an expert 16 wide instead of 8) over these weights.
        bad = config;
        bad["architecture"]["encoder"]["layers"][0]["experts"][1] = 16;
        const std::string other = dir.filePath("other.pt").toStdString();
        writeModelFile(other, bad.dump(), *model);
        const std::string o = loadError(other);
        QVERIFY2(contains(o, other + ": weight encoder.layers.0.") &&
                     contains(o, " has the wrong shape for the stored config"),
                 o.c_str());

        // The right shapes stored as float64: LibTorch would put the bytes into the float32 tensors as they
        // are.
        StandaloneTransformer wide(c);
        wide->to(torch::kDouble);
        const std::string dbl = dir.filePath("double.pt").toStdString();
        writeModelFile(dbl, config.dump(), *wide);
        QCOMPARE(QString::fromStdString(loadError(dbl)),
                 QString::fromStdString(
                     dbl + ": weight embed_tokens.weight is stored as Double, not as Float " + "(float32)"));
    }
};

AUTOMOE_TEST_MAIN(TestStandalone)
#include "tst_standalone.moc"
