// The error thrown by the evolutionary search: a malformed budget string, an impossible budget, an
// evaluator that breaks its contract. The message says what was given and what was expected.
#pragma once

#include <stdexcept>
#include <string>

namespace automoe {

class SearchError : public std::runtime_error {
public:
    explicit SearchError(const std::string& message)
        : std::runtime_error(message) {}
};

} // namespace automoe
