// Pins the search space: validation messages, exact size, uniform sampling, mutation / crossover
// consistency, canonical genes and the cheapest / most expensive corners.
#include "cost/CostModel.h"
#include "space/SearchSpace.h"
#include "space/SpaceError.h"
#include "space/SpaceIO.h"
#include "util/Resources.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

using namespace automoe;
using nlohmann::json;

namespace {

json tinyJson() {
    return json::parse(readTextFile(resourcePath("spaces/tiny.json")));
}

// A space small enough to enumerate by brute force.
SearchSpace smallSpace(bool fractional = true) {
    SearchSpace s;
    s.name = "small";
    s.qkvDim = 8;
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        StackSpace& x = s.stack(st);
        x.embedDim = Dimension::of({8});
        x.layers = Dimension::range(1, 2);
        x.ffnDim = Dimension::of({16, 32});
        x.selfHeads = Dimension::of({2});
        x.experts = Dimension::range(1, 2);
        x.topK = Dimension::of({1});
        x.fractionalExperts = fractional;
    }
    s.decoder.layers = Dimension::of({1});
    s.decoder.endeHeads = Dimension::of({2});
    s.decoder.arbitraryEnde = Dimension::of({-1, 1});
    s.validate();
    return s;
}

// Every raw gene combination of a stack, canonicalised by the caller.
void enumerateLayers(const StackSpace& s, bool decoder, std::vector<LayerGene>& out) {
    for (int h : s.selfHeads.choices)
        for (int eh : decoder ? s.endeHeads.choices : std::vector<int>{0})
            for (int a : decoder ? s.arbitraryEnde.choices : std::vector<int>{0})
                for (int n : s.experts.choices)
                    for (int k : s.topK.choices) {
                        std::vector<std::vector<int>> widthLists{{}};
                        for (int e = 0; e < n; ++e) {
                            std::vector<std::vector<int>> next;
                            for (const auto& w : widthLists)
                                for (int f : s.ffnDim.choices) {
                                    if (!s.fractionalExperts && !w.empty() && w.front() != f) continue;
                                    auto x = w;
                                    x.push_back(f);
                                    next.push_back(x);
                                }
                            widthLists = next;
                        }
                        for (const auto& w : widthLists) {
                            LayerGene l;
                            l.selfHeads = h, l.endeHeads = eh, l.arbitraryEnde = a, l.expertWidths = w,
                            l.topK = k;
                            out.push_back(l);
                        }
                    }
}

std::set<std::string> bruteForceKeys(const SearchSpace& s) {
    std::vector<LayerGene> enc, dec;
    enumerateLayers(s.encoder, false, enc);
    enumerateLayers(s.decoder, true, dec);
    std::set<std::string> keys;
    for (int ee : s.encoder.embedDim.choices)
        for (int le : s.encoder.layers.choices)
            for (int de : s.decoder.embedDim.choices)
                for (int ld : s.decoder.layers.choices) {
                    // Odometer over layer choices of both stacks.
                    std::vector<std::size_t> idx(le + ld, 0);
                    while (true) {
                        Architecture a;
                        a.qkvDim = s.qkvDim;
                        a.encoder.embedDim = ee;
                        a.decoder.embedDim = de;
                        for (int i = 0; i < le; ++i)
                            a.encoder.layers.push_back(enc[idx[i]]);
                        for (int i = 0; i < ld; ++i)
                            a.decoder.layers.push_back(dec[idx[le + i]]);
                        keys.insert(a.key());
                        int p = 0;
                        while (p < le + ld) {
                            const std::size_t lim = p < le ? enc.size() : dec.size();
                            if (++idx[p] < lim) break;
                            idx[p++] = 0;
                        }
                        if (p == le + ld) break;
                    }
                }
    return keys;
}

} // namespace

