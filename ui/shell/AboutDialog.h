// Help > About: the version and git revision of the app, the Qt and SQLite it runs with, and, from the
// `automoe` command line that does the training and search (the app itself never loads LibTorch), its
// `automoe --version` report: LibTorch, the BLAS actually loaded, the thread count and the data directory.
// The whole report is selectable and has a Copy button, for support questions.
#pragma once

#include <QDialog>
#include <QProcess>

class QPlainTextEdit;

namespace automoe::ui {

class AboutDialog : public QDialog {
    Q_OBJECT

public:
    // cliPath: the `automoe` program to ask (CliProcess::findCli() when empty). Asks it at once, without
    // blocking: the report gets the command line's part when the child answers.
    explicit AboutDialog(const QString& cliPath = QString(), QWidget* parent = nullptr);

    // The report as plain text, as the dialog shows it and Copy copies it.
    QString report() const;
    bool hasCliReport() const { return cliDone_; }

signals:
    // The command line's part of the report is in (its --version text or why there is none).
    void cliReportReady();

private:
    void setCliPart(const QString& text);
    void refresh();

    QString appPart_;
    QString cliPart_;
    bool cliDone_ = false;
    QProcess* process_ = nullptr;
    QPlainTextEdit* text_ = nullptr;
};

} // namespace automoe::ui
