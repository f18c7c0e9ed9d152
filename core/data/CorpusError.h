// The error thrown for unreadable or malformed corpora: it names the file and, when one is at fault, the
// line, so that a user can fix the input without a debugger ("train.de:42: invalid UTF-8 ...").
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace automoe {

class CorpusError : public std::runtime_error {
public:
    // `line` is 1-based; 0 means the error concerns the file as a whole.
    CorpusError(const std::string& file, std::size_t line, const std::string& message)
        : std::runtime_error(format(file, line, message))
        , file_(file)
        , line_(line)
        , message_(message) {}

    const std::string& file() const { return file_; }
    std::size_t line() const { return line_; }
    const std::string& message() const { return message_; }

private:
    static std::string format(const std::string& file, std::size_t line, const std::string& message) {
        std::string s = file.empty() ? std::string("corpus") : file;
        if (line > 0) s += ":" + std::to_string(line);
        return s + ": " + message;
    }

    std::string file_;
    std::size_t line_;
    std::string message_;
};

} // namespace automoe
