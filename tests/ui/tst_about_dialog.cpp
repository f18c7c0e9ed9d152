// Help > About and Help > User Guide: the About report names the app's version, the Qt and SQLite it runs
// with and, from the `automoe` command line, LibTorch, the BLAS loaded and the thread count (a real CLI and a
// stand-in whose answer is known); a missing or failing CLI is said, not waited for; the user guide opens
// from the source tree with its text and its screenshots.
#include <QtTest/QtTest>

#include "MainWindowRig.h"
#include "TestMain.h"
#include "ui/shell/AboutDialog.h"
#include "ui/shell/GuideBrowser.h"
#include "ui/shell/MainWindow.h"
#include "util/BuildInfo.h"
#include "util/Resources.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextBrowser>

using namespace automoe::ui;

namespace {

QString writeScript(const QTemporaryDir& dir, const QString& name, const QByteArray& body) {
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return {};
    f.write("#!/bin/sh\n" + body);
    f.close();
    f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
    return path;
}

QString reportOf(AboutDialog& dialog) {
    if (!dialog.hasCliReport()) {
        QSignalSpy ready(&dialog, &AboutDialog::cliReportReady);
        if (!ready.wait(60000)) return QStringLiteral("(no answer)");
    }
    return dialog.report();
}

} // namespace

