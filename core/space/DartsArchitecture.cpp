#include "space/DartsArchitecture.h"

#include "space/SpaceError.h"
#include "space/SpaceIO.h"
#include "util/Resources.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace automoe {

namespace {

using json = nlohmann::json;

std::string stackKey(const std::vector<std::vector<DartsOpSpec>>& layers) {
    std::string s;
    for (size_t l = 0; l < layers.size(); ++l) {
        if (l) s += "|";
        for (size_t k = 0; k < layers[l].size(); ++k)
            s += (k ? "," : "") + layers[l][k].name();
    }
    return s;
}

json stackJson(const std::vector<std::vector<DartsOpSpec>>& layers) {
    json out = json::array();
    for (const auto& layer : layers) {
        json ops = json::array();
        for (const auto& op : layer)
            ops.push_back(op.name());
        out.push_back(ops);
    }
    return out;
}

int64_t positiveInt(const json& j, const char* key, int64_t fallback) {
    if (!j.contains(key)) return fallback;
    if (!j[key].is_number_integer() || j[key].get<int64_t>() <= 0)
        throw SpaceError(key, "expected a positive integer");
    return j[key].get<int64_t>();
}

std::vector<std::vector<DartsOpSpec>> stackOf(const json& j, const std::string& where, int64_t splits,
                                              bool decoder) {
    if (!j.contains(where)) throw SpaceError(where, "missing");
    const json& list = j[where];
    if (!list.is_array() || list.empty()) throw SpaceError(where, "expected a non-empty list of layers");
    std::vector<std::vector<DartsOpSpec>> out;
    for (size_t l = 0; l < list.size(); ++l) {
        const std::string layerField = where + "[" + std::to_string(l) + "]";
        if (!list[l].is_array() || int64_t(list[l].size()) != splits)
            throw SpaceError(layerField, "expected a list of " + std::to_string(splits) +
                                             " operation names (one per split)");
        std::vector<DartsOpSpec> layer;
        for (size_t k = 0; k < list[l].size(); ++k) {
            const std::string field = layerField + "[" + std::to_string(k) + "]";
            if (!list[l][k].is_string()) throw SpaceError(field, "expected an operation name");
            DartsOpSpec op;
            try {
                op = DartsOpSpec::parse(list[l][k].get<std::string>());
            } catch (const std::invalid_argument& e) {
                throw SpaceError(field, e.what());
            }
            if (op.kind == DartsOpKind::Zero)
                throw SpaceError(field, "zero is never part of an architecture");
            if (op.kind == DartsOpKind::EncoderAttention && !decoder)
                throw SpaceError(field, "ende_attention is a decoder operation");
            layer.push_back(op);
        }
        out.push_back(std::move(layer));
    }
    return out;
}

} // namespace

std::string DartsArchitecture::key() const {
    return "enc[" + stackKey(encoder) + "] dec[" + stackKey(decoder) + "]";
}

bool DartsArchitecture::operator==(const DartsArchitecture& o) const {
    return hidden == o.hidden && heads == o.heads && splits == o.splits && encoder == o.encoder &&
           decoder == o.decoder && searchRun == o.searchRun && searchStep == o.searchStep;
}

DartsArchitecture DartsArchitecture::standardTransformer(int64_t hidden, int64_t heads, int64_t encoderLayers,
                                                         int64_t decoderLayers) {
    DartsArchitecture a;
    a.hidden = hidden;
    a.heads = heads;
    a.splits = 2;
    const std::vector<DartsOpSpec> layer{DartsOpSpec::parse("self_attention"), DartsOpSpec::parse("ffn")};
    a.encoder.assign(size_t(encoderLayers), layer);
    a.decoder.assign(size_t(decoderLayers), layer);
    return a;
}

json dartsArchitectureToJson(const DartsArchitecture& a) {
    json j = {{"format", "automoe-darts-arch"},
              {"version", DartsArchitecture::kFormatVersion},
              {"hidden", a.hidden},
              {"heads", a.heads},
              {"splits", a.splits},
              {"encoder", stackJson(a.encoder)},
              {"decoder", stackJson(a.decoder)}};
    if (a.searchRun > 0) {
        j["search_run"] = a.searchRun;
        j["search_step"] = a.searchStep;
    }
    return j;
}

