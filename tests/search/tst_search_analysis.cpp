// Pins the analysis the workbench draws over a search's candidates: the hypervolume after each generation
// (a hand-computed small front), the gene features of a hand-built architecture, gene importance (a fitness
// that depends on one gene alone ranks that gene first) and the candidates CSV (a write / read round trip
// and errors naming the line and column).
#include "search/CandidateCsv.h"
#include "search/GeneFeatures.h"
#include "search/GeneImportance.h"
#include "search/Pareto.h"
#include "space/ArchitectureIO.h"

#include "TestMain.h"
#include <QtTest/QtTest>
#include <random>
#include <sstream>

using namespace automoe;

namespace {

LayerGene layer(int heads, std::vector<int> widths, int endeHeads = 8, int arbitrary = -1) {
    LayerGene l;
    l.selfHeads = heads;
    l.endeHeads = endeHeads;
    l.arbitraryEnde = arbitrary;
    l.expertWidths = std::move(widths);
    return l;
}

// A random architecture: every gene drawn independently.
Architecture randomArch(std::mt19937& rng) {
    auto pick = [&](std::vector<int> choices) {
        return choices[std::uniform_int_distribution<std::size_t>(0, choices.size() - 1)(rng)];
    };
    Architecture a;
    a.encoder.embedDim = pick({512, 640});
    a.decoder.embedDim = pick({512, 640});
    const int encLayers = pick({1, 2, 3});
    const int decLayers = pick({1, 2, 3});
    for (int i = 0; i < encLayers; ++i) {
        std::vector<int> widths(std::size_t(pick({1, 2})), 0);
        for (int& w : widths)
            w = pick({1024, 2048});
        a.encoder.layers.push_back(layer(pick({4, 8}), widths));
    }
    for (int i = 0; i < decLayers; ++i)
        a.decoder.layers.push_back(layer(pick({4, 8}), {pick({1024, 2048})}, pick({4, 8}), pick({-1, 1})));
    return a;
}

} // namespace

