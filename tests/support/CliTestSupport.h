// Running the real `automoe` program from a test: its exit, stdout and stderr, optionally under a file size
// limit (RLIMIT_FSIZE with SIGXFSZ ignored, so that a write past it fails with EFBIG as on a full disk),
// with its data directory inside the test's temporary directory.
#pragma once

#include "store/RunReader.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <csignal>
#include <sys/resource.h>

namespace clitest {

struct CliResult {
    int exitCode = -1;
    bool crashed = false; // ended by a signal
    QString out, err;
};

// XDG_DATA_HOME inside `dataHome`: the program's log file and default database stay out of the user's.
inline QProcessEnvironment cliEnvironment(const QString& dataHome) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_DATA_HOME", dataHome);
    env.insert("OMP_NUM_THREADS", "1");
    return env;
}

// Sets up `p` to run `automoe`; `fileSizeLimit` > 0 limits every file it writes to that many bytes.
inline void prepareCli(QProcess& p, const QString& dataHome, long fileSizeLimit = 0) {
    p.setProcessEnvironment(cliEnvironment(dataHome));
    if (fileSizeLimit > 0)
        p.setChildProcessModifier([fileSizeLimit] {
            ::signal(SIGXFSZ, SIG_IGN);
            struct rlimit limit {};
            limit.rlim_cur = limit.rlim_max = rlim_t(fileSizeLimit);
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
}

inline CliResult runCli(const QStringList& args, const QString& dataHome, long fileSizeLimit = 0,
                        int timeoutMs = 300000) {
    QProcess p;
    prepareCli(p, dataHome, fileSizeLimit);
    p.start(AUTOMOE_CLI, args);
    CliResult r;
    if (!p.waitForStarted() || !p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "automoe did not finish: " + args.join(' ');
        return r;
    }
    r.crashed = p.exitStatus() == QProcess::CrashExit;
    r.exitCode = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

// SHA-256 of a file's bytes (empty for a missing file).
inline QByteArray fileHash(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

// Every committed event of run `runId` as "seq type payload" lines, to compare before and after.
inline QStringList eventLines(automoe::RunReader& store, std::int64_t runId) {
    QStringList lines;
    for (const automoe::Event& e : store.events(runId))
        lines << QString::number(e.seq) + " " + QString::fromStdString(e.type) + " " +
                     QString::fromStdString(e.payload.dump());
    return lines;
}

} // namespace clitest
