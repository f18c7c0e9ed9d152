// TrainingProcess runs `automoe train --control-stdin ...` as a child process: the GUI never loads LibTorch.
// It finds the CLI, learns the run id from the child's first line, passes its stderr on line by line, and
// pauses, resumes or cancels the run by writing a command to the child's stdin. The run's data is followed
// through the run store (RunFeed), not through this process's output.
#pragma once

#include <QObject>
#include <QProcess>
#include <QStringList>

namespace automoe::ui {

class TrainingProcess : public QObject {
    Q_OBJECT

public:
    explicit TrainingProcess(QObject* parent = nullptr);
    // Cancels a running child and waits briefly for it to write its checkpoint.
    ~TrainingProcess() override;

    // The `automoe` CLI: next to the GUI executable, in its parent folder (the build tree), else on PATH;
    // empty when not found.
    static QString findCli();
    // The child's scheduling niceness (default kChildNice = 0, the GUI's priority). Measured: the long UI
    // stalls of a live run are run-queue waits on an overloaded machine, not the app's own work; a niced
    // child (10) was starved by the other processes of such a machine (60 updates not done in 5 minutes), so
    // it is opt-in (AUTOMOE_CHILD_NICE for --demo-run measurements).
    static constexpr int kChildNice = 0;
    void setChildNice(int nice) { childNice_ = nice; }
    int childNice() const { return childNice_; }
    // Overrides findCli() (tests, packaging).
    void setCliPath(const QString& path) { cliPath_ = path; }
    QString cliPath() const;

    // Starts `automoe train --control-stdin --db DB ARGS...`. False (and an error message) when the CLI is
    // missing or a child is still running.
    bool start(const QString& dbPath, const QStringList& trainArgs, QString* error = nullptr);
    // The same for another subcommand that takes --control-stdin and --db (`search`).
    bool start(const QString& subcommand, const QString& dbPath, const QStringList& args, QString* error);
    // The subcommand of the last start().
    QString subcommand() const { return subcommand_; }
    bool isRunning() const;
    qint64 runId() const { return runId_; }
    QStringList arguments() const { return process_->arguments(); }

public slots:
    void pause();
    void resume();
    void cancel();

signals:
    // The child created run `runId` in the database.
    void runCreated(qint64 runId);
    void logLine(const QString& line);
    void started();
    // exitCode 0: the run finished or was cancelled cleanly.
    void finished(int exitCode, bool crashed);

private:
    void readStderr();
    void command(const char* line);

    QProcess* process_;
    QString cliPath_;
    QString subcommand_;
    int childNice_ = kChildNice;
    QByteArray partial_;
    qint64 runId_ = 0;
};

} // namespace automoe::ui