DartsArchitecture dartsArchitectureFromJson(const json& j, const std::string& source) {
    try {
        if (!j.is_object()) throw SpaceError("", "expected a JSON object");
        for (const auto& [key, value] : j.items())
            if (key != "format" && key != "version" && key != "hidden" && key != "heads" && key != "splits" &&
                key != "encoder" && key != "decoder" && key != "search_run" && key != "search_step")
                throw SpaceError(key, "unknown key");
        if (j.contains("format") && j["format"] != "automoe-darts-arch")
            throw SpaceError("format", "expected \"automoe-darts-arch\"");
        if (j.contains("version")) {
            if (!j["version"].is_number_integer()) throw SpaceError("version", "expected an integer");
            if (j["version"].get<int>() > DartsArchitecture::kFormatVersion)
                throw SpaceError("version", "version " + std::to_string(j["version"].get<int>()) +
                                                " is newer than this program's " +
                                                std::to_string(DartsArchitecture::kFormatVersion));
        }
        DartsArchitecture a;
        a.hidden = positiveInt(j, "hidden", a.hidden);
        a.heads = positiveInt(j, "heads", a.heads);
        a.splits = positiveInt(j, "splits", a.splits);
        if (a.hidden % a.heads != 0)
            throw SpaceError("heads", std::to_string(a.heads) + " heads do not divide hidden " +
                                          std::to_string(a.hidden));
        a.encoder = stackOf(j, "encoder", a.splits, false);
        a.decoder = stackOf(j, "decoder", a.splits, true);
        if (j.contains("search_run")) {
            if (!j["search_run"].is_number_integer()) throw SpaceError("search_run", "expected an integer");
            a.searchRun = j["search_run"].get<int64_t>();
        }
        if (j.contains("search_step")) {
            if (!j["search_step"].is_number_integer()) throw SpaceError("search_step", "expected an integer");
            a.searchStep = j["search_step"].get<int64_t>();
        }
        return a;
    } catch (const SpaceError& e) {
        throw e.inFile(source);
    }
}

DartsArchitecture parseDartsArchitecture(const std::string& text, const std::string& source) {
    return dartsArchitectureFromJson(parseSpaceJson(text, source), source);
}

DartsArchitecture loadDartsArchitecture(const std::string& path) {
    return parseDartsArchitecture(readTextFile(path), path);
}

void saveDartsArchitecture(const DartsArchitecture& arch, const std::string& path) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << dartsArchitectureToJson(arch).dump(2) << "\n";
        if (!out.flush()) throw std::runtime_error(path + ": could not write the architecture");
    }
    std::filesystem::rename(tmp, path);
}

std::vector<std::vector<DartsOpSpec>>
deriveEdges(const std::vector<DartsOpSpec>& candidates,
            const std::vector<std::vector<std::vector<double>>>& weights) {
    std::vector<std::vector<DartsOpSpec>> out;
    for (size_t l = 0; l < weights.size(); ++l) {
        std::vector<DartsOpSpec> layer;
        for (size_t k = 0; k < weights[l].size(); ++k) {
            const auto& w = weights[l][k];
            if (w.size() != candidates.size())
                throw std::invalid_argument("deriveEdges: layer " + std::to_string(l) + " edge " +
                                            std::to_string(k) + " has " + std::to_string(w.size()) +
                                            " weights for " + std::to_string(candidates.size()) +
                                            " candidates");
            int best = -1;
            for (size_t c = 0; c < w.size(); ++c)
                if (candidates[c].kind != DartsOpKind::Zero && (best < 0 || w[c] > w[size_t(best)]))
                    best = int(c);
            if (best < 0) throw std::invalid_argument("deriveEdges: only zero among the candidates");
            layer.push_back(candidates[size_t(best)]);
        }
        out.push_back(std::move(layer));
    }
    return out;
}

} // namespace automoe
