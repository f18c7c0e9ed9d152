// Locating bundled resources (default search spaces, the corpus sample) whether the program runs from
// the build tree, an installed prefix, or with AUTOMOE_RESOURCES pointing elsewhere.
#pragma once

#include <string>

namespace automoe {

// The full path of `relative` (e.g. "spaces/tiny.json") in the first resource directory that has it.
// Throws std::runtime_error listing the directories searched when none has it.
std::string resourcePath(const std::string& relative);

// Reads a whole file; throws std::runtime_error naming the file when it cannot be read.
std::string readTextFile(const std::string& path);
// Writes a file atomically (temporary file + rename) so that a crash never leaves half a file.
void writeTextFileAtomic(const std::string& path, const std::string& text);

} // namespace automoe
