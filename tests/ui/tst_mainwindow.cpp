// Pins the main window: its title, the Search space dock, picking architectures, error reporting through
// the injectable presenter (a failed open names the file and field and changes nothing), architecture
// export that loadArchitecture reads back equal, figure export, and settings kept in one place.
#include "../support/SmallRun.h"
#include "space/ArchitectureIO.h"
#include "space/SpaceIO.h"
#include "ui/figure/ArchitectureView.h"
#include "ui/plots/TrainingView.h"
#include "ui/run/CliProcess.h"
#include "ui/run/RunControlPanel.h"
#include "ui/run/RunDocument.h"
#include "ui/run/RunListModel.h"
#include "ui/run/RunsBrowser.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/Settings.h"
#include "ui/space/SpaceDocument.h"
#include "ui/space/SpaceEditor.h"
#include "ui/space/SpaceSummaryWidget.h"
#include "ui/widgets/RangeSlider.h"

#include "TestMain.h"
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <random>

using namespace automoe;
using namespace automoe::ui;

namespace {
struct ReportedError {
    QString title;
    QString message;
};
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<Settings> settings_;
    std::unique_ptr<SpaceDocument> document_;
    std::unique_ptr<MainWindow> window_;
    QList<ReportedError> errors_;

private slots:
    void init() {
        QFile::remove(dir_.filePath("settings.ini"));
        settings_ = std::make_unique<Settings>(dir_.filePath("settings.ini"));
        document_ = std::make_unique<SpaceDocument>();
        QVERIFY(document_->open("tiny"));
        window_ = std::make_unique<MainWindow>(document_.get(), settings_.get());
        errors_.clear();
        window_->setErrorPresenter([this](const QString& t, const QString& m) { errors_.append({t, m}); });
    }

    void cleanup() {
        window_.reset();
        document_.reset();
        settings_.reset();
    }

    void titleNamesTheApplicationAndTheSpace() {
        QVERIFY(window_->windowTitle().contains("AutoMoE Studio"));
        QVERIFY(window_->windowTitle().contains("tiny"));
        QVERIFY(window_->openSpace("automoe-wmt"));
        QVERIFY(window_->windowTitle().contains("automoe-wmt"));
        QVERIFY(window_->windowTitle().contains("AutoMoE Studio"));
    }

    void showsTheMostExpensiveArchitectureAndTheSpaceDock() {
        QVERIFY(window_->architectureView()->hasArchitecture());
        QVERIFY(window_->architectureView()->architecture() == document_->space().largest());
        QCOMPARE(window_->pick(), MainWindow::Pick::MostExpensive);
        QDockWidget* dock = window_->spaceDock();
        QVERIFY(dock);
        QCOMPARE(dock->windowTitle(), QString("Search space"));
        RangeSlider* experts = window_->spaceEditor()->rangeSlider("encoder.experts");
        QVERIFY(experts);
        QCOMPARE(experts->lower(), 1);
        QCOMPARE(experts->upper(), 4);
        QVERIFY(window_->summaryWidget()->valueText("size").contains(
            QString::number(document_->space().log10Size(), 'f', 1)));
    }

    void picksArchitectures() {
        window_->showCheapest();
        QVERIFY(window_->architectureView()->architecture() == document_->space().smallest());
        QCOMPARE(window_->pick(), MainWindow::Pick::Cheapest);
        window_->showRandomSampleWithSeed(7);
        std::mt19937_64 rng(7);
        QVERIFY(window_->architectureView()->architecture() == document_->space().sample(rng));
        QVERIFY(window_->architectureView()->figure().title().contains("7"));
        window_->showRandomSample();
        QVERIFY(document_->space().contains(window_->architectureView()->architecture()));
        window_->showMostExpensive();
        QVERIFY(window_->architectureView()->architecture() == document_->space().largest());
    }

    void keepsTheKindOfArchitectureWhenTheSpaceChanges() {
        window_->showCheapest();
        QVERIFY(window_->openSpace("automoe-wmt"));
        QVERIFY(window_->architectureView()->architecture() == document_->space().smallest());
    }

