// Where the programs look for their data: $AUTOMOE_RESOURCES first, then the data directory next to the
// running program (an installed or unpacked package), then (development builds) the source tree; a missing
// resource names every directory searched. The unpacked package itself is checked by tests/packaging.
#include <QtTest/QtTest>

#include "TestMain.h"
#include "util/BuildInfo.h"
#include "util/Resources.h"

#include <QTemporaryDir>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;
using namespace automoe;

class TestResources : public QObject {
    Q_OBJECT

private slots:
    void init() { ::unsetenv("AUTOMOE_RESOURCES"); }
    void cleanup() { ::unsetenv("AUTOMOE_RESOURCES"); }

    void theProgramsOwnDataDirectoryComesFirst() {
        const std::vector<std::string> dirs = resourceDirectories();
        QVERIFY(dirs.size() >= 2);
        // <bin>/../share/automoe-studio, relative to this executable.
        const fs::path own = fs::path(programDirectory()).parent_path() / "share" / "automoe-studio";
        QCOMPARE(QString::fromStdString(dirs[0]), QString::fromStdString(own.lexically_normal().string()));
        // The build tree has no such directory, so the data comes from a later one and is found.
        const std::string tiny = resourcePath("spaces/tiny.json");
        QVERIFY(fs::is_regular_file(tiny));
        QCOMPARE(QString::fromStdString(dataDirectory()),
                 QString::fromStdString(fs::path(tiny).parent_path().parent_path().string()));
    }

    void environmentOverridesEverything() {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("spaces")));
        QFile f(dir.filePath(QStringLiteral("spaces/tiny.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{}");
        f.close();
        ::setenv("AUTOMOE_RESOURCES", dir.path().toUtf8().constData(), 1);
        QCOMPARE(QString::fromStdString(resourceDirectories().front()), dir.path());
        QCOMPARE(QString::fromStdString(resourcePath("spaces/tiny.json")), dir.filePath("spaces/tiny.json"));
        QCOMPARE(QString::fromStdString(dataDirectory()), dir.path());
    }

    void missingResourceNamesWhereItLooked() {
        try {
            resourcePath("spaces/no-such-space.json");
            QFAIL("no exception");
        } catch (const std::runtime_error& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains(QStringLiteral("spaces/no-such-space.json")), e.what());
            for (const std::string& d : resourceDirectories())
                QVERIFY2(message.contains(QString::fromStdString(d)), e.what());
        }
    }

    void versionsAreReported() {
        QCOMPARE(QString::fromStdString(programVersion()), QStringLiteral(AUTOMOE_VERSION));
        QVERIFY(QString::fromStdString(sqliteVersion())
                    .contains(QRegularExpression(QStringLiteral("^3\\.\\d+"))));
    }
};

AUTOMOE_TEST_MAIN(TestResources)
#include "tst_resources.moc"
