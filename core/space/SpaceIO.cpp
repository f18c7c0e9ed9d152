#include "space/SpaceIO.h"

#include "space/SpaceError.h"
#include "util/Resources.h"

#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

using nlohmann::json;

namespace automoe {
namespace {

constexpr const char* kFormat = "automoe-space";
constexpr int kVersion = 1;

const char* typeName(const json& j) {
    return j.type_name();
}

int readInt(const json& j, const std::string& field) {
    if (!j.is_number_integer())
        throw SpaceError(field, std::string("expected an integer, got ") + typeName(j) + " " + j.dump());
    // get<int>() would wrap 4294967808 to 512.
    if (j.is_number_unsigned() ? j.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<int>::max())
                               : j.get<std::int64_t>() < std::numeric_limits<int>::min() ||
                                     j.get<std::int64_t>() > std::numeric_limits<int>::max())
        throw SpaceError(field, "integer " + j.dump() + " is out of range");
    return j.get<int>();
}

// A dimension is a list of integers or {"min": a, "max": b}.
Dimension readDimension(const json& j, const std::string& field) {
    if (j.is_array()) {
        if (j.empty()) throw SpaceError(field, "has no choices");
        std::vector<int> values;
        for (std::size_t i = 0; i < j.size(); ++i)
            values.push_back(readInt(j[i], field + "[" + std::to_string(i) + "]"));
        std::set<int> distinct(values.begin(), values.end());
        if (distinct.size() != values.size()) throw SpaceError(field, "lists a choice twice");
        return Dimension::of(values);
    }
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it)
            if (it.key() != "min" && it.key() != "max")
                throw SpaceError(field + "." + it.key(),
                                 "unknown key (a range has only \"min\" and \"max\")");
        if (!j.contains("min")) throw SpaceError(field + ".min", "missing");
        if (!j.contains("max")) throw SpaceError(field + ".max", "missing");
        const int lo = readInt(j["min"], field + ".min"), hi = readInt(j["max"], field + ".max");
        if (lo > hi)
            throw SpaceError(field, "inverted bounds: min " + std::to_string(lo) + " is greater than max " +
                                        std::to_string(hi));
        // In 64 bits: hi - lo of min -2147483648 and max 2147483647 overflows an int.
        if (std::int64_t(hi) - std::int64_t(lo) > 100000) throw SpaceError(field, "range too wide");
        return Dimension::range(lo, hi);
    }
    throw SpaceError(field,
                     std::string("expected a list of integers or {\"min\", \"max\"}, got ") + typeName(j));
}

json writeDimension(const Dimension& d) {
    if (d.isRange) return json{{"min", d.min()}, {"max", d.max()}};
    return d.choices;
}

void rejectUnknown(const json& j, const std::set<std::string>& known, const std::string& prefix) {
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!known.count(it.key())) {
            std::string expected;
            for (const auto& k : known)
                expected += (expected.empty() ? "" : ", ") + k;
            throw SpaceError(prefix + it.key(), "unknown key (expected one of: " + expected + ")");
        }
}

StackSpace readStack(const json& j, Stack st) {
    const std::string p = stackName(st);
    if (!j.is_object()) throw SpaceError(p, std::string("expected an object, got ") + typeName(j));
    std::set<std::string> known{"embed_dim", "layers", "ffn_dim",           "heads",
                                "experts",   "top_k",  "fractional_experts"};
    if (st == Stack::Decoder) known.insert({"ende_heads", "arbitrary_ende"});
    rejectUnknown(j, known, p + ".");
    auto required = [&](const char* key) -> const json& {
        if (!j.contains(key)) throw SpaceError(p + "." + key, "missing");
        return j[key];
    };
    StackSpace s;
    s.embedDim = readDimension(required("embed_dim"), p + ".embed_dim");
    s.layers = readDimension(required("layers"), p + ".layers");
    s.ffnDim = readDimension(required("ffn_dim"), p + ".ffn_dim");
    s.selfHeads = readDimension(required("heads"), p + ".heads");
    s.experts = j.contains("experts") ? readDimension(j["experts"], p + ".experts") : Dimension::of({1});
    s.topK = j.contains("top_k") ? readDimension(j["top_k"], p + ".top_k") : Dimension::of({1});
    if (j.contains("fractional_experts")) {
        if (!j["fractional_experts"].is_boolean())
            throw SpaceError(p + ".fractional_experts",
                             std::string("expected true or false, got ") + typeName(j["fractional_experts"]));
        s.fractionalExperts = j["fractional_experts"].get<bool>();
    }
    if (st == Stack::Decoder) {
        s.endeHeads = readDimension(required("ende_heads"), p + ".ende_heads");
        s.arbitraryEnde = j.contains("arbitrary_ende")
                              ? readDimension(j["arbitrary_ende"], p + ".arbitrary_ende")
                              : Dimension::of({-1});
    }
    return s;
}

json writeStack(const StackSpace& s, Stack st) {
    json j;
    j["embed_dim"] = writeDimension(s.embedDim);
    j["layers"] = writeDimension(s.layers);
    j["ffn_dim"] = writeDimension(s.ffnDim);
    j["heads"] = writeDimension(s.selfHeads);
    if (st == Stack::Decoder) {
        j["ende_heads"] = writeDimension(s.endeHeads);
        j["arbitrary_ende"] = writeDimension(s.arbitraryEnde);
    }
    j["experts"] = writeDimension(s.experts);
    j["top_k"] = writeDimension(s.topK);
    j["fractional_experts"] = s.fractionalExperts;
    return j;
}