    void reportsAnInvalidSpaceAndKeepsTheOpenOne() {
        QFile tiny(document_->filePath());
        QVERIFY(tiny.open(QIODevice::ReadOnly));
        QByteArray text = tiny.readAll();
        text.replace(R"("ffn_dim": [256, 512, 768])", R"("ffn_dim": [])");
        const QString bad = dir_.filePath("no-widths.json");
        QFile out(bad);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(text);
        out.close();

        QVERIFY(window_->openSpace("tiny"));
        const QString lastSpaceBefore = settings_->lastSpace();
        const Architecture before = window_->architectureView()->architecture();
        const QString titleBefore = window_->windowTitle();
        QVERIFY(!window_->openSpace(bad));
        QCOMPARE(errors_.size(), 1);
        QVERIFY2(errors_[0].message.contains("no-widths.json"), qPrintable(errors_[0].message));
        QVERIFY2(errors_[0].message.contains("encoder.ffn_dim"), qPrintable(errors_[0].message));
        QVERIFY(!errors_[0].title.isEmpty());
        QCOMPARE(window_->windowTitle(), titleBefore);
        QCOMPARE(document_->name(), QString("tiny"));
        QVERIFY(window_->architectureView()->architecture() == before);
        QCOMPARE(settings_->lastSpace(), lastSpaceBefore);
    }

    void exportsTheArchitectureSoThatItReadsBackEqual_data() {
        QTest::addColumn<QString>("space");
        QTest::addColumn<QString>("file");
        QTest::newRow("tiny yml") << "tiny"
                                  << "arch.yml";
        QTest::newRow("wmt yml") << "automoe-wmt"
                                 << "arch.yml";
        QTest::newRow("wmt json") << "automoe-wmt"
                                  << "arch.json";
    }

    void exportsTheArchitectureSoThatItReadsBackEqual() {
        QFETCH(QString, space);
        QFETCH(QString, file);
        QVERIFY(window_->openSpace(space));
        window_->showRandomSampleWithSeed(11);
        const QString path = dir_.filePath(file);
        QVERIFY(window_->exportArchitecture(path));
        QVERIFY(errors_.isEmpty());
        const Architecture back = loadArchitecture(path.toStdString(), document_->space().qkvDim);
        QVERIFY(back == window_->architectureView()->architecture());
    }

    void reportsAFailedExportNamingTheFile() {
        QVERIFY(!window_->exportArchitecture("/nonexistent-dir/arch.yml"));
        QCOMPARE(errors_.size(), 1);
        QVERIFY2(errors_[0].message.contains("/nonexistent-dir/arch.yml"), qPrintable(errors_[0].message));
        QVERIFY(!window_->exportView(dir_.filePath("figure.gif")));
        QCOMPARE(errors_.size(), 2);
        QVERIFY(errors_[1].message.contains("figure.gif"));
    }

    void exportsTheView() {
        for (const char* name : {"view.png", "view.svg", "view.pdf"}) {
            const QString path = dir_.filePath(name);
            QVERIFY(window_->exportView(path));
            QVERIFY(QFileInfo(path).size() > 1000);
        }
        QVERIFY(errors_.isEmpty());
    }

    void refusesAFileThatIsNotARunDatabase() {
        const QString before = window_->runDatabase();
        const QString garbage = dir_.filePath("notes.sqlite");
        QFile f(garbage);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
        f.close();
        QVERIFY(!window_->openRunDatabase(garbage));
        QCOMPARE(errors_.size(), 1);
        QVERIFY2(errors_.at(0).message.contains("notes.sqlite"), qPrintable(errors_.at(0).message));
        QCOMPARE(window_->runDatabase(), before);
        QCOMPARE(settings_->runDatabase(), before); // not remembered either
        // A path that does not exist yet is a new database: accepted (the first run creates it).
        const QString fresh = dir_.filePath("fresh.sqlite");
        QVERIFY(window_->openRunDatabase(fresh));
        QCOMPARE(settings_->runDatabase(), fresh);
        QVERIFY(!QFile::exists(fresh)); // a viewer creates nothing
    }

