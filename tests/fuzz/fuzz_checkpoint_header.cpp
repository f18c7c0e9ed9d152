// Fuzz target: the header of a checkpoint file (util/CheckpointHeader: magic, version, CRC-32 and byte count
// of the archive), the whole file's bytes in memory. Accepted spans must lie inside the file; a format-2
// file must start with the header writeCheckpointHeader() writes for its archive.
#include "FuzzSupport.h"

#include "util/CheckpointHeader.h"

#include <cstring>

using namespace automoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    CheckpointArchiveSpan span;
    try {
        span = checkCheckpointBytes(data, size, "fuzz.pt");
    } catch (const CheckpointHeaderError& e) {
        if (std::strncmp(e.what(), "checkpoint fuzz.pt ", 19) != 0)
            fuzz::fuzzFail("fuzz_checkpoint_header",
                           std::string("error does not name the file: ") + e.what());
        return 0;
    } catch (const std::exception& e) {
        fuzz::fuzzFail("fuzz_checkpoint_header",
                       std::string("threw a non-CheckpointHeaderError: ") + e.what());
    }
    if (span.offset > size || span.size > size - span.offset)
        fuzz::fuzzFail("fuzz_checkpoint_header", "the archive span lies outside the file");
    if (span.hasCrc) {
        unsigned char header[kCheckpointHeaderSize];
        writeCheckpointHeader(header, crc32Update(0, data + span.offset, std::size_t(span.size)), span.size);
        // The 8 reserved bytes are not checked on reading.
        if (std::memcmp(header, data, 24) != 0)
            fuzz::fuzzFail("fuzz_checkpoint_header",
                           "an accepted header is not the one written for its archive");
    }
    return 0;
}
