#include "ui/run/CliProcess.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <unistd.h>

namespace automoe::ui {

namespace {
constexpr int kCancelWaitMs = 5000;
}

CliProcess::CliProcess(QObject* parent)
    : QObject(parent)
    , process_(new QProcess(this)) {
    process_->setProcessChannelMode(QProcess::SeparateChannels);
    connect(process_, &QProcess::readyReadStandardOutput, this, &CliProcess::readStdout);
    connect(process_, &QProcess::readyReadStandardError, this, &CliProcess::readStderr);
    connect(process_, &QProcess::started, this, &CliProcess::started);
    connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart) return;
        errors_.append(tr("could not start %1: %2").arg(cliPath(), process_->errorString()));
        emit stderrLine(errors_.back());
        emit finished(-1, true); // QProcess does not report a process that never started as finished
    });
    connect(process_, qOverload<int, QProcess::ExitStatus>(&QProcess::finished), this,
            [this](int code, QProcess::ExitStatus status) {
                readStdout();
                readStderr();
                for (const QString& line : stdout_.finish())
                    takeStdoutLine(line);
                for (const QString& line : stderr_.finish()) {
                    errors_.append(line);
                    emit stderrLine(line);
                }
                emit finished(code, status == QProcess::CrashExit);
            });
    if (const int nice = qEnvironmentVariableIntValue("AUTOMOE_CHILD_NICE"); nice > 0) childNice_ = nice;
}

CliProcess::~CliProcess() {
    if (!isRunning()) return;
    disconnect(process_, nullptr, this, nullptr);
    if (!args_.contains(QStringLiteral("--control-stdin"))) {
        process_->kill();
        process_->waitForFinished(kCancelWaitMs);
        return;
    }
    // A cancelled run writes its checkpoint and stays resumable.
    command("cancel");
    process_->closeWriteChannel();
    if (!process_->waitForFinished(kCancelWaitMs)) {
        process_->terminate();
        if (!process_->waitForFinished(kCancelWaitMs)) process_->kill();
    }
}

QString CliProcess::findCli() {
    const QString dir = QCoreApplication::applicationDirPath();
    for (const QString& candidate : {dir + QStringLiteral("/automoe"), dir + QStringLiteral("/../automoe")}) {
        const QFileInfo info(candidate);
        if (info.isFile() && info.isExecutable()) return QDir::cleanPath(info.absoluteFilePath());
    }
    return QStandardPaths::findExecutable(QStringLiteral("automoe"));
}

QString CliProcess::cliPath() const {
    return cliPath_.isEmpty() ? findCli() : cliPath_;
}

bool CliProcess::start(const QStringList& args, QString* error) {
    auto fail = [error](const QString& message) {
        if (error) *error = message;
        return false;
    };
    if (isRunning()) return fail(tr("A run is still going: pause or cancel it first."));
    const QString cli = cliPath();
    if (cli.isEmpty())
        return fail(tr("The automoe command-line tool was not found next to %1 nor on PATH; it runs "
                       "training, search and export. Install the automoe-studio package or build the "
                       "`automoe` target.")
                        .arg(QDir::toNativeSeparators(QCoreApplication::applicationDirPath())));
    if (!QFileInfo(cli).isExecutable())
        return fail(tr("The automoe command-line tool %1 is missing or not executable.")
                        .arg(QDir::toNativeSeparators(cli)));
    args_ = args;
    runId_ = 0;
    runKind_.clear();
    output_.clear();
    errors_.clear();
    sawFirstLine_ = false;
    stdout_ = LineSplitter();
    stderr_ = LineSplitter();
    const int niceness = childNice_;
    process_->setChildProcessModifier([niceness] {
        // In the forked child before exec: only async-signal-safe calls. A failure keeps the priority.
        if (niceness > 0) {
            [[maybe_unused]] const int ignored =
                ::nice(niceness); // (void) does not silence warn_unused_result
        }
    });
    process_->start(cli, args);
    return true;
}

bool CliProcess::isRunning() const {
    return process_->state() != QProcess::NotRunning;
}

void CliProcess::command(const char* line) {
    // While the child is still starting, QProcess buffers what is written and sends it once the pipe is
    // open: a Pause clicked right after Start was dropped before (while the panel showed "paused").
    if (process_->state() == QProcess::NotRunning) return;
    process_->write(line);
    process_->write("\n");
}

void CliProcess::pause() {
    command("pause");
}
void CliProcess::resume() {
    command("resume");
}
void CliProcess::cancel() {
    command("cancel");
}
void CliProcess::kill() {
    if (isRunning()) process_->kill();
}

void CliProcess::readStdout() {
    for (const QString& line : stdout_.feed(process_->readAllStandardOutput()))
        takeStdoutLine(line);
}

void CliProcess::readStderr() {
    for (const QString& line : stderr_.feed(process_->readAllStandardError())) {
        errors_.append(line);
        emit stderrLine(line);
    }
}

QString CliProcess::errorMessage(int exitCode) const {
    static const QString prefix = QStringLiteral("automoe: error: ");
    for (auto it = errors_.crbegin(); it != errors_.crend(); ++it)
        if (it->startsWith(prefix)) return it->mid(prefix.size()).trimmed();
    if (!errors_.isEmpty()) return errors_.back();
    if (exitCode == -1) return tr("%1 could not be started: %2").arg(cliPath(), process_->errorString());
    return tr("automoe %1 failed (exit code %2)").arg(subcommand()).arg(exitCode);
}

void CliProcess::takeStdoutLine(const QString& line) {
    if (!sawFirstLine_) {
        sawFirstLine_ = true;
        // The run line: a JSON object with run_id. Any other first line is ordinary output.
        if (line.startsWith(QLatin1Char('{'))) {
            const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
            const qint64 id = o.value(QStringLiteral("run_id")).toInteger();
            if (id > 0) {
                runId_ = id;
                runKind_ = o.value(QStringLiteral("kind")).toString();
                emit runCreated(runId_, runKind_);
                return;
            }
        }
    }
    output_.append(line);
    emit stdoutLine(line);
}

} // namespace automoe::ui
