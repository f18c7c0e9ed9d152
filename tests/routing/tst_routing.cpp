// Per-token routing on a supernet trained for a few updates on a generated corpus: token typing; the
// routed sentence's shapes (one row per token and layer), a dense layer's gate of 1, top-k assignments,
// FFN FLOPs per token against hand-computed values, the greedy translation it routes, aggregates whose load
// sums to tokens x k; and `automoe route` (JSON, text, the validation list, clear errors).
#include "../nn/NnTestSupport.h"
#include "../support/SmallRun.h"
#include "cost/CostModel.h"
#include "eval/Routing.h"
#include "eval/Translation.h"
#include "nn/TorchRuntime.h"
#include "run/SupernetSource.h"
#include "run/TrainingRun.h"

#include "TestMain.h"
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace automoe;

namespace {

// The shared small corpus, with a number and a full stop (both token types get routed), and the small
// supernet trained for 6 updates.
std::string writeCorpus(const QString& dir) {
    testsupport::SmallCorpusOptions options;
    options.pairs = 200;
    options.seed = 5;
    options.withNumber = true;
    options.fullStop = true;
    return testsupport::writeSmallCorpus(dir.toStdString(), options);
}

TrainingRunConfig supernetConfig(const std::string& corpus) {
    TrainingRunConfig c = TrainingRunConfig::fromJson(testsupport::smallTrainingRunConfigJson(corpus));
    c.split.validSize = 12;
    c.split.testSize = 12;
    c.trainer.validationSentences = 12;
    c.maxUpdates = 6;
    c.validateEvery = 6;
    c.checkpointEvery = 6;
    c.routingEvery = 0;
    c.testSentences = 0;
    return c;
}

struct CliResult {
    int exitCode = -1;
    QByteArray out, err;
};

CliResult runCli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(AUTOMOE_CLI), args);
    p.waitForFinished(300000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

const std::string kMarker = "\xE2\x96\x81";

} // namespace

class TestRouting : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString db_;
    int64_t run_ = 0;

