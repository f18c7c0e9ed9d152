// Locating bundled resources (default search spaces, the corpus sample, the user guide) whether the program
// runs from the build tree, an installed prefix (wherever it was unpacked), or with AUTOMOE_RESOURCES
// pointing elsewhere.
#pragma once

#include <string>
#include <vector>

namespace automoe {

// The directories searched for resources, in order: $AUTOMOE_RESOURCES, the data directory next to the
// running program (<bin>/../share/automoe-studio: an installed or unpacked package), the source tree's
// resources/ (development builds only; packages are built without it), and the configured install prefix.
std::vector<std::string> resourceDirectories();

// The full path of `relative` (e.g. "spaces/tiny.json") in the first resource directory that has it.
// Throws std::runtime_error listing the directories searched when none has it.
std::string resourcePath(const std::string& relative);

// The resource directory that resourcePath("spaces/tiny.json") resolves in, or "" when none has it: what
// `automoe --version` reports as the data directory.
std::string dataDirectory();

// The user guide (docs/guide.md in the source tree, doc/guide.md in the installed data directory), or ""
// when it is not found.
std::string userGuidePath();

// The directory of the running program (/proc/self/exe), or "" when it cannot be read.
std::string programDirectory();

// Reads a whole file; throws std::runtime_error naming the file when it cannot be read.
std::string readTextFile(const std::string& path);
// Writes a file atomically (temporary file + rename) so that a crash never leaves half a file.
void writeTextFileAtomic(const std::string& path, const std::string& text);

} // namespace automoe
