// Pins the analysis the workbench draws over a search's candidates: the hypervolume after each generation
// (a hand-computed small front), the gene features of a hand-built architecture, gene importance (a fitness
// that depends on one gene alone ranks that gene first, and of two compared searches each one's own gene,
// also through `automoe search importance --run A --run B`) and the candidates CSV (a write / read round trip
// and errors naming the line and column).
#include "search/CandidateCsv.h"
#include "search/GeneFeatures.h"
#include "search/GeneImportance.h"
#include "search/Pareto.h"
#include "space/ArchitectureIO.h"
#include "store/RunStore.h"

#include "CliTestSupport.h"
#include "TestMain.h"
#include <QtTest/QtTest>
#include <algorithm>
#include <random>
#include <set>
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

    void importanceOfComparedSearchesRanksEachOnesOwnGeneFirst() {
        // Two synthetic searches over the same genes: fitness follows gene "b" in the first, "d" in the
        // second. Each report ranks its own gene first; side by side they share one gene order (by the mean
        // importance) with each search's values as its own report gave them.
        const std::vector<std::string> names = {"a", "b", "c", "d", "e"};
        const std::vector<std::string> labels = {"A", "B", "C", "D", "E"};
        auto search = [&](std::size_t driver, unsigned seed, int n) {
            std::mt19937 rng(seed);
            std::vector<std::vector<double>> x;
            std::vector<double> y;
            for (int i = 0; i < n; ++i) {
                std::vector<double> row;
                for (std::size_t j = 0; j < names.size(); ++j)
                    row.push_back(double(std::uniform_int_distribution<int>(0, 3)(rng)));
                y.push_back(5.0 - 0.3 * row[driver]);
                x.push_back(std::move(row));
            }
            return geneImportance(x, y, names, labels);
        };
        const GeneImportanceReport first = search(1, 11, 200), second = search(3, 12, 150);
        QCOMPARE(first.genes.front().gene, std::string("b"));
        QCOMPARE(second.genes.front().gene, std::string("d"));
        const GeneImportanceComparison c = compareGeneImportance({first, second});
        QCOMPARE(c.genes.size(), names.size());
        QCOMPARE(c.importance.size(), std::size_t(2));
        QCOMPARE(c.candidates, (std::vector<int>{200, 150}));
        // Both driving genes (importance 1 in their own search, ~0 in the other) lead; "b" first on the tie
        // of means within rounding is not pinned, only that the two lead.
        QVERIFY((c.genes[0] == "b" && c.genes[1] == "d") || (c.genes[0] == "d" && c.genes[1] == "b"));
        for (std::size_t s = 0; s < 2; ++s) {
            const GeneImportanceReport& r = s == 0 ? first : second;
            for (const GeneImportance& g : r.genes) {
                const std::size_t k =
                    std::size_t(std::find(c.genes.begin(), c.genes.end(), g.gene) - c.genes.begin());
                QVERIFY2(k < c.genes.size(), g.gene.c_str());
                QCOMPARE(c.importance[s][k], g.importance);
                QCOMPARE(c.labels[k], g.label);
            }
            // Each search's largest bar is its own driving gene.
            const auto top = std::max_element(c.importance[s].begin(), c.importance[s].end());
            QCOMPARE(c.genes[std::size_t(top - c.importance[s].begin())],
                     s == 0 ? std::string("b") : std::string("d"));
            QVERIFY(*top > 0.99);
        }
        // A gene one report lacks is 0 there; no report, no genes.
        GeneImportanceReport partial;
        partial.genes = {GeneImportance{"z", "Z", 0.5, 0.6, 3}};
        const GeneImportanceComparison withPartial = compareGeneImportance({first, partial});
        QCOMPARE(withPartial.genes.size(), names.size() + 1);
        const std::size_t z = std::size_t(std::find(withPartial.genes.begin(), withPartial.genes.end(), "z") -
                                          withPartial.genes.begin());
        QCOMPARE(withPartial.importance[0][z], 0.0);
        QCOMPARE(withPartial.importance[1][z], 0.5);
        QVERIFY(compareGeneImportance({}).genes.empty());
    }

    void importanceCommandShowsSearchesSideBySide() {
        // Two search runs in a database: fitness follows the decoder's depth in the first and the encoder's
        // embedding width in the second. `search importance --run A --run B --json` gives both, in one gene
        // order, each leading with its own gene; text output has a column per run.
        QTemporaryDir dir;
        const QString db = dir.filePath("runs.sqlite");
        std::int64_t runs[2] = {0, 0};
        {
            RunStore store(db.toStdString());
            std::mt19937 rng(21);
            for (int s = 0; s < 2; ++s) {
                RunSpec spec;
                spec.name = "search " + std::to_string(s);
                spec.kind = "search";
                runs[s] = store.createRun(spec);
                for (int i = 0; i < 150; ++i) {
                    const Architecture a = randomArch(rng);
                    CandidateRow c;
                    c.generation = i / 50;
                    c.architecture.key = a.key();
                    c.architecture.json = architectureToJson(a);
                    c.fitness = s == 0 ? 6.0 - 0.5 * a.decoder.depth() : 6.0 - a.encoder.embedDim / 640.0;
                    c.flops = 1e6 * (i + 1);
                    store.append(Event::candidate(runs[s], c));
                }
            }
            store.flush();
        }
        const QString a = QString::number(runs[0]), b = QString::number(runs[1]);
        const clitest::CliResult r = clitest::runCli(
            {"search", "importance", "--run", a, "--run", b, "--db", db, "--json"}, dir.path(), 0, 60000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const nlohmann::json j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j.at("runs"), (nlohmann::json{runs[0], runs[1]}));
        const nlohmann::json& genes = j.at("genes");
        QCOMPARE(genes.size(), geneFeatures().size());
        for (std::size_t s = 0; s < 2; ++s) {
            // This run's largest bar is its own gene, as its single-run report ranks it.
            std::size_t best = 0;
            for (std::size_t k = 0; k < genes.size(); ++k)
                if (genes[k].at("importance")[s].get<double>() >
                    genes[best].at("importance")[s].get<double>())
                    best = k;
            const std::string own = s == 0 ? "dec_layers" : "enc_embed";
            QCOMPARE(genes[best].at("gene").get<std::string>(), own);
            const nlohmann::json& single = j.at("searches")[s];
            QCOMPARE(single.at("run").get<std::int64_t>(), runs[s]);
            QCOMPARE(single.at("genes")[0].at("gene").get<std::string>(), own);
        }
        // The two driving genes lead the shared order.
        const std::set<std::string> top = {genes[0].at("gene").get<std::string>(),
                                           genes[1].at("gene").get<std::string>()};
        QCOMPARE(top, (std::set<std::string>{"dec_layers", "enc_embed"}));
        // Text: a header with a column per run, one line per gene.
        const clitest::CliResult text = clitest::runCli(
            {"search", "importance", "--run", a, "--run", b, "--db", db}, dir.path(), 0, 60000);
        QVERIFY2(text.exitCode == 0, qPrintable(text.err));
        QVERIFY2(text.out.contains(QRegularExpression("GENE\\s+run " + a + "\\s+run " + b)),
                 qPrintable(text.out));
        QVERIFY2(text.out.contains(QRegularExpression("candidates\\s+\\d+\\s+\\d+")), qPrintable(text.out));
        // One run alone keeps its format.
        const clitest::CliResult one =
            clitest::runCli({"search", "importance", "--run", a, "--db", db, "--json"}, dir.path(), 0, 60000);
        QVERIFY2(one.exitCode == 0, qPrintable(one.err));
        QCOMPARE(nlohmann::json::parse(one.out.toStdString()).at("run").get<std::int64_t>(), runs[0]);
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
            records.push_back(candidateRecord(c, i % 4 == 0, i < 12 ? 3 : 7)); // two searches
        }
        records[1].key = "with, a comma and a \"quote\""; // quoting
        std::stringstream out;
        writeCandidatesCsv(out, records);
        const std::string text = out.str();
        QVERIFY(text.rfind("run,arch_id,arch_key,generation,fitness,flops,params_active,latency_ms,", 0) ==
                0);
        QVERIFY(text.find("\n7,13,") != std::string::npos); // run 7's first record: its run, then its id
        std::stringstream in(text);
        const std::vector<CandidateRecord> back = readCandidatesCsv(in);
        QCOMPARE(back.size(), records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            QVERIFY2(back[i] == records[i], qPrintable(QString::number(i)));
            QCOMPARE(back[i].run, std::int64_t(i < 12 ? 3 : 7));
        }
        // A file written before the run column reads too, every run 0.
        std::string old = text.substr(text.find(',') + 1);
        for (std::size_t at = old.find('\n'); at != std::string::npos && at + 1 < old.size();
             at = old.find('\n', at + 1))
            old.erase(at + 1, old.find(',', at + 1) - at); // each record's run field and its comma
        QVERIFY(old.rfind("arch_id,arch_key,", 0) == 0);
        std::stringstream oldIn(old);
        const std::vector<CandidateRecord> oldBack = readCandidatesCsv(oldIn);
        QCOMPARE(oldBack.size(), records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            CandidateRecord expected = records[i];
            expected.run = 0;
            QVERIFY2(oldBack[i] == expected, qPrintable(QString::number(i)));
        }
    }

    void candidatesCsvErrorsNameTheLineAndColumn() {
        std::stringstream out;
        writeCandidatesCsv(out, {});
        std::string text = out.str() + "2,1,k,0,abc,1,1,,,0";
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
        // The old header (no run column) names the same column.
        std::string oldText = text.substr(text.find(',') + 1); // "arch_id,...\n2,1,k,0,abc,..."
        oldText.erase(oldText.find('\n') + 1, 2);              // "arch_id,...\n1,k,0,abc,..."
        std::stringstream oldFormat(oldText);
        try {
            readCandidatesCsv(oldFormat);
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