class TestSearchAnalysis : public QObject {
    Q_OBJECT

private slots:
    void hypervolumePerGenerationMatchesAHandComputation() {
        // Generation 0: (2,5), (4,3); 1: (1,6), (3,2); 2: (5,5), dominated; 3: none; 4: (7,1), beyond the
        // reference's cost. Reference (6, 7).
        const std::vector<ParetoPoint> points = {{2, 5}, {4, 3}, {1, 6}, {3, 2}, {5, 5}, {7, 1}};
        const std::vector<long long> generations = {0, 0, 1, 1, 2, 4};
        const std::vector<double> hv = hypervolumeByGeneration(points, generations, {6, 7});
        // 0: (4-2)(7-5) + (6-4)(7-3) = 4 + 8 = 12.
        // 1: front (1,6), (2,5), (3,2): (2-1)(7-6) + (3-2)(7-5) + (6-3)(7-2) = 1 + 2 + 15 = 18.
        QCOMPARE(hv, (std::vector<double>{12, 18, 18, 18, 18}));
        // Each equals the hypervolume of every point up to that generation.
        for (long long g = 0; g < 5; ++g) {
            std::vector<ParetoPoint> upTo;
            for (std::size_t i = 0; i < points.size(); ++i)
                if (generations[i] <= g) upTo.push_back(points[i]);
            QCOMPARE(hv[std::size_t(g)], hypervolume2D(upTo, {6, 7}));
        }
        QVERIFY(hypervolumeByGeneration({}, {}, {6, 7}).empty());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, hypervolumeByGeneration({{1, 1}}, {-1}, {6, 7}));
    }

    void geneFeaturesOfAHandBuiltArchitecture() {
        Architecture a;
        a.encoder.embedDim = 512;
        a.encoder.layers = {layer(8, {3072}), layer(4, {2048, 1024})};
        a.decoder.embedDim = 640;
        a.decoder.layers = {layer(4, {1024}, 8, 1)};
        const std::vector<double> v = geneFeatureValues(a);
        QCOMPARE(v.size(), geneFeatures().size());
        // enc/dec embed, enc/dec layers, enc/dec mean FFN width, enc/dec mean heads, enc/dec experts per
        // layer, enc/dec expert width spread, ende heads, encoder layers attended (gene 1 = last two).
        QCOMPARE(v, (std::vector<double>{512, 640, 2, 1, 2048, 1024, 6, 4, 1.5, 1, 512, 0, 8, 2}));
        QCOMPARE(geneFeatureValues(architectureToJson(a)), v);
    }

    void importanceRanksFirstTheOnlyGeneFitnessDependsOn_data() {
        QTest::addColumn<int>("gene");
        QTest::addColumn<int>("levels");
        QTest::newRow("gene 0, 3 levels") << 0 << 3;
        QTest::newRow("gene 2, 4 levels") << 2 << 4;
        QTest::newRow("gene 4, 40 levels (binned)") << 4 << 40;
    }

    void importanceRanksFirstTheOnlyGeneFitnessDependsOn() {
        QFETCH(int, gene);
        QFETCH(int, levels);
        std::mt19937 rng(7);
        std::vector<std::vector<double>> x;
        std::vector<double> y;
        const std::vector<std::string> names = {"a", "b", "c", "d", "e"};
        for (int i = 0; i < 300; ++i) {
            std::vector<double> row;
            for (int j = 0; j < 5; ++j)
                row.push_back(double(std::uniform_int_distribution<int>(0, j == gene ? levels - 1 : 5)(rng)));
            const double v = row[std::size_t(gene)] / double(levels - 1);
            y.push_back(4.0 + (v - 0.4) * (v - 0.4)); // not monotone: a linear fit would miss part of it
            x.push_back(std::move(row));
        }
        const GeneImportanceReport r = geneImportance(x, y, names, names);
        QCOMPARE(r.candidates, 300);
        QCOMPARE(r.genes.size(), std::size_t(5));
        QCOMPARE(r.genes.front().gene, names[std::size_t(gene)]);
        QVERIFY2(r.genes.front().importance > 0.9, qPrintable(QString::number(r.genes.front().importance)));
        for (std::size_t k = 1; k < r.genes.size(); ++k)
            QVERIFY2(r.genes[k].importance < 0.05, r.genes[k].gene.c_str());
    }

    void importanceOfCandidatesFollowsTheirArchitectures() {
        // Fitness depends on the decoder's depth alone: dec_layers is first, by far.
        std::mt19937 rng(3);
        std::vector<CandidateRow> rows;
        for (int i = 0; i < 400; ++i) {
            const Architecture a = randomArch(rng);
            CandidateRow c;
            c.architecture.key = a.key();
            c.architecture.json = architectureToJson(a);
            c.fitness = 6.0 - 0.5 * a.decoder.depth();
            rows.push_back(c);
        }
        const GeneImportanceReport r = geneImportance(rows);
        QVERIFY(r.candidates < 400); // duplicates counted once
        QCOMPARE(r.genes.front().gene, std::string("dec_layers"));
        QVERIFY(r.genes.front().importance > 0.99);
        // Layer-wise means of the decoder (heads, FFN width, attention) reveal part of its depth (a mean of
        // 5.33 heads needs three layers), so they score too (measured: 0.37 to 0.57), but well below the
        // depth itself; encoder genes, drawn independently of it, explain nothing.
        QVERIFY(r.genes.at(1).importance < 0.8);
        for (const GeneImportance& g : r.genes)
            if (g.gene.rfind("enc_", 0) == 0) QVERIFY2(g.importance < 0.05, g.gene.c_str());
    }

    void importanceOfAConstantFitnessIsZero() {
        const GeneImportanceReport r =
            geneImportance({{1, 2}, {2, 2}, {3, 1}, {4, 1}}, {5, 5, 5, 5}, {"a", "b"}, {"A", "B"});
        for (const GeneImportance& g : r.genes)
            QCOMPARE(g.importance, 0.0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, geneImportance({{1}}, {1, 2}, {"a"}, {"A"}));
    }

    void candidatesCsvRoundTrips() {
        std::mt19937 rng(5);
        std::vector<CandidateRecord> records;
        for (int i = 0; i < 20; ++i) {
            const Architecture a = randomArch(rng);
            CandidateRow c;
            c.generation = i / 5;
            c.architecture.id = i + 1;
            c.architecture.key = a.key();
            c.architecture.json = architectureToJson(a);
            c.fitness = 4.0 + 1.0 / (i + 3.0); // not exact in decimal
            c.flops = 1.234567891234e8 * (i + 1);
            c.paramsActive = 1000003 * (i + 1);
            if (i % 3) c.latencyMs = 12.0 / (i + 7.0);
            if (i % 2) c.predictedLatencyMs = 0.1 * i;
            records.push_back(candidateRecord(c, i % 4 == 0));
        }
        records[1].key = "with, a comma and a \"quote\""; // quoting
        std::stringstream out;
        writeCandidatesCsv(out, records);
        const std::string text = out.str();
        QVERIFY(text.rfind("arch_id,arch_key,generation,fitness,flops,params_active,latency_ms,", 0) == 0);
        std::stringstream in(text);
        const std::vector<CandidateRecord> back = readCandidatesCsv(in);
        QCOMPARE(back.size(), records.size());
        for (std::size_t i = 0; i < records.size(); ++i)
            QVERIFY2(back[i] == records[i], qPrintable(QString::number(i)));
    }

    void candidatesCsvErrorsNameTheLineAndColumn() {
        std::stringstream out;
        writeCandidatesCsv(out, {});
        std::string text = out.str() + "1,k,0,abc,1,1,,,0";
        for (std::size_t i = 0; i < geneFeatures().size(); ++i)
            text += ",1";
        std::stringstream in(text + "\n");
        try {
            readCandidatesCsv(in);
            QFAIL("a bad fitness was read");
        } catch (const std::runtime_error& e) {
            QCOMPARE(QString(e.what()),
                     QString("candidates CSV line 2, column fitness: not a number \"abc\""));
        }
        std::stringstream header("id,key\n");
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, readCandidatesCsv(header));
    }
};

AUTOMOE_TEST_MAIN(TestSearchAnalysis)
#include "tst_search_analysis.moc"
