// The CLI's error contract, through the real `automoe`: every subcommand run against a matrix of bad inputs
// (a missing, empty or binary file, JSON of the wrong types, --db at garbage, a directory, an unwritable
// place or a newer schema, --run of a missing id or of the wrong kind, out-of-range numbers) ends with a
// non-zero exit status, not a signal, an error on stderr that names the file, field or id, and leaves every
// database it was pointed at byte for byte as it was. The number of cases tried is printed.
#include "CliTestSupport.h"
#include "store/Database.h"
#include "store/RunStore.h"

#include "TestMain.h"
#include <QDir>
#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <memory>

using namespace automoe;
using namespace clitest;

namespace {

struct Case {
    QString name;
    QStringList args;
    QStringList expect; // every one of these is on stderr
    QString stdinText;  // fed to stdin (empty: closed at once)
};

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    f.write(bytes);
}

} // namespace

class TestCliErrors : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

    QString path(const QString& name) const { return dir_.path() + "/" + name; }

private slots:
    void errorMatrix() {
        QVERIFY(dir_.isValid());
        // The good database: a supernet run trained for one update (with its checkpoint), a run of another
        // kind stored without executing it.
        const QString db = path("runs.sqlite");
        const CliResult trained = runCli({"train", "--corpus", "sample", "--space", "tiny", "--updates", "1",
                                          "--checkpoint-every", "1", "--vocab-size", "200", "--max-tokens",
                                          "300", "--test-sentences", "0", "--threads", "1", "--db", db},
                                         dir_.path());
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
        {
            RunStore store(db.toStdString());
            RunSpec spec;
            spec.kind = "latency";
            spec.name = "stored only";
            spec.config = {{"supernet_run", 1}};
            QCOMPARE(store.createRun(spec), int64_t(2));
        }

        // Bad files.
        const QString missing = path("missing.json"), empty = path("empty.json"),
                      garbage = path("garbage.bin");
        writeFile(empty, {});
        QByteArray bytes;
        for (int i = 0; i < 512; ++i)
            bytes.append(char((i * 37 + 11) & 0xFF));
        writeFile(garbage, bytes);
        const QString garbageJson = path("garbage.json"), garbageYml = path("garbage.yml");
        writeFile(garbageJson, bytes);
        writeFile(garbageYml, bytes);
        const QString wrongSpace = path("wrong-space.json"), wrongArch = path("wrong-arch.json");
        writeFile(wrongSpace, R"({"name": 7, "encoder": {"layers": "six"}, "decoder": [1, 2]})");
        writeFile(wrongArch, R"({"encoder": {"embed_dim": "wide", "layers": {"a": 1}}, "decoder": 3})");
        const QString notObject = path("array.json");
        writeFile(notObject, "[1, 2, 3]");
        const QString wrongTsv = path("wrong.tsv");
        writeFile(wrongTsv, "only one column\nand no tab at all\n");
        // Bad databases: garbage bytes, an empty file, a directory, a place nothing can be created in, a
        // newer schema.
        const QString garbageDb = path("garbage.sqlite");
        writeFile(garbageDb, bytes);
        const QString dirDb = path("adir.sqlite");
        QDir().mkpath(dirDb);
        const QString unwritableDb = "/proc/automoe-cannot-create.sqlite";
        const QString newerDb = path("newer.sqlite");
        QFile::copy(db, newerDb);
        {
            Database d(newerDb.toStdString(), Database::Mode::ReadWrite);
            d.exec("PRAGMA user_version = 999");
        }

        const QStringList dbs = {db, garbageDb, newerDb};
        QList<Case> cases;
        auto add = [&](const QString& name, const QStringList& args, const QStringList& expect) {
            cases.push_back({name, args, expect, {}});
        };
        // Files given to the file-reading commands.
        const QList<std::pair<QString, QString>> badFiles = {{"missing", missing},
                                                             {"empty", empty},
                                                             {"binary", garbageJson},
                                                             {"wrong types", wrongArch},
                                                             {"not an object", notObject}};
        for (const auto& [what, file] : badFiles) {
            add("arch cost " + what, {"arch", "cost", file}, {file});
            add("arch diff " + what, {"arch", "diff", file, file}, {file});
            add("arch convert " + what, {"arch", "convert", file, path("out.yml")}, {file});
            add("space show " + what, {"space", "show", what == "wrong types" ? wrongSpace : file},
                {what == "wrong types" ? wrongSpace : file});
            add("space sample " + what, {"space", "sample", what == "wrong types" ? wrongSpace : file},
                {what == "wrong types" ? wrongSpace : file});
            add("train --space " + what,
                {"train", "--space", what == "wrong types" ? wrongSpace : file, "--corpus", "sample",
                 "--updates", "1", "--db", db},
                {what == "wrong types" ? wrongSpace : file});
        }
        add("arch cost yml garbage", {"arch", "cost", garbageYml}, {garbageYml});
        for (const QString& file : {missing, empty, garbage}) {
            add("bleu --hyp " + file.section('/', -1), {"bleu", "--hyp", file, "--ref", wrongTsv}, {file});
            add("bleu --ref " + file.section('/', -1), {"bleu", "--hyp", wrongTsv, "--ref", file}, {file});
            add("translate --model " + file.section('/', -1), {"translate", "--model", file}, {file});
        }
        for (const QString& file : {missing, empty, garbage, wrongTsv})
            add("train --corpus " + file.section('/', -1),
                {"train", "--corpus", file, "--space", "tiny", "--updates", "1", "--db", db}, {file});
        add("eval --arch missing", {"eval", "--run", "1", "--arch", missing, "--db", db}, {missing});
        add("route --checkpoint garbage",
            {"route", "--run", "1", "--sentence", "hallo", "--checkpoint", garbage, "--db", db}, {garbage});

        // Databases.
        // (An empty file is a valid empty SQLite database: it is not among them.)
        for (const QString& bad : {garbageDb, dirDb, unwritableDb, newerDb}) {
            const QString what = bad.section('/', -1);
            add("runs list --db " + what, {"runs", "list", "--db", bad}, {bad});
            add("runs show --db " + what, {"runs", "show", "1", "--db", bad}, {bad});
            add("runs check --db " + what, {"runs", "check", "--db", bad}, {bad});
            add("train --db " + what,
                {"train", "--corpus", "sample", "--space", "tiny", "--updates", "1", "--db", bad}, {bad});
            add("search --db " + what, {"search", "--run", "1", "--db", bad}, {bad});
            add("front --db " + what, {"front", "--run", "1", "--db", bad}, {bad});
        }
        add("runs migrate --db garbage", {"runs", "migrate", "--db", garbageDb}, {garbageDb});
        add("runs migrate --db newer", {"runs", "migrate", "--db", newerDb}, {newerDb});

        // Run ids: missing, and of the wrong kind (1 is a supernet, 2 a latency run).
        const QList<std::pair<QString, QStringList>> runCommands = {
            {"runs show", {"runs", "show"}},
            {"search", {"search", "--run"}},
            {"search --resume", {"search", "--resume"}},
            {"train --resume", {"train", "--resume"}},
            {"front", {"front", "--run"}},
            {"search importance", {"search", "importance", "--run"}},
            {"export", {"export", "--arch", "1", "-o", path("x.yml"), "--run"}},
            {"eval", {"eval", "--run"}},
            {"rank", {"rank", "--run"}},
            {"close", {"close", "--arch", "1", "--run"}},
            {"latency build", {"latency", "build", "--run"}},
            {"route", {"route", "--sentence", "hallo", "--run"}},
            {"darts derive", {"darts", "derive", "--run"}},
            {"darts --resume", {"darts", "--resume"}},
            {"study gap", {"study", "gap", "--runs"}},
        };
        for (const auto& [name, prefix] : runCommands) {
            add(name + " missing id", prefix + QStringList{"999", "--db", db}, {"999"});
            const bool takesSearch = name == "front" || name == "search importance" || name == "export" ||
                                     name == "rank" || name == "close" || name == "search --resume";
            if (name != "runs show")
                add(name + " wrong kind", prefix + QStringList{takesSearch ? "1" : "2", "--db", db},
                    {takesSearch ? "run 1" : "run 2"});
        }

        // Numbers out of range.
        const QStringList train = {"train", "--corpus", "sample", "--space", "tiny", "--db", db};
        add("train --updates -5", train + QStringList{"--updates", "-5"},
            {"--updates: must not be negative, got -5"});
        add("train --vocab-size 0", train + QStringList{"--updates", "1", "--vocab-size", "0"},
            {"--vocab-size"});
        add("train --max-tokens 0", train + QStringList{"--updates", "1", "--max-tokens", "0"},
            {"--max-tokens"});
        add("train --checkpoint-every -1", train + QStringList{"--updates", "1", "--checkpoint-every", "-1"},
            {"--checkpoint-every"});
        add("train --lr -1", train + QStringList{"--updates", "1", "--lr", "-1"},
            {"--lr: must not be negative, got -1"});
        add("train --lr 0", train + QStringList{"--updates", "1", "--lr", "0"},
            {"--lr: must be above 0, got 0"});
        add("train --dropout 2", train + QStringList{"--updates", "1", "--dropout", "2"}, {"--dropout"});
        add("train --updates abc", train + QStringList{"--updates", "abc"}, {"--updates"});
        const QStringList search = {"search", "--run", "1", "--db", db};
        add("search --population 0", search + QStringList{"--population", "0"}, {"--population"});
        add("search --iterations 0", search + QStringList{"--iterations", "0"}, {"--iterations"});
        add("search --mutation-prob 1.5", search + QStringList{"--mutation-prob", "1.5"},
            {"--mutation-prob"});
        add("search --budget nonsense", search + QStringList{"--budget", "nonsense"}, {"nonsense"});
        add("search --budget flops<=abc", search + QStringList{"--budget", "flops<=abc"}, {"flops<=abc"});
        add("search --fitness-sentences -1", search + QStringList{"--fitness-sentences", "-1"},
            {"--fitness-sentences"});
        add("latency build --samples 0", {"latency", "build", "--run", "1", "--samples", "0", "--db", db},
            {"--samples"});
        add("space sample -n 0", {"space", "sample", "tiny", "-n", "0"}, {"--count"});
        add("translate --beam 0", {"translate", "--model", missing, "--beam", "0"}, {"--beam"});
        add("eval --beam 0", {"eval", "--run", "1", "--beam", "0", "--db", db}, {"--beam"});
        add("eval --split nonsense", {"eval", "--run", "1", "--split", "nonsense", "--db", db}, {"nonsense"});

        // Run them, a few at a time (AUTOMOE_CASES=TEXT: only the cases whose name contains it). A database
        // that changed in a batch is blamed on the cases of the batch that name it.
        const QString only = qEnvironmentVariable("AUTOMOE_CASES");
        if (!only.isEmpty())
            cases.erase(std::remove_if(cases.begin(), cases.end(),
                                       [&](const Case& c) { return !c.name.contains(only); }),
                        cases.end());
        QMap<QString, QByteArray> before;
        for (const QString& d : dbs)
            before[d] = fileHash(d);
        QStringList failures;
        int tried = 0;
        const int parallel = 4;
        for (int first = 0; first < cases.size(); first += parallel) {
            std::vector<std::unique_ptr<QProcess>> running;
            for (int i = first; i < std::min<int>(first + parallel, cases.size()); ++i) {
                auto p = std::make_unique<QProcess>();
                prepareCli(*p, dir_.path());
                p->start(AUTOMOE_CLI, cases[i].args);
                p->closeWriteChannel();
                running.push_back(std::move(p));
            }
            for (auto& p : running)
                p->waitForFinished(120000);
            QSet<QString> changed;
            for (const QString& d : dbs) {
                const QByteArray now = fileHash(d);
                if (now != before[d]) changed.insert(d);
                before[d] = now;
            }
            for (int i = first; i < std::min<int>(first + parallel, cases.size()); ++i) {
                QProcess& p = *running[size_t(i - first)];
                const Case& c = cases[i];
                ++tried;
                if (p.state() != QProcess::NotRunning) {
                    p.kill();
                    p.waitForFinished();
                    failures << c.name;
                    qWarning("%s: did not finish in 2 minutes", qPrintable(c.name));
                    continue;
                }
                const QString err = QString::fromUtf8(p.readAllStandardError());
                QString why;
                if (p.exitStatus() == QProcess::CrashExit)
                    why = "ended by a signal";
                else if (p.exitCode() == 0)
                    why = "exit status 0";
                else if (err.contains("terminate called") || err.contains("Aborted"))
                    why = "uncaught exception";
                else if (err.contains("Exception raised from") || err.contains("frame #"))
                    why = "a C++ backtrace on stderr";
                else if (err.contains("1797693134862315")) // CLI11's DBL_MAX in a range
                    why = "an unreadable range";
                for (const QString& e : c.expect)
                    if (why.isEmpty() && !err.contains(e)) why = "stderr does not name " + e;
                for (const QString& d : changed)
                    if (why.isEmpty() && c.args.contains(d)) why = d + " changed";
                if (!why.isEmpty()) {
                    failures << c.name;
                    qWarning("%s: %s\n    `automoe %s`\n    stderr: %s", qPrintable(c.name), qPrintable(why),
                             qPrintable(c.args.join(' ')),
                             qPrintable(err.trimmed().replace('\n', "\n            ")));
                }
            }
        }
        qInfo("CLI error matrix: %d cases tried, %lld failed", tried, qlonglong(failures.size()));
        QVERIFY2(failures.isEmpty(), qPrintable("failed: " + failures.join(", ")));
        QVERIFY(!QFile::exists(unwritableDb));
    }
};

AUTOMOE_TEST_MAIN(TestCliErrors)
#include "tst_cli_errors.moc"
