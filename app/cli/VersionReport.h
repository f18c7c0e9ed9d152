// The text of `automoe --version`: version and git revision on the first line (what help2man and scripts
// read), then the libraries this process runs with, the BLAS actually loaded, the default thread count and
// the data directory. The desktop app's Help > About shows the same text.
#pragma once

#include <string>

namespace automoe::cli {

std::string versionReport();

} // namespace automoe::cli