private slots:
    void initTestCase() {
        configureTorchThreads(1);
        QVERIFY(dir_.isValid());
        const std::string corpus = writeCorpus(dir_.path());
        db_ = dir_.path() + "/runs.sqlite";
        RunStore store(db_.toStdString());
        TrainingRun run(store, supernetConfig(corpus));
        QCOMPARE(run.execute(), RunStatus::Finished);
        run_ = run.id();
    }

    void typesTokens() {
        const std::vector<std::string> pieces = {kMarker + "Das",
                                                 kMarker + "ist",
                                                 kMarker + "ein",
                                                 kMarker + "klein",
                                                 "es",
                                                 kMarker + "Haus",
                                                 kMarker + "die",
                                                 "s",
                                                 kMarker + "1990",
                                                 "3,5",
                                                 kMarker + ".",
                                                 "\xE2\x80\x9C",
                                                 kMarker,
                                                 "</s>"};
        std::vector<std::string> got;
        for (TokenType t : tokenTypes(pieces))
            got.push_back(tokenTypeName(t));
        const std::vector<std::string> expected = {
            "function",     "function", "function", "word",        "continuation", "word", "word",
            "continuation", "number",   "number",   "punctuation", "punctuation",  "word", "special"};
        QCOMPARE(got, expected);
        // A function word followed by punctuation without a word marker is still a whole word.
        QCOMPARE(tokenTypes({kMarker + "the", "."}).front(), TokenType::Function);
        QCOMPARE(tokenTypes({"<s>"}).front(), TokenType::Special);
    }

    void routesEveryTokenThroughEveryLayer() {
        RunStore store(db_.toStdString());
        SupernetSource s = loadSupernet(store, run_);
        const Architecture arch = nntest::heterogeneousArch();
        s.model->setArchitecture(arch);
        s.model->train(); // routeSentences runs in eval mode and restores the flag
        const std::vector<std::string> sources = {"der hund sieht einen baum .", "klein ."};
        const auto routed = routeSentences(s.model, s.vocabulary, sources);
        QVERIFY(s.model->is_training());
        QVERIFY(!s.model->tracing());
        QCOMPARE(routed.size(), size_t(2));

        TranslateOptions to;
        to.decode.bosId = s.vocabulary.bosId();
        to.decode.eosId = s.vocabulary.eosId();
        for (size_t i = 0; i < routed.size(); ++i) {
            const RoutedSentence& r = routed[i];
            QCOMPARE(r.source, sources[i]);
            // Source tokens are the encoder's input (pieces and </s>); decoder inputs are <s> + the greedy
            // output.
            const auto ids = sourceIds(s.vocabulary, sources[i], 128);
            QCOMPARE(r.sourceTokens.size(), ids.size());
            QCOMPARE(r.sourceTokens.back().piece, std::string("</s>"));
            QCOMPARE(r.sourceTokens.back().type, TokenType::Special);
            const auto hyp = translateIds(*s.model, {ids}, to).front();
            QCOMPARE(r.targetTokens.size(), hyp.tokens.size() + 1);
            QCOMPARE(r.targetTokens.front().id, s.vocabulary.bosId());
            for (size_t t = 0; t < hyp.tokens.size(); ++t)
                QCOMPARE(int64_t(r.targetTokens[t + 1].id), hyp.tokens[t]);
            QCOMPARE(r.translation,
                     s.vocabulary.decode(std::vector<int>(hyp.tokens.begin(), hyp.tokens.end())));

            QCOMPARE(r.layers.size(), size_t(3));
            const RoutedLayer& moe = r.layers[0];
            const RoutedLayer& dense = r.layers[1];
            const RoutedLayer& top2 = r.layers[2];
            QCOMPARE(moe.stack, Stack::Encoder);
            QCOMPARE(dense.stack, Stack::Encoder);
            QCOMPARE(top2.stack, Stack::Decoder);
            QCOMPARE(moe.tokens.size(), r.sourceTokens.size());
            QCOMPARE(top2.tokens.size(), r.targetTokens.size());
            for (size_t t = 0; t < r.sourceTokens.size(); ++t) {
                // A dense layer: expert 0, its width, gate 1.
                QCOMPARE(dense.tokens[t].size(), size_t(1));
                QCOMPARE(dense.tokens[t][0].expert, 0);
                QCOMPARE(dense.tokens[t][0].width, 24);
                QCOMPARE(dense.tokens[t][0].gate, 1.0f);
                QCOMPARE(moe.tokens[t].size(), size_t(1));
                const RoutedAssignment& a = moe.tokens[t][0];
                QVERIFY(a.expert == 0 || a.expert == 1);
                QCOMPARE(a.width, a.expert == 0 ? 16 : 8);
                QVERIFY(a.gate >= 0.5f && a.gate <= 1.0f); // top-1 of two: the larger probability
                // FLOPs: router 2*12*2 + chosen expert 4*12*w, dense 4*12*24.
                QCOMPARE(r.sourceTokens[t].flops, 48.0 + 4.0 * 12 * a.width + 4.0 * 12 * 24);
            }
            for (size_t t = 0; t < r.targetTokens.size(); ++t) {
                QCOMPARE(top2.tokens[t].size(), size_t(2));
                const auto& [first, second] = std::pair(top2.tokens[t][0], top2.tokens[t][1]);
                QVERIFY(first.expert != second.expert);
                QVERIFY(first.gate >= second.gate);
                QVERIFY(first.gate + second.gate <= 1.0001f);
                QVERIFY(!first.dropped && !second.dropped); // no capacity limit by default
                QCOMPARE(r.targetTokens[t].flops, 2.0 * 16 * 3 + 4.0 * 16 * (first.width + second.width));
            }
        }

        // The MoE part matches the cost model fed the same sentence's measured routing.
        {
            const RoutingAggregate one = aggregateRouting({routed[0]});
            RoutingProfile profile;
            profile.encoder.resize(2);
            profile.decoder.resize(1);
            for (const auto& l : one.layers) {
                auto& dst = (l.stack == Stack::Encoder ? profile.encoder : profile.decoder)[size_t(l.layer)];
                for (int64_t c : l.load)
                    dst.push_back(double(c) / double(l.tokens));
            }
            CostOptions o;
            o.srcLen = int(routed[0].sourceTokens.size());
            o.tgtLen = int(routed[0].targetTokens.size());
            o.routing = &profile;
            double ours = 0;
            for (const auto& t : routed[0].sourceTokens)
                ours += t.flops - 4.0 * 12 * 24; // minus the dense layer
            for (const auto& t : routed[0].targetTokens)
                ours += t.flops;
            const double model = CostModel::evaluate(arch, o).flopsMoE;
            QVERIFY2(std::abs(model - ours) <= 1e-9 * ours,
                     qPrintable(QString("%1 vs %2").arg(model).arg(ours)));
        }

        const RoutingAggregate agg = aggregateRouting(routed);
        QCOMPARE(agg.sentences, size_t(2));
        QCOMPARE(agg.layers.size(), size_t(3));
        const int64_t sourceTokens = int64_t(routed[0].sourceTokens.size() + routed[1].sourceTokens.size());
        const int64_t targetTokens = int64_t(routed[0].targetTokens.size() + routed[1].targetTokens.size());
        for (const auto& l : agg.layers) {
            const int64_t tokens = l.stack == Stack::Encoder ? sourceTokens : targetTokens;
            QCOMPARE(l.tokens, tokens);
            QCOMPARE(std::accumulate(l.load.begin(), l.load.end(), int64_t(0)), tokens * l.topK);
        }
        QCOMPARE(agg.layers[1].load, std::vector<int64_t>{sourceTokens});
        int64_t typed = 0;
        double flops = 0;
        for (const auto& b : agg.encoderByType) {
            typed += b.tokens;
            flops += b.flops;
        }
        QCOMPARE(typed, sourceTokens);
        double expected = 0;
        for (const auto& r : routed)
            for (const auto& t : r.sourceTokens)
                expected += t.flops;
        QCOMPARE(flops, expected);
        QCOMPARE(agg.encoderByType[size_t(TokenType::Special)].tokens, int64_t(2)); // two </s>
        QCOMPARE(agg.decoderByType[size_t(TokenType::Special)].tokens, int64_t(2)); // two <s>

        const auto j = routedSentenceToJson(routed[0]);
        QCOMPARE(j["layers"].size(), size_t(3));
        QCOMPARE(j["layers"][1]["gate"][0][0].get<double>(), 1.0);
        QCOMPARE(j["layers"][0]["router_flops"].get<double>(), 48.0);
        QCOMPARE(j["source_tokens"].size(), routed[0].sourceTokens.size());
    }

    void cliPrintsJsonForASentenceAndValidationAggregates() {
        const CliResult r =
            runCli({"route", "--run", QString::number(run_), "--db", db_, "--sentence",
                    "der hund sieht einen baum .", "--valid", "5", "--json", "--threads", "1"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["run"].get<int64_t>(), run_);
        QCOMPARE(j["arch"].get<std::string>(), std::string("largest"));
        QVERIFY(j["flops_counted"].get<std::string>().find("FFN/MoE layers only") == 0);
        QCOMPARE(j["sentences"].size(), size_t(1));
        const auto& s = j["sentences"][0];
        QCOMPARE(s["origin"].get<std::string>(), std::string("input"));
        const SearchSpace space = nntest::smallSpace();
        const Architecture largest = space.largest();
        QCOMPARE(s["layers"].size(), size_t(largest.encoder.depth() + largest.decoder.depth()));
        for (const auto& l : s["layers"]) {
            const bool enc = l["stack"] == "encoder";
            QCOMPARE(l["expert"].size(), (enc ? s["source_tokens"] : s["target_tokens"]).size());
            for (const auto& k : l["expert"])
                QCOMPARE(int(k.size()), l["top_k"].get<int>());
        }
        const auto& agg = j["aggregate"];
        QCOMPARE(agg["over"].get<std::string>(), std::string("valid"));
        QCOMPARE(agg["sentences"].get<int>(), 5);
        for (const auto& l : agg["layers"]) {
            int64_t sum = 0;
            for (const auto& v : l["load"])
                sum += v.get<int64_t>();
            QCOMPARE(sum, l["tokens"].get<int64_t>() * l["top_k"].get<int64_t>());
        }
        QCOMPARE(agg["flops_by_type"].size(), size_t(2 * kTokenTypeCount));

        const CliResult text = runCli({"route", "--run", QString::number(run_), "--db", db_, "--arch",
                                       "smallest", "--sentence", "klein .", "--threads", "1"});
        QVERIFY2(text.exitCode == 0, text.err.constData());
        QVERIFY(text.out.contains("smallest subnet"));
        QVERIFY(text.out.contains("mean FFN/MoE FLOPs per token by type"));
    }

    void cliListsValidationSentences() {
        const CliResult r =
            runCli({"route", "--run", QString::number(run_), "--db", db_, "--list-valid", "3", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["valid"].size(), size_t(3));
        QVERIFY(!j["valid"][2]["source"].get<std::string>().empty());
    }

    void cliErrorsNameTheProblem() {
        const CliResult unknown = runCli({"route", "--run", "99", "--db", db_, "--sentence", "x"});
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY2(unknown.err.contains("no run 99"), unknown.err.constData());
        const CliResult empty =
            runCli({"route", "--run", QString::number(run_), "--db", db_, "--sentence", " "});
        QCOMPARE(empty.exitCode, 1);
        QVERIFY2(empty.err.contains("--sentence: the sentence is empty"), empty.err.constData());
        const CliResult nothing = runCli({"route", "--run", QString::number(run_), "--db", db_});
        QCOMPARE(nothing.exitCode, 1);
        QVERIFY2(nothing.err.contains("give --sentence TEXT and/or --valid N"), nothing.err.constData());
        const CliResult badArch = runCli({"route", "--run", QString::number(run_), "--db", db_, "--sentence",
                                          "x", "--arch", "search:abc:1"});
        QCOMPARE(badArch.exitCode, 1);
        QVERIFY2(badArch.err.contains("'abc' is not a run id"), badArch.err.constData());
    }
};

AUTOMOE_TEST_MAIN(TestRouting)
#include "tst_routing.moc"
