#include "ui/shell/GuideBrowser.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QImage>
#include <QPixmap>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
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
    fitImages();
    return true;
}

void GuideBrowser::fitImages() {
    // The screenshots are 1440 pixels wide or more; QTextBrowser shows images at their own size, so a
    // screenshot would need scrolling sideways. Scale the wide ones down to the reading width instead.
    QTextDocument* doc = browser_->document();
    for (QTextBlock block = doc->begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            if (!fragment.isValid() || !fragment.charFormat().isImageFormat()) continue;
            QTextImageFormat format = fragment.charFormat().toImageFormat();
            const QVariant data = browser_->loadResource(QTextDocument::ImageResource, QUrl(format.name()));
            QImage image;
            if (data.canConvert<QImage>()) image = data.value<QImage>();
            if (image.isNull() && data.canConvert<QPixmap>()) image = data.value<QPixmap>().toImage();
            if (image.isNull()) image = QImage::fromData(data.toByteArray());
            if (image.isNull() || image.width() <= kImageWidth) continue;
            format.setWidth(kImageWidth);
            format.setHeight(double(image.height()) * kImageWidth / image.width());
            QTextCursor cursor(doc);
            cursor.setPosition(fragment.position());
            cursor.setPosition(fragment.position() + fragment.length(), QTextCursor::KeepAnchor);
            cursor.setCharFormat(format);
        }
    }
}

} // namespace automoe::ui
