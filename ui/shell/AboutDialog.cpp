#include "ui/shell/AboutDialog.h"

#include "ui/run/CliProcess.h"
#include "util/BuildInfo.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace automoe::ui {

AboutDialog::AboutDialog(const QString& cliPath, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("About AutoMoE Studio"));
    auto* heading = new QLabel(
        tr("<h3>AutoMoE Studio %1</h3>"
           "<p>A workbench for neural architecture search over sparsely activated Mixture-of-Experts "
           "Transformers, after Jawahar et al., <i>AutoMoE: Neural Architecture Search for Efficient "
           "Sparsely "
           "Activated Transformers</i> (arXiv 2210.07535), and Mixture-of-Supernets (arXiv 2306.04845).</p>")
            .arg(QApplication::applicationVersion().toHtmlEscaped()),
        this);
    heading->setWordWrap(true);
    text_ = new QPlainTextEdit(this);
    text_->setObjectName(QStringLiteral("aboutReport"));
    text_->setReadOnly(true);
    text_->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    text_->setMinimumSize(720, 240);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* copy = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
    copy->setObjectName(QStringLiteral("copyReport"));
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(report()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addWidget(text_, 1);
    layout->addWidget(buttons);

    appPart_ = tr("AutoMoE Studio %1\nQt %2 (built against %3)\nSQLite %4")
                   .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion()),
                        QStringLiteral(QT_VERSION_STR), QString::fromStdString(sqliteVersion()));

    const QString cli = cliPath.isEmpty() ? CliProcess::findCli() : cliPath;
    if (cli.isEmpty() || !QFileInfo(cli).isExecutable()) {
        setCliPart(tr("The automoe command line was not found (next to %1 or on PATH): LibTorch, BLAS and "
                      "thread count unknown. Training and search need it.")
                       .arg(QDir::toNativeSeparators(QCoreApplication::applicationDirPath())));
        return;
    }
    cliPart_ = tr("Command line %1: asking for its versions…").arg(QDir::toNativeSeparators(cli));
    refresh();
    process_ = new QProcess(this);
    process_->setProcessChannelMode(QProcess::MergedChannels);
    connect(process_, &QProcess::finished, this, [this, cli](int code, QProcess::ExitStatus status) {
        const QString out = QString::fromUtf8(process_->readAll()).trimmed();
        if (status == QProcess::NormalExit && code == 0)
            setCliPart(
                tr("Command line (training and search): %1\n%2").arg(QDir::toNativeSeparators(cli), out));
        else
            setCliPart(tr("Command line %1 failed (exit status %2): %3")
                           .arg(QDir::toNativeSeparators(cli))
                           .arg(code)
                           .arg(out));
    });
    connect(process_, &QProcess::errorOccurred, this, [this, cli](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            setCliPart(tr("Command line %1 could not be started: %2")
                           .arg(QDir::toNativeSeparators(cli), process_->errorString()));
    });
    process_->start(cli, {QStringLiteral("--version")});
}

QString AboutDialog::report() const {
    return appPart_ + QLatin1Char('\n') + cliPart_;
}

void AboutDialog::setCliPart(const QString& text) {
    cliPart_ = text;
    cliDone_ = true;
    refresh();
    emit cliReportReady();
}

void AboutDialog::refresh() {
    text_->setPlainText(report());
}

} // namespace automoe::ui
