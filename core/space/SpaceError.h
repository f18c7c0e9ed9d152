// The error thrown for invalid search spaces and architecture files: it names the file (when known) and
// the field or line at fault, so that a user can find the problem without a debugger.
#pragma once

#include <stdexcept>
#include <string>

namespace automoe {

class SpaceError : public std::runtime_error {
public:
    SpaceError(const std::string& field, const std::string& message)
        : SpaceError(field, message, std::string()) {}

    // The same error seen from a file: "path: field: message".
    SpaceError inFile(const std::string& path) const { return SpaceError(field_, message_, path); }

    const std::string& field() const { return field_; }
    const std::string& message() const { return message_; }
    const std::string& file() const { return file_; }

private:
    SpaceError(const std::string& field, const std::string& message, const std::string& file)
        : std::runtime_error((file.empty() ? "" : file + ": ") + (field.empty() ? "" : field + ": ") +
                             message)
        , field_(field)
        , message_(message)
        , file_(file) {}

    std::string field_;
    std::string message_;
    std::string file_;
};

} // namespace automoe
