// The Qt Test suites of one layer (base, torch, ui) share one executable, so that the build compiles, moc's
// and links three test programs instead of one per suite. Every suite registers its class under its CTest
// name with AUTOMOE_TEST_MAIN(Class) (in place of QTEST_MAIN); `automoe_tests_<layer> NAME [Qt Test
// options]` runs suite NAME, and CTest registers each suite under its own name as before.
#pragma once

#include "run/RunProgress.h"
#include "store/RunRecords.h"

#include <QObject>
#include <QtGlobal>
#include <functional>
#include <memory>

namespace automoe {
// What a failed QCOMPARE of a run status or a stage state prints. Qt Test finds these by argument-dependent
// lookup and delete[]s what they return, so they return qstrdup()'s copy (Qt Test's documented contract).
// Core's names are runStatusName / stageStateName: when they were overloads of toString returning a static
// string, a failing QCOMPARE on a RunStatus found them instead and crashed freeing it.
inline char* toString(RunStatus status) {
    return qstrdup(runStatusName(status));
}
inline char* toString(StageState state) {
    return qstrdup(stageStateName(state));
}
} // namespace automoe

namespace automoe::test {

using SuiteFactory = std::function<std::unique_ptr<QObject>()>;

// Registers suite `name`; returns a value to initialise a static with.
int registerSuite(const char* name, SuiteFactory factory);

// A helper a suite runs as a child process of the test executable (`automoe_tests_<layer> NAME ARGS...`):
// main() calls it with the arguments after NAME instead of running a suite; it returns the exit code.
using HelperCommand = std::function<int(int argc, char** argv)>;
int registerHelper(const char* name, HelperCommand command);

} // namespace automoe::test

#define AUTOMOE_TEST_CONCAT2(a, b) a##b
#define AUTOMOE_TEST_CONCAT(a, b) AUTOMOE_TEST_CONCAT2(a, b)
// AUTOMOE_TEST_NAME is defined per source file by automoe_add_test() in tests/CMakeLists.txt.
#define AUTOMOE_TEST_MAIN(Class)                                                                             \
    static const int AUTOMOE_TEST_CONCAT(automoeRegistered, Class) =                                         \
        automoe::test::registerSuite(AUTOMOE_TEST_NAME, [] { return std::unique_ptr<QObject>(new Class); });
