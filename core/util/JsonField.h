// Typed reads of the fields of a JSON object (run configurations, event payloads) with errors that name
// the field: the one place that turns nlohmann's type errors into messages a user can act on. A field that
// is missing or null counts as not given.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace automoe {

class JsonFields {
public:
    // Errors name a field by its path, "<path>.<key>: expected an integer, got "many"" (configurations).
    static JsonFields at(std::string path) { return JsonFields(std::move(path), false); }
    // Errors name a field of an event's payload, "<kind> event: field "<key>" has the wrong type (...)".
    static JsonFields ofEvent(const std::string& kind) { return JsonFields(kind + " event", true); }

    // The field; throws std::invalid_argument naming it when it is missing or has another type.
    template <typename T> T required(const nlohmann::json& j, const char* key) const {
        if (!j.is_object()) notAnObject(j);
        const auto it = j.find(key);
        if (it == j.end() || it->is_null()) missing(key);
        return as<T>(*it, key);
    }
    // The field, or `fallback` when it is not given; throws naming it when it has another type.
    template <typename T> T get(const nlohmann::json& j, const char* key, const T& fallback) const {
        if (!given(j, key)) return fallback;
        return as<T>(j.at(key), key);
    }
    template <typename T> std::optional<T> optional(const nlohmann::json& j, const char* key) const {
        if (!given(j, key)) return std::nullopt;
        return as<T>(j.at(key), key);
    }

private:
    JsonFields(std::string where, bool event)
        : where_(std::move(where))
        , event_(event) {}

    static bool given(const nlohmann::json& j, const char* key) {
        return j.is_object() && j.contains(key) && !j.at(key).is_null();
    }

    template <typename T> T as(const nlohmann::json& value, const char* key) const {
        // get<T>() converts a number outside T with a cast: undefined behaviour for a double (found by
        // tests/fuzz/fuzz_event_payload: a checkpoint event's "created" of 1.7e138), a wrapped value for an
        // integer.
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
            if (!inRange<T>(value)) outOfRange(key, value);
        try {
            return value.get<T>();
        } catch (const nlohmann::json::exception&) {
            wrongType(key, typeName<T>(), value);
        }
    }

    // Whether a number fits T (integral); other values are left to get<T>(), which throws for them.
    template <typename T> static bool inRange(const nlohmann::json& v) {
        using L = std::numeric_limits<T>;
        if (v.is_number_float()) {
            const double d = v.get<double>(); // NaN fails both comparisons
            return d >= static_cast<double>(L::min()) && d < std::ldexp(1.0, L::digits);
        }
        if (v.is_number_unsigned()) return v.get<std::uint64_t>() <= static_cast<std::uint64_t>(L::max());
        if (v.is_number_integer()) {
            const std::int64_t i = v.get<std::int64_t>();
            if constexpr (L::is_signed)
                return i >= static_cast<std::int64_t>(L::min()) && i <= static_cast<std::int64_t>(L::max());
            else
                return i >= 0 && static_cast<std::uint64_t>(i) <= static_cast<std::uint64_t>(L::max());
        }
        return true;
    }

    template <typename T> static const char* typeName() {
        if constexpr (std::is_same_v<T, bool>)
            return "true or false";
        else if constexpr (std::is_integral_v<T>)
            return "an integer";
        else if constexpr (std::is_floating_point_v<T>)
            return "a number";
        else if constexpr (std::is_same_v<T, std::string>)
            return "a string";
        else if constexpr (std::is_same_v<T, nlohmann::json>)
            return "a JSON value";
        else
            return "a list";
    }

    [[noreturn]] void missing(const char* key) const {
        throw std::invalid_argument(event_ ? where_ + ": missing field \"" + key + "\""
                                           : where_ + "." + key + ": missing");
    }
    [[noreturn]] void wrongType(const char* key, const char* expected, const nlohmann::json& value) const {
        throw std::invalid_argument(
            event_ ? where_ + ": field \"" + key + "\" has the wrong type (" + value.dump() + ")"
                   : where_ + "." + key + ": expected " + expected + ", got " + value.dump());
    }
    [[noreturn]] void outOfRange(const char* key, const nlohmann::json& value) const {
        throw std::invalid_argument(event_ ? where_ + ": field \"" + key + "\" is out of range (" +
                                                 value.dump() + ")"
                                           : where_ + "." + key + ": " + value.dump() + " is out of range");
    }
    [[noreturn]] void notAnObject(const nlohmann::json& j) const {
        throw std::invalid_argument(event_ ? where_ + ": the payload is not an object"
                                           : where_ + ": expected an object, got " + j.dump());
    }

    std::string where_;
    bool event_;
};

} // namespace automoe
