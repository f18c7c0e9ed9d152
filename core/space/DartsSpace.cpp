#include "space/DartsSpace.h"

#include "space/SpaceError.h"
#include "space/SpaceIO.h"
#include "util/Resources.h"

#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

namespace automoe {

namespace {

using json = nlohmann::json;

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

int kernelOf(const std::string& name, const std::string& prefix) {
    const std::string digits = name.substr(prefix.size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 3)
        throw std::invalid_argument("unknown DARTS operation '" + name + "'");
    const int k = std::stoi(digits);
    if (k < 1 || k % 2 == 0)
        throw std::invalid_argument("DARTS operation '" + name +
                                    "': the kernel width must be odd and positive");
    return k;
}

std::vector<DartsOpSpec> candidatesOf(const json& stack, const std::string& where, bool decoder) {
    if (!stack.is_object()) throw SpaceError(where, "expected an object");
    for (const auto& [key, value] : stack.items())
        if (key != "candidates") throw SpaceError(where + "." + key, "unknown key");
    if (!stack.contains("candidates")) throw SpaceError(where + ".candidates", "missing");
    const json& list = stack["candidates"];
    if (!list.is_array() || list.empty())
        throw SpaceError(where + ".candidates", "expected a non-empty list of operation names");
    std::vector<DartsOpSpec> out;
    std::set<std::string> seen;
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string field = where + ".candidates[" + std::to_string(i) + "]";
        if (!list[i].is_string()) throw SpaceError(field, "expected an operation name");
        const std::string name = list[i].get<std::string>();
        DartsOpSpec spec;
        try {
            spec = DartsOpSpec::parse(name);
        } catch (const std::invalid_argument& e) {
            throw SpaceError(field, e.what());
        }
        if (spec.kind == DartsOpKind::EncoderAttention && !decoder)
            throw SpaceError(field, "ende_attention is a decoder operation");
        if (!seen.insert(spec.name()).second) throw SpaceError(field, "'" + name + "' is listed twice");
        out.push_back(spec);
    }
    bool real = false;
    for (const auto& s : out)
        real = real || s.kind != DartsOpKind::Zero;
    if (!real) throw SpaceError(where + ".candidates", "needs an operation other than zero");
    return out;
}

} // namespace

DartsOpSpec DartsOpSpec::parse(const std::string& name) {
    DartsOpSpec s;
    if (name == "self_attention")
        s.kind = DartsOpKind::SelfAttention;
    else if (name == "ende_attention")
        s.kind = DartsOpKind::EncoderAttention;
    else if (name == "glu")
        s.kind = DartsOpKind::Glu;
    else if (name == "ffn")
        s.kind = DartsOpKind::Ffn;
    else if (name == "zero")
        s.kind = DartsOpKind::Zero;
    else if (name == "identity")
        s.kind = DartsOpKind::Identity;
    else if (startsWith(name, "lightconv")) {
        s.kind = DartsOpKind::LightConv;
        s.kernel = kernelOf(name, "lightconv");
    } else if (startsWith(name, "dynconv")) {
        s.kind = DartsOpKind::DynamicConv;
        s.kernel = kernelOf(name, "dynconv");
    } else if (startsWith(name, "conv")) {
        s.kind = DartsOpKind::Conv;
        s.kernel = kernelOf(name, "conv");
    } else {
        throw std::invalid_argument("unknown DARTS operation '" + name + "'");
    }
    return s;
}

std::string DartsOpSpec::name() const {
    switch (kind) {
    case DartsOpKind::Conv:
        return "conv" + std::to_string(kernel);
    case DartsOpKind::LightConv:
        return "lightconv" + std::to_string(kernel);
    case DartsOpKind::DynamicConv:
        return "dynconv" + std::to_string(kernel);
    case DartsOpKind::SelfAttention:
        return "self_attention";
    case DartsOpKind::EncoderAttention:
        return "ende_attention";
    case DartsOpKind::Glu:
        return "glu";
    case DartsOpKind::Ffn:
        return "ffn";
    case DartsOpKind::Zero:
        return "zero";
    case DartsOpKind::Identity:
        return "identity";
    }
    return "?";
}

DartsSpace DartsSpace::standard() {
    DartsSpace s;
    s.name = "darts";
    s.description = "DARTSformer's candidate operations (Zhao et al. 2021)";
    std::vector<std::string> names;
    for (int k : {3, 5, 7, 11})
        names.push_back("conv" + std::to_string(k));
    for (const char* p : {"lightconv", "dynconv"})
        for (int k : {3, 7, 11, 15})
            names.push_back(p + std::to_string(k));
    for (const char* n : {"self_attention", "glu", "ffn", "zero", "identity"})
        names.push_back(n);
    for (const auto& n : names)
        s.encoder.push_back(DartsOpSpec::parse(n));
    s.decoder = s.encoder;
    s.decoder.push_back(DartsOpSpec::parse("ende_attention"));
    return s;
}

DartsSpace parseDartsSpace(const std::string& text, const std::string& source) {
    const json j = parseSpaceJson(text, source);
    try {
        if (!j.is_object()) throw SpaceError("", "expected a JSON object");
        for (const auto& [key, value] : j.items())
            if (key != "format" && key != "version" && key != "name" && key != "description" &&
                key != "encoder" && key != "decoder")
                throw SpaceError(key, "unknown key");
        if (j.contains("format") && j["format"] != "automoe-darts-space")
            throw SpaceError("format", "expected \"automoe-darts-space\"");
        if (j.contains("version")) {
            if (!j["version"].is_number_integer()) throw SpaceError("version", "expected an integer");
            if (j["version"].get<int>() > DartsSpace::kFormatVersion)
                throw SpaceError("version", "version " + std::to_string(j["version"].get<int>()) +
                                                " is newer than this program's " +
                                                std::to_string(DartsSpace::kFormatVersion));
        }
        DartsSpace s;
        for (const char* key : {"name", "description"})
            if (j.contains(key)) {
                if (!j[key].is_string()) throw SpaceError(key, "expected a string");
                (std::string(key) == "name" ? s.name : s.description) = j[key].get<std::string>();
            }
        for (const char* stack : {"encoder", "decoder"})
            if (!j.contains(stack)) throw SpaceError(stack, "missing");
        s.encoder = candidatesOf(j["encoder"], "encoder", false);
        s.decoder = candidatesOf(j["decoder"], "decoder", true);
        return s;
    } catch (const SpaceError& e) {
        throw e.inFile(source);
    }
}

DartsSpace loadDartsSpace(const std::string& path) {
    return parseDartsSpace(readTextFile(path), path);
}

DartsSpace loadDartsSpaceByNameOrPath(const std::string& nameOrPath) {
    return loadDartsSpace(bundledOrPath(nameOrPath, "darts"));
}

std::string dartsSpaceToJson(const DartsSpace& s) {
    auto names = [](const std::vector<DartsOpSpec>& ops) {
        json list = json::array();
        for (const auto& op : ops)
            list.push_back(op.name());
        return list;
    };
    json j = {{"format", "automoe-darts-space"},
              {"version", DartsSpace::kFormatVersion},
              {"name", s.name},
              {"description", s.description},
              {"encoder", {{"candidates", names(s.encoder)}}},
              {"decoder", {{"candidates", names(s.decoder)}}}};
    return j.dump(2) + "\n";
}

} // namespace automoe