class TestAboutDialog : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QApplication::setApplicationVersion(QStringLiteral("9.8.7 (git test)")); }

    void reportHasTheAppsOwnVersions() {
        QTemporaryDir dir;
        const QString cli = writeScript(dir, QStringLiteral("automoe"),
                                        "echo 'automoe 1.2.3 (git abc)'\necho 'LibTorch 4.5.6 (CPU)'\n"
                                        "echo 'BLAS: /x/libblas.so.3 (OpenBLAS)'\necho 'threads: 7'\n");
        AboutDialog dialog(cli);
        const QString report = reportOf(dialog);
        QVERIFY2(report.contains(QStringLiteral("AutoMoE Studio 9.8.7 (git test)")), qPrintable(report));
        QVERIFY2(report.contains(QStringLiteral("Qt %1").arg(QString::fromLatin1(qVersion()))),
                 qPrintable(report));
        QVERIFY2(report.contains(
                     QStringLiteral("SQLite %1").arg(QString::fromStdString(automoe::sqliteVersion()))),
                 qPrintable(report));
        // The command line's answer, verbatim, after its path.
        QVERIFY2(report.contains(cli), qPrintable(report));
        for (const char* line :
             {"automoe 1.2.3 (git abc)", "LibTorch 4.5.6 (CPU)", "BLAS: /x/libblas.so.3", "threads: 7"})
            QVERIFY2(report.contains(QLatin1String(line)), qPrintable(report));
        // The text shown is the report.
        auto* text = dialog.findChild<QPlainTextEdit*>(QStringLiteral("aboutReport"));
        QVERIFY(text);
        QCOMPARE(text->toPlainText(), report);
    }

    void realCommandLineReportsTorchBlasAndThreads() {
        AboutDialog dialog(QStringLiteral(AUTOMOE_CLI));
        const QString report = reportOf(dialog);
        QVERIFY2(
            report.contains(
                QStringLiteral("automoe %1 (git ").arg(QString::fromStdString(automoe::programVersion()))),
            qPrintable(report));
        QVERIFY2(report.contains(QRegularExpression(QStringLiteral("LibTorch \\d+\\.\\d+"))),
                 qPrintable(report));
        QVERIFY2(report.contains(QRegularExpression(QStringLiteral("BLAS: /\\S*blas"))), qPrintable(report));
        QVERIFY2(report.contains(QRegularExpression(QStringLiteral("threads: \\d+"))), qPrintable(report));
    }

    void missingOrFailingCommandLineIsSaid() {
        AboutDialog missing(QStringLiteral("/nonexistent/automoe"));
        QVERIFY(missing.hasCliReport());
        QVERIFY2(missing.report().contains(QStringLiteral("was not found")), qPrintable(missing.report()));

        QTemporaryDir dir;
        const QString cli =
            writeScript(dir, QStringLiteral("automoe"), "echo 'broken install' >&2\nexit 3\n");
        AboutDialog failing(cli);
        const QString report = reportOf(failing);
        QVERIFY2(report.contains(QStringLiteral("failed (exit status 3)")), qPrintable(report));
        QVERIFY2(report.contains(QStringLiteral("broken install")), qPrintable(report));
    }

    void userGuideOpensWithItsScreenshots() {
        const QString path = QString::fromStdString(automoe::userGuidePath());
        QVERIFY2(path.endsWith(QStringLiteral("guide.md")), qPrintable(path));
        GuideBrowser guide;
        QVERIFY(guide.open(path));
        const QString text = guide.browser()->toPlainText();
        QVERIFY2(text.contains(QStringLiteral("AutoMoE Studio user guide")), qPrintable(text.left(200)));
        // The Markdown was rendered (no heading marks left) and a screenshot it shows resolves to an image.
        QVERIFY(!text.startsWith(QLatin1Char('#')));
        const QVariant image = guide.browser()->loadResource(
            QTextDocument::ImageResource, QUrl(QStringLiteral("screenshots/main-window.png")));
        QVERIFY(!image.isNull());
        // Every screenshot fits the reading width (they are 1440 pixels wide or more).
        int images = 0;
        for (QTextBlock block = guide.browser()->document()->begin(); block.isValid(); block = block.next())
            for (auto it = block.begin(); !it.atEnd(); ++it)
                if (it.fragment().charFormat().isImageFormat()) {
                    ++images;
                    const QTextImageFormat format = it.fragment().charFormat().toImageFormat();
                    QVERIFY2(format.width() > 0 && format.width() <= GuideBrowser::kImageWidth,
                             qPrintable(format.name()));
                }
        QVERIFY(images >= 3);

        GuideBrowser missing;
        QVERIFY(!missing.open(QStringLiteral("/nonexistent/guide.md")));
        QVERIFY(missing.browser()->toPlainText().contains(QStringLiteral("not found")));
    }

    void helpMenuOpensGuideAndAbout() {
        automoe::testsupport::MainWindowRig
            rig; // settings and run database in a temporary directory, not $HOME
        QVERIFY(rig.create());
        MainWindow& window = *rig.window;
        QMenu* help = nullptr;
        for (QAction* a : window.menuBar()->actions())
            if (a->text() == QStringLiteral("&Help")) help = a->menu();
        QVERIFY(help);
        QAction* guideAction = nullptr;
        QAction* aboutAction = nullptr;
        for (QAction* a : help->actions()) {
            if (a->text().contains(QStringLiteral("User Guide"))) guideAction = a;
            if (a->text().contains(QStringLiteral("About"))) aboutAction = a;
        }
        QVERIFY(guideAction && aboutAction);
        QCOMPARE(guideAction->shortcut(), QKeySequence(QKeySequence::HelpContents));

        guideAction->trigger();
        auto* guide = window.findChild<GuideBrowser*>();
        QVERIFY(guide);
        QVERIFY(guide->isVisible());
        QVERIFY(guide->browser()->toPlainText().contains(QStringLiteral("AutoMoE Studio user guide")));
        guideAction->trigger(); // the same window again, not a second one
        QCOMPARE(window.findChildren<GuideBrowser*>().size(), 1);

        aboutAction->trigger();
        auto* about = window.findChild<AboutDialog*>();
        QVERIFY(about);
        QVERIFY(about->isVisible());
        QVERIFY(about->report().contains(QStringLiteral("AutoMoE Studio 9.8.7")));
        reportOf(*about); // let its child answer before the window goes
    }
};

AUTOMOE_TEST_MAIN(TestAboutDialog)
#include "tst_about_dialog.moc"
