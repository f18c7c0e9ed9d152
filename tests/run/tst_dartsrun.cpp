// DARTS runs end to end on a small generated corpus (issue 13): a search stores alpha after every update and
// derives an architecture; a search stopped and resumed continues exactly as the uninterrupted one; the
// derived architecture retrains as an ordinary Transformer on the search's split and reports test BLEU and
// chrF; bad settings and wrong runs are refused by name; and the real CLI searches, derives and refuses.
#include "../support/SmallRun.h"
#include "nn/DartsSearchNetwork.h"
#include "nn/DartsTransformer.h"
#include "run/DartsRun.h"
#include "store/RunReader.h"
#include "store/RunStore.h"

#include "TestMain.h"
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <fstream>

using namespace automoe;
using json = nlohmann::json;

namespace {

json smallDartsSpaceJson() {
    return {{"encoder", {{"candidates", {"conv3", "self_attention", "ffn", "zero", "identity"}}}},
            {"decoder",
             {{"candidates", {"conv3", "self_attention", "ffn", "zero", "identity", "ende_attention"}}}}};
}

DartsRunConfig smallConfig(const std::string& corpus, int64_t updates) {
    json j = {{"kind", "darts"},
              {"corpus", corpus},
              {"darts_space", smallDartsSpaceJson()},
              {"split", {{"valid", 20}, {"test", 20}, {"max_fraction", 0.2}}},
              {"vocabulary", {{"size", 60}}},
              {"hidden", 16},
              {"heads", 2},
              {"splits", 2},
              {"encoder_layers", 1},
              {"decoder_layers", 2},
              {"max_tokens", 200},
              {"lr", {{"peak", 3e-3}, {"warmup_updates", 5}}},
              {"alpha_lr", 3e-2},
              {"seed", 4},
              {"max_updates", updates},
              {"validate_every", 3},
              {"validation_sentences", 20},
              {"checkpoint_every", 3},
              {"test_sentences", 5}};
    return DartsRunConfig::fromJson(j);
}

std::vector<Event> eventsOf(RunReader& store, int64_t run, const std::string& type) {
    std::vector<Event> out;
    for (const Event& e : store.events(run))
        if (e.type == type) out.push_back(e);
    return out;
}

std::pair<int, QString> cli(const QStringList& args, QString* err = nullptr) {
    QProcess p;
    p.start(AUTOMOE_CLI, args);
    if (!p.waitForFinished(300000)) return {-1, {}};
    if (err) *err = QString::fromUtf8(p.readAllStandardError());
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput())};
}

} // namespace

