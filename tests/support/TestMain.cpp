#include "TestMain.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#ifdef AUTOMOE_TEST_WIDGETS
#include <QApplication>
using TestApplication = QApplication;
#else
#include <QCoreApplication>
using TestApplication = QCoreApplication;
#endif

namespace automoe::test {

namespace {
std::map<std::string, SuiteFactory>& suites() {
    static std::map<std::string, SuiteFactory> all;
    return all;
}
std::map<std::string, HelperCommand>& helpers() {
    static std::map<std::string, HelperCommand> all;
    return all;
}
} // namespace

int registerHelper(const char* name, HelperCommand command) {
    helpers().emplace(name, std::move(command));
    return int(helpers().size());
}

int registerSuite(const char* name, SuiteFactory factory) {
    if (!suites().emplace(name, std::move(factory)).second) {
        std::fprintf(stderr, "two test suites are registered as %s\n", name);
        std::abort();
    }
    return int(suites().size());
}

} // namespace automoe::test

int main(int argc, char** argv) {
    if (argc >= 2) {
        const auto& helpers = automoe::test::helpers();
        if (const auto it = helpers.find(argv[1]); it != helpers.end()) return it->second(argc - 2, argv + 2);
    }
    auto& all = automoe::test::suites();
    if (argc < 2 || all.find(argv[1]) == all.end()) {
        std::fprintf(stderr, "usage: %s SUITE [Qt Test options]\nsuites:", argv[0]);
        for (const auto& [name, factory] : all)
            std::fprintf(stderr, " %s", name.c_str());
        std::fprintf(stderr, "\n");
        return 2;
    }
    // No suite reads or writes the user's data: the default run database, the log file and the settings of
    // anything that does not name its own (XDG_DATA_HOME, XDG_CONFIG_HOME) are in a directory of this
    // process, removed at exit. Child processes (the CLI) inherit it.
    QTemporaryDir userData(QDir::temp().filePath(QStringLiteral("automoe-test-home-XXXXXX")));
    if (!userData.isValid()) {
        std::fprintf(stderr, "could not create a temporary XDG_DATA_HOME: %s\n",
                     qPrintable(userData.errorString()));
        return 2;
    }
    qputenv("XDG_DATA_HOME", QFile::encodeName(userData.filePath(QStringLiteral("data"))));
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(userData.filePath(QStringLiteral("config"))));
    // The suite name takes the program's place, so Qt Test's output names the suite.
    std::vector<char*> args(argv + 1, argv + argc);
    int count = int(args.size());
    TestApplication app(count, args.data());
    app.setAttribute(Qt::AA_Use96Dpi, true);
    std::unique_ptr<QObject> suite = all.at(argv[1])();
    return QTest::qExec(suite.get(), count, args.data());
}
