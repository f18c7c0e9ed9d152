// The main window as the UI suites drive it: its settings file and run database in a temporary directory, a
// search space open (the bundled "tiny" unless told), and error messages collected in `errors` instead of
// shown in a message box. The suites had this set-up copied into each test that needs the whole window.
//
//     MainWindowRig rig;
//     QVERIFY(rig.show());             // or rig.create() for a window that is not shown
//     MainWindow& window = *rig.window;
#pragma once

#include "ui/shell/MainWindow.h"
#include "ui/shell/Settings.h"
#include "ui/space/SpaceDocument.h"

#include <QStringList>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <memory>

namespace automoe::testsupport {

struct MainWindowRig {
    QTemporaryDir dir;
    ui::Settings settings{dir.filePath("settings.ini")};
    ui::SpaceDocument space;
    QStringList errors;
    std::unique_ptr<ui::MainWindow> window;

    // Opens `spaceName` (a bundled name or a file) and builds the window on run database `database` (default:
    // runs.sqlite in the directory). False when the space does not open.
    bool create(const QString& spaceName = QStringLiteral("tiny"), const QString& database = {}) {
        settings.setRunDatabase(database.isEmpty() ? dir.filePath("runs.sqlite") : database);
        if (!space.open(spaceName)) return false;
        window = std::make_unique<ui::MainWindow>(
            &space, &settings, nullptr,
            [this](const QString&, const QString& message) { errors << message; });
        return true;
    }

    // create(), then shows the window at 1400 x 1000 and waits until it is exposed.
    bool show(const QString& spaceName = QStringLiteral("tiny"), const QString& database = {}) {
        if (!create(spaceName, database)) return false;
        window->resize(1400, 1000);
        window->show();
        return QTest::qWaitForWindowExposed(window.get());
    }
};

} // namespace automoe::testsupport
