#include "ui/shell/GuideBrowser.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

namespace automoe::ui {

GuideBrowser::GuideBrowser(QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("AutoMoE Studio User Guide"));
    browser_ = new QTextBrowser(this);
    browser_->setObjectName(QStringLiteral("guideBrowser"));
    browser_->setOpenExternalLinks(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(browser_, 1);
    layout->addWidget(buttons);
    resize(900, 760);
}

bool GuideBrowser::open(const QString& path) {
    const QFileInfo info(path);
    if (path.isEmpty() || !info.isReadable()) {
        browser_->setPlainText(
            tr("The user guide was not found (looked for doc/guide.md in the data directory). It is "
               "docs/guide.md in the source tree and "
               "https://github.com/automoe/automoe-studio/blob/main/docs/guide.md online."));
        return false;
    }
    // Relative links (the screenshots, README sections) resolve against the guide's own directory.
    browser_->setSource(QUrl::fromLocalFile(info.absoluteFilePath()), QTextDocument::MarkdownResource);
    return true;
}

} // namespace automoe::ui
