// The 32-byte header of a checkpoint file (format 2, see train/Trainer.h) without LibTorch: "AMOECKPT", the
// header version (u32), the CRC-32 of the archive bytes (u32), their count (u64) and 8 reserved bytes,
// little-endian, followed by the LibTorch archive. A file of format 1 is the bare archive (a zip file,
// "PK\3\4"). The checks are those train/Trainer.cpp's loader makes, on bytes instead of a descriptor, so
// that they can be fuzzed (tests/fuzz/fuzz_checkpoint_header.cpp) and tested without LibTorch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace automoe {

inline constexpr std::size_t kCheckpointHeaderSize = 32;
inline constexpr std::uint32_t kCheckpointHeaderVersion = 2;

// A file that is no checkpoint, truncated or damaged; the message starts "checkpoint PATH ".
class CheckpointHeaderError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// CRC-32 (IEEE 802.3, reflected, as zlib's crc32()) of `n` more bytes; start with crc = 0.
std::uint32_t crc32Update(std::uint32_t crc, const void* data, std::size_t n);

// Writes the header of an archive of `archiveBytes` bytes with CRC-32 `crc` to out[0..32).
void writeCheckpointHeader(unsigned char* out, std::uint32_t crc, std::uint64_t archiveBytes);

// Where a checkpoint file's archive is: offset and byte count, and whether the header holds a CRC to check.
struct CheckpointArchiveSpan {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    bool hasCrc = false;
    std::uint32_t crc = 0; // the header's, when hasCrc
};

// The archive of the file `path` of `fileSize` bytes from its first `headBytes` bytes (min(fileSize, 32)
// of them): {32, the declared size, CRC} for a format-2 header whose byte count matches the file,
// {0, fileSize, no CRC} for a format-1 file. Throws CheckpointHeaderError naming the file and what is wrong
// (too short, no AMOECKPT header, another header version, a byte count that is not the file's).
CheckpointArchiveSpan checkpointArchiveSpan(const unsigned char* head, std::size_t headBytes,
                                            std::uint64_t fileSize, const std::string& path);

// The whole check of a file's bytes in memory: the header as above, then the archive's CRC-32 (throws
// CheckpointHeaderError "checkpoint PATH is damaged: CRC-32 ... of its bytes, ... in its header").
CheckpointArchiveSpan checkCheckpointBytes(const unsigned char* data, std::size_t size,
                                           const std::string& path);

} // namespace automoe
