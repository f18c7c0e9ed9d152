// Small helpers for single-file LibTorch archives (model and predictor files): text and bytes stored as
// uint8 tensors (no pickling of strings, so any bytes survive), atomic writes, and reads whose errors name
// the file.
#pragma once

#include "util/Resources.h"

#include <torch/torch.h>

#include <cstring>
#include <sstream>
#include <stdexcept>
#include <string>

namespace automoe {

inline void writeArchiveText(torch::serialize::OutputArchive& archive, const std::string& key,
                             const std::string& text) {
    auto t = torch::empty({static_cast<int64_t>(text.size())}, torch::kUInt8);
    if (!text.empty()) std::memcpy(t.data_ptr<uint8_t>(), text.data(), text.size());
    archive.write(key, t);
}

// Throws std::runtime_error "<file>: missing <key>" when the archive has no such entry.
inline std::string readArchiveText(torch::serialize::InputArchive& archive, const std::string& key,
                                   const std::string& file) {
    torch::Tensor t;
    bool found = false;
    try {
        found = archive.try_read(key, t);
    } catch (const std::exception&) {
        found = false;
    }
    if (!found || !t.defined() || t.scalar_type() != torch::kUInt8 || t.dim() != 1)
        throw std::runtime_error(file + ": missing or malformed entry '" + key + "'");
    t = t.contiguous();
    return std::string(reinterpret_cast<const char*>(t.data_ptr<uint8_t>()), static_cast<size_t>(t.numel()));
}

// Serialises in memory, then writes the file atomically (temporary file + rename).
inline void saveArchiveAtomic(torch::serialize::OutputArchive& archive, const std::string& path) {
    std::ostringstream bytes;
    archive.save_to(bytes);
    writeTextFileAtomic(path, bytes.str());
}

// Throws std::runtime_error naming the file when it cannot be read or is not a LibTorch archive (a
// truncated file fails here: the zip directory sits at its end).
inline void loadArchive(torch::serialize::InputArchive& archive, const std::string& path) {
    const std::string bytes = readTextFile(path);
    try {
        archive.load_from(bytes.data(), bytes.size());
    } catch (const std::exception& e) {
        std::string why = e.what();
        why = why.substr(0, why.find('\n'));
        throw std::runtime_error(path + ": not a readable model archive (truncated or foreign file): " + why);
    }
}

} // namespace automoe