    void aRememberedDatabaseThatIsNoLongerOneIsReportedAtStart() {
        const QString garbage = dir_.filePath("garbage.sqlite");
        QFile f(garbage);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(300, 'y'));
        f.close();
        window_.reset();
        settings_->setRunDatabase(garbage);
        // The presenter of a window under construction is the default one (a dialog): count what reaches
        // the status bar instead, and that the window does not keep the file.
        window_ = std::make_unique<MainWindow>(document_.get(), settings_.get(), nullptr,
                                               [this](const QString& t, const QString& m) {
                                                   errors_.append({t, m});
                                               });
        QCOMPARE(errors_.size(), 1);
        QVERIFY(errors_.at(0).message.contains("garbage.sqlite"));
        QVERIFY(window_->runDatabase() != garbage);
    }

    // The newcomer's report: a second training started without restarting the app stayed invisible ("has
    // no run 2", the runs browser never listed it) while the app held a deleted WAL open.
    void twoTrainingsOneAfterTheOtherBothShowLiveAndInTheRunsBrowser() {
        const QString db = dir_.filePath("two-runs.sqlite");
        QFile::remove(db);
        QVERIFY(window_->openRunDatabase(db));
        const QString spacePath = dir_.filePath("small-space.json");
        saveSpace(testsupport::smallSpace(), spacePath.toStdString());
        QVERIFY(window_->openSpace(spacePath));
        RunControlPanel* panel = window_->runControl();
        panel->process()->setCliPath(AUTOMOE_CLI);
        panel->setCorpus(QString::fromStdString(testsupport::writeSmallCorpus(dir_.path().toStdString())));
        panel->setBudget(0, 4);
        panel->setExtraArguments({"--vocab-size", "60", "--max-tokens", "200", "--threads", "1"});
        QSignalSpy ended(panel, &RunControlPanel::runEnded);
        RunDocument* run = window_->runDocument();
        RunListModel* runs = window_->runsBrowser()->model();
        for (qint64 id : {1, 2}) {
            QVERIFY(panel->startRun());
            QTRY_COMPARE_WITH_TIMEOUT(run->runId(), id, 120000);
            QTRY_COMPARE_WITH_TIMEOUT(ended.count(), int(id), 300000);
            QCOMPARE(ended.at(int(id) - 1).at(0).toInt(), 0);
            // Live in the views, and listed (and selected) in the runs browser.
            QTRY_COMPARE_WITH_TIMEOUT(window_->trainingView()->trainLoss().size(), 4, 20000);
            QTRY_COMPARE_WITH_TIMEOUT(run->status(), RunStatus::Finished, 20000);
            QTRY_VERIFY_WITH_TIMEOUT(runs->rowOfRun(id) >= 0, 20000);
            QTRY_COMPARE_WITH_TIMEOUT(window_->runsBrowser()->currentRunId(), id, 20000);
            QCOMPARE(runs->shownRun(), id);
        }
        QCOMPARE(runs->rowCount(), 2);
        QVERIFY2(errors_.isEmpty(), qPrintable(errors_.isEmpty() ? QString() : errors_.at(0).message));
        // The app holds no database file that was deleted under it.
        for (const QFileInfo& fd : QDir("/proc/self/fd").entryInfoList(QDir::System | QDir::NoDotAndDotDot)) {
            const QString target = fd.symLinkTarget();
            QVERIFY2(!(target.contains("two-runs.sqlite") && target.contains("(deleted)")),
                     qPrintable(target));
        }
    }

    void remembersTheLastSpaceAndTheLayout() {
        QVERIFY(window_->openSpace("automoe-wmt"));
        QCOMPARE(settings_->lastSpace(), QString("automoe-wmt"));
        const QString path = dir_.filePath("saved-space.json");
        QVERIFY(window_->saveSpaceAs(path));
        QCOMPARE(settings_->lastSpace(), path);
        window_->saveLayout();
        QVERIFY(!settings_->windowState().isEmpty());
        QVERIFY(!settings_->windowGeometry().isEmpty());
        Settings reread(dir_.filePath("settings.ini"));
        QCOMPARE(reread.lastSpace(), path);
    }
};

AUTOMOE_TEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
