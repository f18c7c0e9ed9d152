// Small pieces the CLI subcommands share: the error type that main() turns into a one-line message and
// a non-zero exit status.
#pragma once

#include <stdexcept>
#include <string>

namespace automoe::cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace automoe::cli
