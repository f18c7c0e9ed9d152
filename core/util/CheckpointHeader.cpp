#include "util/CheckpointHeader.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

namespace automoe {

namespace {

constexpr char kMagic[8] = {'A', 'M', 'O', 'E', 'C', 'K', 'P', 'T'};

const std::array<std::uint32_t, 256>& crcTable() {
    static const std::array<std::uint32_t, 256> table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    return table;
}

void putLe(unsigned char* out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
        out[i] = static_cast<unsigned char>(v >> (8 * i));
}

std::uint64_t getLe(const unsigned char* in, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= std::uint64_t(in[i]) << (8 * i);
    return v;
}

[[noreturn]] void damaged(const std::string& path, const std::string& why) {
    throw CheckpointHeaderError("checkpoint " + path + " " + why);
}

} // namespace

std::uint32_t crc32Update(std::uint32_t crc, const void* data, std::size_t n) {
    const auto& t = crcTable();
    const auto* p = static_cast<const unsigned char*>(data);
    crc = ~crc;
    for (std::size_t i = 0; i < n; ++i)
        crc = t[(crc ^ p[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

void writeCheckpointHeader(unsigned char* out, std::uint32_t crc, std::uint64_t archiveBytes) {
    std::memset(out, 0, kCheckpointHeaderSize);
    std::memcpy(out, kMagic, sizeof kMagic);
    putLe(out + 8, kCheckpointHeaderVersion, 4);
    putLe(out + 12, crc, 4);
    putLe(out + 16, archiveBytes, 8);
}

CheckpointArchiveSpan checkpointArchiveSpan(const unsigned char* head, std::size_t headBytes,
                                            std::uint64_t fileSize, const std::string& path) {
    const bool zip = headBytes >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0;
    if (fileSize < kCheckpointHeaderSize || headBytes < kCheckpointHeaderSize) {
        if (zip) return {0, fileSize, false, 0}; // format 1: the bare archive
        damaged(path, "is truncated or not a checkpoint (" + std::to_string(fileSize) + " bytes)");
    }
    if (std::memcmp(head, kMagic, sizeof kMagic) != 0) {
        if (zip) return {0, fileSize, false, 0};
        damaged(path, "is not a checkpoint (no AMOECKPT header)");
    }
    const auto version = std::uint32_t(getLe(head + 8, 4));
    if (version != kCheckpointHeaderVersion)
        damaged(path, "has header version " + std::to_string(version) + " (this build reads " +
                          std::to_string(kCheckpointHeaderVersion) + ")");
    const auto crc = std::uint32_t(getLe(head + 12, 4));
    const std::uint64_t size = getLe(head + 16, 8);
    if (fileSize - kCheckpointHeaderSize != size)
        damaged(path, "is truncated or damaged: its header declares " + std::to_string(size) +
                          " bytes of archive, the file holds " +
                          std::to_string(fileSize - kCheckpointHeaderSize));
    return {kCheckpointHeaderSize, size, true, crc};
}

CheckpointArchiveSpan checkCheckpointBytes(const unsigned char* data, std::size_t size,
                                           const std::string& path) {
    const CheckpointArchiveSpan span =
        checkpointArchiveSpan(data, std::min(size, kCheckpointHeaderSize), size, path);
    if (span.hasCrc) {
        const std::uint32_t crc = crc32Update(0, data + span.offset, std::size_t(span.size));
        if (crc != span.crc) {
            char why[96];
            std::snprintf(why, sizeof why, "is damaged: CRC-32 %08x of its bytes, %08x in its header", crc,
                          span.crc);
            damaged(path, why);
        }
    }
    return span;
}

} // namespace automoe
