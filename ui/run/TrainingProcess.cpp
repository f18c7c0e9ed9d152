#include "ui/run/TrainingProcess.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <unistd.h>

namespace automoe::ui {

namespace {
constexpr int kCancelWaitMs = 5000;
}

TrainingProcess::TrainingProcess(QObject* parent)
    : QObject(parent)
    , process_(new QProcess(this)) {
    process_->setProcessChannelMode(QProcess::SeparateChannels);
    connect(process_, &QProcess::readyReadStandardError, this, &TrainingProcess::readStderr);
    connect(process_, &QProcess::readyReadStandardOutput, this, [this] {
        for (const QByteArray& line : process_->readAllStandardOutput().split('\n'))
            if (!line.trimmed().isEmpty()) emit logLine(QString::fromUtf8(line.trimmed()));
    });
    connect(process_, &QProcess::started, this, &TrainingProcess::started);
    connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart) return;
        emit logLine(tr("could not start %1: %2").arg(cliPath(), process_->errorString()));
        emit finished(-1, true); // QProcess itself does not report a process that never started as finished
    });
    connect(process_, qOverload<int, QProcess::ExitStatus>(&QProcess::finished), this,
            [this](int code, QProcess::ExitStatus status) {
                readStderr();
                if (!partial_.isEmpty()) emit logLine(QString::fromUtf8(partial_));
                partial_.clear();
                emit finished(code, status == QProcess::CrashExit);
            });
}

TrainingProcess::~TrainingProcess() {
    if (!isRunning()) return;
    // A cancelled run writes its checkpoint and stays resumable.
    disconnect(process_, nullptr, this, nullptr);
    command("cancel");
    process_->closeWriteChannel();
    if (!process_->waitForFinished(kCancelWaitMs)) {
        process_->terminate();
        if (!process_->waitForFinished(kCancelWaitMs)) process_->kill();
    }
}

QString TrainingProcess::findCli() {
    const QString dir = QCoreApplication::applicationDirPath();
    for (const QString& candidate : {dir + QStringLiteral("/automoe"), dir + QStringLiteral("/../automoe")}) {
        const QFileInfo info(candidate);
        if (info.isFile() && info.isExecutable()) return QDir::cleanPath(info.absoluteFilePath());
    }
    return QStandardPaths::findExecutable(QStringLiteral("automoe"));
}

QString TrainingProcess::cliPath() const {
    return cliPath_.isEmpty() ? findCli() : cliPath_;
}

bool TrainingProcess::start(const QString& dbPath, const QStringList& trainArgs, QString* error) {
    return start(QStringLiteral("train"), dbPath, trainArgs, error);
}

bool TrainingProcess::start(const QString& subcommand, const QString& dbPath, const QStringList& trainArgs,
                            QString* error) {
    if (isRunning()) {
        if (error) *error = tr("A run is still going: pause or cancel it first.");
        return false;
    }
    const QString cli = cliPath();
    if (cli.isEmpty()) {
        if (error)
            *error = tr("The automoe command-line tool was not found next to %1 nor on PATH; it runs the "
                        "training. Install the automoe-studio package or build the `automoe` target.")
                         .arg(QDir::toNativeSeparators(QCoreApplication::applicationDirPath()));
        return false;
    }
    if (!QFileInfo(cli).isExecutable()) {
        if (error)
            *error =
                tr("The automoe command-line tool %1 is missing or not executable; it runs the training.")
                    .arg(QDir::toNativeSeparators(cli));
        return false;
    }
    runId_ = 0;
    partial_.clear();
    subcommand_ = subcommand;
    QStringList args = {subcommand, QStringLiteral("--control-stdin"), QStringLiteral("--db"), dbPath};
    args += trainArgs;
    emit logLine(QStringLiteral("$ %1 %2").arg(QFileInfo(cli).fileName(), args.join(QLatin1Char(' '))));
    const int niceness = childNice_;
    process_->setChildProcessModifier([niceness] {
        // In the forked child before exec: only async-signal-safe calls. A failure keeps the priority.
        if (niceness > 0) (void)::nice(niceness);
    });
    process_->start(cli, args);
    return true;
}

bool TrainingProcess::isRunning() const {
    return process_->state() != QProcess::NotRunning;
}

void TrainingProcess::command(const char* line) {
    if (process_->state() != QProcess::Running) return;
    process_->write(line);
    process_->write("\n");
}

void TrainingProcess::pause() {
    command("pause");
}
void TrainingProcess::resume() {
    command("resume");
}
void TrainingProcess::cancel() {
    command("cancel");
}

void TrainingProcess::readStderr() {
    static const QRegularExpression created(QStringLiteral("^(?:search )?run (\\d+) in "));
    partial_ += process_->readAllStandardError();
    // A terminal-style progress bar redraws with \r; every piece is a line for the log.
    partial_.replace('\r', '\n');
    int end;
    while ((end = partial_.indexOf('\n')) >= 0) {
        QString line = QString::fromUtf8(partial_.left(end)).trimmed();
        partial_.remove(0, end + 1);
        line.remove(QRegularExpression(QStringLiteral("\x1b\\[[0-9;]*[A-Za-z]")));
        if (line.isEmpty()) continue;
        if (runId_ == 0) {
            const auto m = created.match(line);
            if (m.hasMatch()) {
                runId_ = m.captured(1).toLongLong();
                emit runCreated(runId_);
            }
        }
        emit logLine(line);
    }
}

} // namespace automoe::ui
