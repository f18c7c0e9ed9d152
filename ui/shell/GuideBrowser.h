// Help > User Guide: docs/guide.md (installed as share/automoe-studio/doc/guide.md) shown in the app, with
// its screenshots; links to other sites open in the web browser.
#pragma once

#include <QDialog>

class QTextBrowser;

namespace automoe::ui {

class GuideBrowser : public QDialog {
    Q_OBJECT

public:
    explicit GuideBrowser(QWidget* parent = nullptr);

    // Shows the Markdown file `path`; false (and the browser says why) when it cannot be read.
    bool open(const QString& path);
    QTextBrowser* browser() const { return browser_; }

    // Images wider than this are shown scaled down to it (the window is 900 wide).
    static constexpr int kImageWidth = 820;

private:
    void fitImages();

    QTextBrowser* browser_ = nullptr;
};

} // namespace automoe::ui