SupernetDims readSupernet(const json& j, int qkvDim) {
    if (!j.is_object()) throw SpaceError("supernet", std::string("expected an object, got ") + typeName(j));
    rejectUnknown(j, {"encoder", "decoder"}, "supernet.");
    SupernetDims d;
    d.qkvDim = qkvDim;
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        const std::string p = std::string("supernet.") + stackName(st);
        if (!j.contains(stackName(st))) throw SpaceError(p, "missing");
        const json& s = j[stackName(st)];
        if (!s.is_object()) throw SpaceError(p, "expected an object");
        rejectUnknown(s, {"embed_dim", "layers", "ffn_dim", "experts"}, p + ".");
        for (const char* key : {"embed_dim", "layers", "ffn_dim", "experts"})
            if (!s.contains(key)) throw SpaceError(p + "." + key, "missing");
        const int embed = readInt(s["embed_dim"], p + ".embed_dim");
        const int layers = readInt(s["layers"], p + ".layers");
        const int ffn = readInt(s["ffn_dim"], p + ".ffn_dim");
        const int experts = readInt(s["experts"], p + ".experts");
        if (experts < 1) throw SpaceError(p + ".experts", "a layer needs at least one expert");
        if (st == Stack::Encoder) {
            d.encoderEmbedDim = embed, d.encoderLayers = layers, d.encoderFfnDim = ffn,
            d.encoderExperts = experts;
        } else {
            d.decoderEmbedDim = embed, d.decoderLayers = layers, d.decoderFfnDim = ffn,
            d.decoderExperts = experts;
        }
    }
    d.embedDim = std::max(d.encoderEmbedDim, d.decoderEmbedDim);
    return d;
}

} // namespace

SearchSpace spaceFromJson(const json& j) {
    if (!j.is_object())
        throw SpaceError("", std::string("a search space is a JSON object, got ") + typeName(j));
    rejectUnknown(
        j, {"format", "version", "name", "description", "qkv_dim", "encoder", "decoder", "supernet"}, "");
    if (j.contains("format") && j["format"] != kFormat)
        throw SpaceError("format", "expected \"" + std::string(kFormat) + "\", got " + j["format"].dump());
    if (j.contains("version")) {
        const int v = readInt(j["version"], "version");
        if (v > kVersion)
            throw SpaceError("version", "file has version " + std::to_string(v) +
                                            ", this program reads up to " + std::to_string(kVersion));
    }
    SearchSpace s;
    if (j.contains("name")) {
        if (!j["name"].is_string()) throw SpaceError("name", "expected a string");
        s.name = j["name"].get<std::string>();
    }
    if (j.contains("description")) {
        if (!j["description"].is_string()) throw SpaceError("description", "expected a string");
        s.description = j["description"].get<std::string>();
    }
    if (!j.contains("qkv_dim")) throw SpaceError("qkv_dim", "missing");
    s.qkvDim = readInt(j["qkv_dim"], "qkv_dim");
    if (!j.contains("encoder")) throw SpaceError("encoder", "missing");
    s.encoder = readStack(j["encoder"], Stack::Encoder);
    if (!j.contains("decoder")) throw SpaceError("decoder", "missing");
    s.decoder = readStack(j["decoder"], Stack::Decoder);
    if (j.contains("supernet")) s.pinnedSupernet = readSupernet(j["supernet"], s.qkvDim);
    s.validate();
    return s;
}

json spaceToJson(const SearchSpace& s) {
    json j;
    j["format"] = kFormat;
    j["version"] = kVersion;
    j["name"] = s.name;
    if (!s.description.empty()) j["description"] = s.description;
    j["qkv_dim"] = s.qkvDim;
    j["encoder"] = writeStack(s.encoder, Stack::Encoder);
    j["decoder"] = writeStack(s.decoder, Stack::Decoder);
    if (s.pinnedSupernet) {
        const SupernetDims& d = *s.pinnedSupernet;
        j["supernet"] = {{"encoder",
                          {{"embed_dim", d.encoderEmbedDim},
                           {"layers", d.encoderLayers},
                           {"ffn_dim", d.encoderFfnDim},
                           {"experts", d.encoderExperts}}},
                         {"decoder",
                          {{"embed_dim", d.decoderEmbedDim},
                           {"layers", d.decoderLayers},
                           {"ffn_dim", d.decoderFfnDim},
                           {"experts", d.decoderExperts}}}};
    }
    return j;
}

json parseSpaceJson(const std::string& text, const std::string& source) {
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        // parse_error, and out_of_range 406 for a number too large for a double ("1E400")
        throw SpaceError("", std::string("invalid JSON: ") + e.what()).inFile(source);
    }
}

std::string bundledOrPath(const std::string& nameOrPath, const std::string& folder) {
    std::error_code ec;
    if (std::filesystem::exists(nameOrPath, ec) || nameOrPath.find('/') != std::string::npos ||
        nameOrPath.find(".json") != std::string::npos)
        return nameOrPath;
    return resourcePath(folder + "/" + nameOrPath + ".json");
}

SearchSpace parseSpace(const std::string& text, const std::string& source) {
    const json j = parseSpaceJson(text, source);
    try {
        return spaceFromJson(j);
    } catch (const SpaceError& e) {
        throw e.inFile(source);
    }
}

SearchSpace loadSpace(const std::string& path) {
    return parseSpace(readTextFile(path), path);
}

void saveSpace(const SearchSpace& space, const std::string& path) {
    space.validate();
    writeTextFileAtomic(path, spaceToJson(space).dump(2) + "\n");
}

SearchSpace loadSpaceByNameOrPath(const std::string& nameOrPath) {
    return loadSpace(bundledOrPath(nameOrPath, "spaces"));
}

} // namespace automoe