class TestSearchSpace : public QObject {
    Q_OBJECT
private slots:
    void bundledSpacesLoad_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("tiny") << "tiny";
        QTest::newRow("automoe-ref-small") << "automoe-ref-small";
        QTest::newRow("automoe-wmt") << "automoe-wmt";
    }
    void bundledSpacesLoad() {
        QFETCH(QString, name);
        const SearchSpace s = loadSpaceByNameOrPath(name.toStdString());
        QCOMPARE(QString::fromStdString(s.name), name);
        QVERIFY(s.log10Size() > 3);
        // Saving and reading back gives the same space.
        const SearchSpace back = spaceFromJson(spaceToJson(s));
        QVERIFY(back == s);
    }

    void automoeRefSmallMatchesTheReference() {
        // The AutoMoE reference's small MoE supernet of the throughput comparison (issue 19): its largest
        // subnet has 15.0 M non-embedding parameters, as the reference counts them.
        const SearchSpace s = loadSpaceByNameOrPath("automoe-ref-small");
        QCOMPARE(s.qkvDim, 256);
        QCOMPARE(s.encoder.embedDim.choices, (std::vector<int>{128, 256}));
        QCOMPARE(s.decoder.ffnDim.choices, (std::vector<int>{256, 512, 1024}));
        QCOMPARE(s.encoder.layers.choices, (std::vector<int>{3}));
        QCOMPARE(s.decoder.layers.choices, (std::vector<int>{1, 2, 3}));
        QCOMPARE(s.encoder.selfHeads.choices, (std::vector<int>{4}));
        QCOMPARE(s.decoder.experts.choices, (std::vector<int>{1, 2, 3, 4}));
        const auto largest = CostModel::evaluate(s.largest());
        QVERIFY2(std::abs(double(largest.paramsHat) - 15.00e6) < 0.005e6,
                 qPrintable(QString::number(largest.paramsHat)));
    }

    void automoeWmtMatchesThePaper() {
        const SearchSpace s = loadSpaceByNameOrPath("automoe-wmt");
        QCOMPARE(s.qkvDim, 512);
        QCOMPARE(s.encoder.embedDim.choices, (std::vector<int>{512, 640}));
        QCOMPARE(s.encoder.ffnDim.choices, (std::vector<int>{1024, 2048, 3072}));
        QCOMPARE(s.encoder.layers.choices, (std::vector<int>{6}));
        QCOMPARE(s.decoder.layers.choices, (std::vector<int>{1, 2, 3, 4, 5, 6}));
        QCOMPARE(s.decoder.arbitraryEnde.choices, (std::vector<int>{-1, 1, 2}));
        QCOMPARE(s.encoder.experts.choices, (std::vector<int>{1, 2, 3, 4, 5, 6}));
        const SupernetDims d = s.supernet();
        QCOMPARE(d.embedDim, 640);
        QCOMPARE(d.encoderFfnDim, 3072);
        QCOMPARE(d.decoderExperts, 6);
    }

    void validationErrorsNameTheField_data() {
        QTest::addColumn<QString>("pointer"); // JSON pointer to edit
        QTest::addColumn<QString>("value");   // JSON value to put there ("DELETE" removes the key)
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("message");
        QTest::newRow("inverted bounds") << "/encoder/layers"
                                         << R"({"min": 4, "max": 2})"
                                         << "encoder.layers"
                                         << "inverted bounds: min 4 is greater than max 2";
        QTest::newRow("zero experts") << "/decoder/experts"
                                      << R"({"min": 0, "max": 3})"
                                      << "decoder.experts"
                                      << "at least one expert";
        QTest::newRow("zero experts in list") << "/encoder/experts"
                                              << "[0, 2]"
                                              << "encoder.experts"
                                              << "at least one expert";
        QTest::newRow("unknown key") << "/encoder/expert_count"
                                     << "3"
                                     << "encoder.expert_count"
                                     << "unknown key";
        QTest::newRow("unknown top-level key") << "/learning_rate"
                                               << "0.1"
                                               << "learning_rate"
                                               << "unknown key";
        QTest::newRow("wrong type string") << "/encoder/ffn_dim"
                                           << R"("512")"
                                           << "encoder.ffn_dim"
                                           << "expected a list of integers";
        QTest::newRow("wrong type in list") << "/decoder/heads"
                                            << R"([2, "four"])"
                                            << "decoder.heads[1]"
                                            << "expected an integer";
        QTest::newRow("wrong type float") << "/qkv_dim"
                                          << "192.5"
                                          << "qkv_dim"
                                          << "expected an integer";
        QTest::newRow("bool type") << "/encoder/fractional_experts"
                                   << "1"
                                   << "encoder.fractional_experts"
                                   << "expected true or false";
        QTest::newRow("heads do not divide qkv") << "/decoder/ende_heads"
                                                 << "[5]"
                                                 << "decoder.ende_heads"
                                                 << "5 heads do not divide qkv_dim 192";
        QTest::newRow("arbitrary value") << "/decoder/arbitrary_ende"
                                         << "[-1, 3]"
                                         << "decoder.arbitrary_ende"
                                         << "got 3";
        QTest::newRow("encoder has no ende") << "/encoder/ende_heads"
                                             << "[2]"
                                             << "encoder.ende_heads"
                                             << "unknown key";
        QTest::newRow("missing key") << "/encoder/embed_dim"
                                     << "DELETE"
                                     << "encoder.embed_dim"
                                     << "missing";
        QTest::newRow("empty list") << "/encoder/embed_dim"
                                    << "[]"
                                    << "encoder.embed_dim"
                                    << "no choices";
        QTest::newRow("duplicate choice") << "/encoder/embed_dim"
                                          << "[128, 128]"
                                          << "encoder.embed_dim"
                                          << "twice";
        QTest::newRow("top-k above experts") << "/encoder/top_k"
                                             << "[5]"
                                             << "encoder.top_k"
                                             << "at most 4";
        QTest::newRow("expert wider than supernet")
            << "/supernet"
            << R"({"encoder": {"embed_dim": 256, "layers": 3, "ffn_dim": 512, "experts": 4},
                   "decoder": {"embed_dim": 256, "layers": 3, "ffn_dim": 768, "experts": 4}})"
            << "encoder.ffn_dim"
            << "expert width 768 exceeds the supernet's 512";
        QTest::newRow("newer version") << "/version"
                                       << "99"
                                       << "version"
                                       << "reads up to 1";
    }
    void validationErrorsNameTheField() {
        QFETCH(QString, pointer);
        QFETCH(QString, value);
        QFETCH(QString, field);
        QFETCH(QString, message);
        json j = tinyJson();
        const json::json_pointer ptr(pointer.toStdString());
        if (value == "DELETE")
            j[ptr.parent_pointer()].erase(ptr.back());
        else
            j[ptr] = json::parse(value.toStdString());
        try {
            parseSpace(j.dump(), "edited.json");
            QFAIL("expected a SpaceError");
        } catch (const SpaceError& e) {
            QCOMPARE(QString::fromStdString(e.field()), field);
            QCOMPARE(QString::fromStdString(e.file()), QString("edited.json"));
            const QString what = QString::fromStdString(e.what());
            QVERIFY2(what.startsWith("edited.json: " + field + ": "), qPrintable(what));
            QVERIFY2(what.contains(message), qPrintable(what));
        }
    }

    void invalidJsonNamesLineAndFile() {
        try {
            parseSpace("{\n  \"name\": \"x\",\n  oops\n}", "broken.json");
            QFAIL("expected a SpaceError");
        } catch (const SpaceError& e) {
            const QString what = e.what();
            QVERIFY2(what.startsWith("broken.json: invalid JSON"), qPrintable(what));
            QVERIFY2(what.contains("line 3"), qPrintable(what));
        }
    }

    void exactSizeMatchesBruteForce_data() {
        QTest::addColumn<bool>("fractional");
        QTest::addColumn<QString>("topK");
        QTest::newRow("fractional, top-1") << true << "1";
        QTest::newRow("shared width, top-1") << false << "1";
        QTest::newRow("fractional, top-1/2") << true << "1,2";
    }
    void exactSizeMatchesBruteForce() {
        QFETCH(bool, fractional);
        QFETCH(QString, topK);
        SearchSpace s = smallSpace(fractional);
        std::vector<int> ks;
        for (const auto& k : topK.split(','))
            ks.push_back(k.toInt());
        s.encoder.topK = s.decoder.topK = Dimension::of(ks);
        s.decoder.arbitraryEnde = Dimension::of({-1, 1, 2});
        s.decoder.layers = Dimension::range(1, 2);
        const auto keys = bruteForceKeys(s);
        QCOMPARE(std::round(std::pow(10.0, s.log10Size())), static_cast<double>(keys.size()));
    }

    void samplingIsUniformOverDistinctArchitectures() {
        const SearchSpace s = smallSpace();
        const auto all = bruteForceKeys(s);
        QCOMPARE(all.size(), std::size_t(468)); // 6*6 + 36*12, see the derivation in the test notes
        std::mt19937_64 rng(20261125);
        std::map<std::string, int> counts;
        const int perCell = 60;
        const int n = perCell * static_cast<int>(all.size());
        for (int i = 0; i < n; ++i) {
            const Architecture a = s.sample(rng);
            QVERIFY(s.contains(a));
            ++counts[a.key()];
        }
        QCOMPARE(counts.size(), all.size());
        double chi2 = 0;
        for (const auto& key : all) {
            const double d = counts[key] - perCell;
            chi2 += d * d / perCell;
        }
        const double df = static_cast<double>(all.size() - 1);
        // Mean df, sd sqrt(2 df): a uniform sampler lands far inside df + 4 sd; a depth-uniform one
        // (which over-samples shallow architectures 6-fold) lands far outside.
        QVERIFY2(chi2 < df + 4 * std::sqrt(2 * df),
                 qPrintable(QString("chi2 = %1, df = %2").arg(chi2).arg(df)));
    }

    void perGeneSamplingIsUniformPerGene() {
        // Supernet training draws depth and expert count uniformly (HAT/AutoMoE), so that shallow and
        // dense subnets are trained too; uniform-over-architectures sampling almost never draws them.
        const SearchSpace s = loadSpaceByNameOrPath("tiny");
        std::mt19937_64 rng(5);
        const int n = 6000;
        std::map<int, int> decDepth, experts;
        int shallowUniform = 0;
        for (int i = 0; i < n; ++i) {
            const Architecture a = s.sampleGenes(rng);
            QVERIFY(s.contains(a));
            ++decDepth[a.decoder.depth()];
            ++experts[int(a.encoder.layers[0].expertWidths.size())];
            if (s.sample(rng).decoder.depth() == 1) ++shallowUniform;
        }
        for (int d : {1, 2, 3})
            QVERIFY2(std::abs(decDepth[d] / double(n) - 1.0 / 3) < 0.03,
                     qPrintable(QString::number(decDepth[d])));
        for (int e : {1, 2, 3, 4})
            QVERIFY2(std::abs(experts[e] / double(n) - 0.25) < 0.03, qPrintable(QString::number(experts[e])));
        QVERIFY(shallowUniform < 5); // the contrast: a 1-layer decoder is a ~1e-6 share of the space
    }

    void mutationAndCrossoverKeepWidthListsConsistent_data() {
        QTest::addColumn<bool>("fractional");
        QTest::newRow("fractional experts") << true;
        QTest::newRow("shared widths") << false;
    }
    void mutationAndCrossoverKeepWidthListsConsistent() {
        QFETCH(bool, fractional);
        SearchSpace s = loadSpaceByNameOrPath("tiny");
        s.encoder.fractionalExperts = s.decoder.fractionalExperts = fractional;
        s.encoder.topK = s.decoder.topK = Dimension::of({1, 2});
        std::mt19937_64 rng(7);
        int changed = 0;
        for (int i = 0; i < 2000; ++i) {
            const Architecture a = s.sample(rng), b = s.sample(rng);
            const Architecture m = s.mutate(a, 0.3, rng);
            const Architecture c = s.crossover(a, b, rng);
            for (const Architecture* x : {&m, &c}) {
                std::string why;
                QVERIFY2(s.contains(*x, &why), why.c_str());
                for (const StackGene* g : {&x->encoder, &x->decoder})
                    for (const LayerGene& l : g->layers) {
                        QVERIFY(l.experts() >= 1);
                        QVERIFY(l.topK >= 1 && l.topK <= l.experts());
                        if (!fractional)
                            QVERIFY(std::all_of(l.expertWidths.begin(), l.expertWidths.end(),
                                                [&](int w) { return w == l.expertWidths.front(); }));
                    }
            }
            if (m != a) ++changed;
            QVERIFY(s.mutate(a, 0.0, rng) == a); // probability 0 changes nothing
        }
        QVERIFY(changed > 1500);
    }

    void crossoverOfIdenticalParentsIsTheParent() {
        const SearchSpace s = loadSpaceByNameOrPath("tiny");
        std::mt19937_64 rng(3);
        for (int i = 0; i < 200; ++i) {
            const Architecture a = s.sample(rng);
            QVERIFY(s.crossover(a, a, rng) == a);
        }
    }

    void canonicalGeneIsUniqueAndHashable() {
        Architecture a;
        a.qkvDim = 8;
        a.encoder.embedDim = 8;
        a.encoder.layers.resize(2);
        for (auto& l : a.encoder.layers)
            l.expertWidths = {16};
        a.decoder.embedDim = 8;
        a.decoder.layers.resize(1);
        a.decoder.layers[0].expertWidths = {16};
        a.decoder.layers[0].arbitraryEnde = 2; // last three, but the encoder has two layers
        a.decoder.layers[0].topK = 3;          // more than the single expert
        Architecture b = a;
        b.decoder.layers[0].arbitraryEnde = 1;
        b.decoder.layers[0].topK = 1;
        b.encoder.layers[1].endeHeads = 99; // meaningless in the encoder
        QVERIFY(a == b);
        QCOMPARE(a.key(), b.key());
        QCOMPARE(a.hash(), b.hash());
        QCOMPARE(a.attendedEncoderLayers(a.decoder.layers[0]), 2);
        b.decoder.layers[0].expertWidths = {16, 16};
        QVERIFY(a != b);
        QVERIFY(a.hash() != b.hash());
        // Expert order matters: expert i is slot i of the supernet.
        Architecture c = b, d = b;
        c.decoder.layers[0].expertWidths = {16, 32};
        d.decoder.layers[0].expertWidths = {32, 16};
        QVERIFY(c != d);
    }

    void cornersBoundEveryArchitecture() {
        const SearchSpace s = loadSpaceByNameOrPath("tiny");
        const auto lo = CostModel::evaluate(s.smallest()), hi = CostModel::evaluate(s.largest());
        QVERIFY(s.contains(s.smallest()));
        QVERIFY(s.contains(s.largest()));
        QVERIFY(lo.flopsHat < hi.flopsHat);
        std::mt19937_64 rng(11);
        for (int i = 0; i < 2000; ++i) {
            const auto c = CostModel::evaluate(s.sample(rng));
            QVERIFY(c.flopsHat >= lo.flopsHat && c.flopsHat <= hi.flopsHat);
            QVERIFY(c.paramsHat >= lo.paramsHat && c.paramsHat <= hi.paramsHat);
        }
        const Architecture big = s.largest();
        QCOMPARE(big.encoder.depth(), 3);
        QCOMPARE(big.encoder.layers[0].expertWidths, (std::vector<int>{768, 768, 768, 768}));
        QCOMPARE(s.smallest().decoder.depth(), 1);
    }

    void narrowedSpaceMustLieInsideTheSupernet() {
        const SearchSpace outer = loadSpaceByNameOrPath("tiny");
        SearchSpace inner = outer;
        inner.encoder.ffnDim = Dimension::of({256, 512});
        inner.decoder.experts = Dimension::range(1, 2);
        QVERIFY(outer.containsSpace(inner));
        inner.decoder.ffnDim = Dimension::of({1024});
        std::string why;
        QVERIFY(!outer.containsSpace(inner, &why));
        QVERIFY2(QString::fromStdString(why).contains("decoder.ffn_dim"), why.c_str());
    }
};

AUTOMOE_TEST_MAIN(TestSearchSpace)
#include "tst_searchspace.moc"