class TestDartsRun : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string corpus_, db_;
    int64_t search_ = 0; // the 6-update search the later tests read

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        corpus_ = testsupport::writeSmallCorpus(dir_.path().toStdString());
        db_ = dir_.filePath("runs.sqlite").toStdString();
    }

    void searchStoresAlphaAfterEveryUpdateAndDerives() {
        RunStore store(db_);
        DartsRun run(store, smallConfig(corpus_, 6));
        search_ = run.id();
        QCOMPARE(run.execute(), RunStatus::Finished);
        store.flush();
        RunReader reader(db_);
        const auto alpha = eventsOf(reader, run.id(), "darts_alpha");
        QCOMPARE(alpha.size(), size_t(6));
        for (size_t i = 0; i < alpha.size(); ++i) {
            QCOMPARE(alpha[i].payload["update"].get<int64_t>(), int64_t(i + 1));
            const auto enc = alpha[i].payload["encoder"].get<EdgeWeights>();
            const auto dec = alpha[i].payload["decoder"].get<EdgeWeights>();
            QCOMPARE(enc.size(), size_t(1));
            QCOMPARE(dec.size(), size_t(2));
            QCOMPARE(enc[0].size(), size_t(2)); // splits
            QCOMPARE(enc[0][0].size(), size_t(5));
            QCOMPARE(dec[1][1].size(), size_t(6));
            double sum = 0;
            for (double v : dec[1][1])
                sum += v;
            QVERIFY(std::abs(sum - 1) < 1e-5);
        }
        // alpha moved (rate 3e-2): the first update's weights differ from the last's
        QVERIFY(alpha.front().payload["encoder"] != alpha.back().payload["encoder"]);
        QCOMPARE(reader.trainingSteps(run.id()).size(), size_t(6));
        const auto valid = reader.validations(run.id());
        QCOMPARE(valid.size(), size_t(2)); // updates 3 and 6
        QCOMPARE(valid[0].subnet, std::string("supernet"));
        QVERIFY(valid[1].loss > 0 && std::isfinite(valid[1].loss));
        const auto derived = eventsOf(reader, run.id(), "darts_derived");
        QCOMPARE(derived.size(), size_t(1));
        const DartsArchitecture a = dartsArchitectureFromJson(derived[0].payload["architecture"], "event");
        QVERIFY(run.derived() && *run.derived() == a);
        QCOMPARE(a.searchRun, run.id());
        QCOMPARE(a.searchStep, int64_t(6));
        QCOMPARE(derived[0].payload["key"].get<std::string>(),
                 alpha.back().payload["derived"].get<std::string>());
        QVERIFY(derivedArchitecture(reader, run.id()) == a);
        QCOMPARE(eventsOf(reader, run.id(), "darts_setup").size(), size_t(1));
        QCOMPARE(reader.checkpoints(run.id()).size(), size_t(2));
    }

    void resumedSearchContinuesExactly() {
        QVERIFY(search_ > 0);
        RunStore store(db_);
        int64_t id = 0;
        {
            DartsRun first(store, smallConfig(corpus_, 4)); // checkpoints at 3 and (stopping) 4
            id = first.id();
            QCOMPARE(first.execute(), RunStatus::Finished);
        }
        {
            auto resumed = DartsRun::resume(store, id, 6);
            QCOMPARE(resumed->execute(), RunStatus::Finished);
        }
        store.flush();
        RunReader reader(db_);
        const auto straight = eventsOf(reader, search_, "darts_alpha");
        const auto again = eventsOf(reader, id, "darts_alpha");
        QCOMPARE(again.size(), size_t(6));
        for (size_t u = 0; u < 6; ++u) { // updates 1-4 before the stop, 5-6 after the resume
            QCOMPARE(again[u].payload["update"], straight[u].payload["update"]);
            QCOMPARE(again[u].payload["encoder"], straight[u].payload["encoder"]);
            QCOMPARE(again[u].payload["decoder"], straight[u].payload["decoder"]);
            QCOMPARE(again[u].payload["alpha_loss"].get<double>(),
                     straight[u].payload["alpha_loss"].get<double>());
        }
        const auto a = reader.trainingSteps(search_), b = reader.trainingSteps(id);
        QCOMPARE(b.size(), a.size());
        for (size_t u = 0; u < a.size(); ++u)
            QCOMPARE(b[u].loss, a[u].loss);
        QCOMPARE(eventsOf(reader, id, "resumed").size(), size_t(1));
        QCOMPARE(derivedArchitecture(reader, id).key(), derivedArchitecture(reader, search_).key());
    }

    void derivedArchitectureRetrainsAndReportsBleu() {
        QVERIFY(search_ > 0);
        RunStore store(db_);
        const DartsArchitecture arch = derivedArchitecture(store, search_);
        DartsRunConfig c = dartsRetrainConfig(store, search_, arch);
        c.maxUpdates = 4;
        DartsRun run(store, c);
        QCOMPARE(run.execute(), RunStatus::Finished);
        store.flush();
        RunReader reader(db_);
        QCOMPARE(reader.requireRun(run.id()).spec.kind, std::string("darts_retrain"));
        // the search's split
        QCOMPARE(eventsOf(reader, run.id(), "data")[0].payload["split"],
                 eventsOf(reader, search_, "data")[0].payload["split"]);
        const auto model = eventsOf(reader, run.id(), "darts_model");
        QCOMPARE(model.size(), size_t(1));
        DartsModelConfig mc;
        mc.vocabSize = eventsOf(reader, search_, "data")[0].payload["vocabulary"]["size"].get<int64_t>();
        mc.padIndex = 0;
        mc.arch = arch;
        QCOMPARE(model[0].payload["params"].get<int64_t>(), DartsTransformer(mc)->parameterCount());
        QCOMPARE(reader.trainingSteps(run.id()).size(), size_t(4));
        const auto bleu = eventsOf(reader, run.id(), "test_bleu");
        QCOMPARE(bleu.size(), size_t(1));
        QCOMPARE(bleu[0].payload["subnet"].get<std::string>(), std::string("derived"));
        QCOMPARE(bleu[0].payload["sentences"].get<int64_t>(), int64_t(5));
        QVERIFY(bleu[0].payload["bleu"].get<double>() >= 0);
        QVERIFY(bleu[0].payload["chrf"].get<double>() >= 0);
    }

    // A damaged latest checkpoint: the resume fails with the file's name, stores the error, and nothing
    // crashes.
    void damagedCheckpointFailsTheResumeByName() {
        RunStore store(db_);
        int64_t id = 0;
        {
            DartsRun first(store, smallConfig(corpus_, 2));
            id = first.id();
            QCOMPARE(first.execute(), RunStatus::Finished);
        }
        const auto last = store.lastCheckpoint(id);
        QVERIFY(last);
        {
            std::ofstream damage(last->path, std::ios::binary | std::ios::trunc);
            damage << "not a checkpoint";
        }
        auto resumed = DartsRun::resume(store, id, 4);
        QCOMPARE(resumed->execute(), RunStatus::Failed);
        // Its only checkpoint: nothing to fall back to.
        const QString expected =
            QString("run %1 has no usable checkpoint: checkpoint %2 is truncated or not a "
                    "checkpoint (16 bytes)")
                .arg(id)
                .arg(QString::fromStdString(last->path));
        QCOMPARE(QString::fromStdString(resumed->error()), expected);
    }

    // DARTS checkpoints carry the checksum header of supernet checkpoints, and the two newest are kept: a
    // flipped byte in the latest is detected, the resume warns, sets it aside and continues from the one
    // before, and the retrained updates give exactly the uninterrupted search's losses.
    void damagedLatestCheckpointFallsBackToThePreviousOne() {
        QVERIFY(search_ > 0);
        RunStore store(db_);
        int64_t id = 0;
        {
            DartsRun first(store, smallConfig(corpus_, 6)); // checkpoints at 3 and 6
            id = first.id();
            QCOMPARE(first.execute(), RunStatus::Finished);
        }
        store.flush();
        const auto checkpoints = store.checkpoints(id);
        QCOMPARE(checkpoints.size(), size_t(2));
        QCOMPARE(checkpoints[0].update, int64_t(3));
        const std::string latest = checkpoints[1].path, previous = checkpoints[0].path;
        {
            QFile f(QString::fromStdString(latest));
            QVERIFY(f.open(QIODevice::ReadWrite));
            QCOMPARE(f.read(8), QByteArray("AMOECKPT"));
            QVERIFY(f.seek(f.size() / 2));
            char c = 0;
            QVERIFY(f.getChar(&c));
            QVERIFY(f.seek(f.size() / 2));
            QVERIFY(f.putChar(char(c ^ 0x10)));
        }
        auto resumed = DartsRun::resume(store, id, 6);
        QCOMPARE(resumed->execute(), RunStatus::Finished);
        store.flush();
        QVERIFY(QFile::exists(QString::fromStdString(latest + ".damaged")));
        QFile::remove(QString::fromStdString(latest + ".damaged"));
        RunReader reader(db_);
        const auto again = eventsOf(reader, id, "resumed");
        QCOMPARE(again.size(), size_t(1));
        QCOMPARE(again[0].payload["from_update"].get<int64_t>(), int64_t(3));
        QCOMPARE(again[0].payload["checkpoint"].get<std::string>(), previous);
        QCOMPARE(again[0].payload["damaged"][0]["path"].get<std::string>(), latest);
        QVERIFY2(QString::fromStdString(again[0].payload["damaged"][0]["error"].get<std::string>())
                     .startsWith(QString::fromStdString("checkpoint " + latest + " is damaged: CRC-32 ")),
                 again[0].payload.dump().c_str());
        const auto a = reader.trainingSteps(search_), b = reader.trainingSteps(id);
        QCOMPARE(b.size(), a.size());
        for (size_t u = 0; u < a.size(); ++u)
            QCOMPARE(b[u].loss, a[u].loss); // updates 4-6 retrained from checkpoint 3
        QCOMPARE(reader.lastCheckpoint(id)->update, int64_t(6));
        QCOMPARE(reader.checkpoints(id).size(), size_t(2));
    }

    // With alpha_warmup 3 the first three updates train the weights only: alpha stays at its initial value
    // (the same in every event), then moves.
    void alphaWarmupHoldsAlphaThenLetsItMove() {
        RunStore store(db_);
        DartsRunConfig c = smallConfig(corpus_, 5);
        c.alphaWarmup = 3;
        DartsRun run(store, c);
        QCOMPARE(run.execute(), RunStatus::Finished);
        store.flush();
        RunReader reader(db_);
        const auto alpha = eventsOf(reader, run.id(), "darts_alpha");
        QCOMPARE(alpha.size(), size_t(5));
        QCOMPARE(alpha[1].payload["encoder"], alpha[0].payload["encoder"]);
        QCOMPARE(alpha[2].payload["decoder"], alpha[0].payload["decoder"]);
        QCOMPARE(alpha[2].payload["alpha_loss"].get<double>(), 0.0);
        QVERIFY(alpha[3].payload["encoder"] != alpha[2].payload["encoder"]);
        QVERIFY(alpha[3].payload["alpha_loss"].get<double>() > 0);
        QCOMPARE(reader.requireRun(run.id()).spec.config["alpha_warmup"].get<int64_t>(), int64_t(3));
    }

    void wrongRunsAndSettingsAreRefusedByName() {
        RunStore store(db_);
        const int64_t other = store.createRun({"a search", "search", json::object(), {}, {}, 1});
        try {
            DartsRun::resume(store, other);
            QFAIL("no error");
        } catch (const std::runtime_error& e) {
            QCOMPARE(QString(e.what()),
                     QString("run %1 is a search run, not a DARTS run: resume it with `automoe "
                             "search --resume %1`")
                         .arg(other));
        }
        try {
            derivedArchitecture(store, other);
            QFAIL("no error");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("not a darts run"), e.what());
        }
        DartsRunConfig c = smallConfig(corpus_, 2);
        c.splits = 3;
        try {
            DartsRun run(store, c);
            QFAIL("no error");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(QString(e.what()), QString("splits: 3 splits do not divide hidden 16"));
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, DartsRunConfig::fromJson({{"kind", "supernet"}}));
    }

    void cliSearchesDerivesAndRefuses() {
        const QString db = dir_.filePath("cli.sqlite");
        QString err;
        auto [code, out] = cli({"darts", "--corpus", QString::fromStdString(corpus_), "--updates", "2",
                                "--hidden", "16", "--heads", "2", "--layers", "1", "--max-tokens", "200",
                                "--vocab-size", "60", "--validate-every", "2", "--db", db},
                               &err);
        QVERIFY2(code == 0, qPrintable(err));
        const json announced = json::parse(out.split('\n').first().toStdString());
        const int64_t id = announced["run_id"].get<int64_t>();
        QCOMPARE(announced["kind"].get<std::string>(), std::string("darts"));
        QVERIFY2(out.contains("derived: enc["), qPrintable(out));
        const QString file = dir_.filePath("arch.json");
        std::tie(code, out) =
            cli({"darts", "derive", "--run", QString::number(id), "--db", db, "-o", file}, &err);
        QVERIFY2(code == 0, qPrintable(err));
        const DartsArchitecture a = loadDartsArchitecture(file.toStdString());
        QCOMPARE(a.searchRun, id);
        QCOMPARE(a.hidden, int64_t(16));
        std::tie(code, out) = cli({"darts", "derive", "--run", "999", "--db", db}, &err);
        QCOMPARE(code, 1);
        QVERIFY2(err.startsWith("automoe: error: no run 999"), qPrintable(err));
        std::tie(code, out) = cli({"darts", "--corpus", QString::fromStdString(corpus_), "--hidden", "16",
                                   "--splits", "3", "--updates", "1", "--db", db},
                                  &err);
        QCOMPARE(code, 1);
        QVERIFY2(err.contains("splits: 3 splits do not divide hidden 16"), qPrintable(err));
    }
};

AUTOMOE_TEST_MAIN(TestDartsRun)
#include "tst_dartsrun.moc"
