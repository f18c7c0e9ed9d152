// CliProcess is the one wrapper for child `automoe` processes (training, search, export, routing): the GUI
// never loads LibTorch, it runs the command line tool. It finds the CLI, delivers the child's stdout and
// stderr line by line (lines split across reads are reassembled), learns the id of the run the child
// created or resumed from the machine-readable first line of its stdout (`{"run_id": N, "kind": "…"}`),
// writes pause / resume / cancel commands to its stdin, and reports how it ended. A run still going when the
// wrapper is destroyed is cancelled (it keeps its checkpoint); any other command is killed.
#pragma once

#include "ui/run/LineSplitter.h"

#include <QObject>
#include <QProcess>
#include <QStringList>

namespace automoe::ui {

class CliProcess : public QObject {
    Q_OBJECT

public:
    explicit CliProcess(QObject* parent = nullptr);
    ~CliProcess() override;

    // The `automoe` CLI: next to the GUI executable, in its parent folder (the build tree), else on PATH;
    // empty when not found.
    static QString findCli();
    // Overrides findCli() (tests, packaging).
    void setCliPath(const QString& path) { cliPath_ = path; }
    QString cliPath() const;
    // The child's scheduling niceness (default 0, the GUI's priority). Measured: the long UI stalls of a
    // live run are run-queue waits on an overloaded machine, not the app's own work; a niced child (10) was
    // starved by the other processes of such a machine, so it is opt-in (AUTOMOE_CHILD_NICE).
    void setChildNice(int nice) { childNice_ = nice; }
    int childNice() const { return childNice_; }

    // Starts `automoe ARGS...`. False (and a message naming the program) when the CLI is missing or not
    // executable, or a child is still running.
    bool start(const QStringList& args, QString* error = nullptr);
    bool isRunning() const;
    QStringList arguments() const { return args_; }
    // The first argument of the last start() ("train", "search", "export", ...).
    QString subcommand() const { return args_.value(0); }
    // From the child's first stdout line; 0 / empty before it arrived (or for commands without a run).
    qint64 runId() const { return runId_; }
    QString runKind() const { return runKind_; }
    // Every stdout line so far (without the run line), for commands whose result is their output, and every
    // stderr line (the error message of a failed command).
    QStringList output() const { return output_; }
    QStringList errorOutput() const { return errors_; }
    // What went wrong with a finished command, for people: its "automoe: error: ..." line without the
    // prefix, else its last stderr line, else a generic text with the exit code.
    QString errorMessage(int exitCode) const;
    QString errorString() const { return process_->errorString(); }
    // The child's process id (0 when none runs).
    qint64 processId() const { return process_->processId(); }

public slots:
    // Commands for a child started with --control-stdin; ignored when none is running.
    void pause();
    void resume();
    void cancel();
    // Ends the child at once (SIGKILL); for commands that hold no run (export, route).
    void kill();

signals:
    void started();
    // The child created (or resumed) run `runId` of kind `kind` in its database.
    void runCreated(qint64 runId, const QString& kind);
    void stdoutLine(const QString& line);
    void stderrLine(const QString& line);
    // exitCode 0: the command succeeded (a run finished or was cancelled cleanly). `crashed`: killed by a
    // signal, or the program could not be started (exitCode -1).
    void finished(int exitCode, bool crashed);

private:
    void readStdout();
    void readStderr();
    void takeStdoutLine(const QString& line);
    void command(const char* line);

    QProcess* process_;
    QString cliPath_;
    QStringList args_;
    int childNice_ = 0;
    LineSplitter stdout_, stderr_;
    QStringList output_;
    QStringList errors_;
    bool sawFirstLine_ = false;
    qint64 runId_ = 0;
    QString runKind_;
};

} // namespace automoe::ui
