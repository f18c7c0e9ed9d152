#include "store/RunFiles.h"

#include "store/RunReader.h"

#include <filesystem>

namespace automoe {

std::string runFilesDir(const std::string& dbPath) {
    const std::filesystem::path db(dbPath);
    return (db.parent_path() / (db.stem().string() + "-files")).string();
}

std::string runFilesDir(const RunReader& store) {
    return runFilesDir(store.path());
}

std::string runLockPath(const std::string& dbPath, std::int64_t runId) {
    return runFilesDir(dbPath) + "/locks/run-" + std::to_string(runId) + ".lock";
}

} // namespace automoe
