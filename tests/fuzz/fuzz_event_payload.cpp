// Fuzz target: a stored event as the workbench reads it back (ui/run/RunFeed, RunDocument, MoeStudyModel):
// the first line of the input is the event's type, the rest its payload text. The payload is parsed as
// RunReader::events does (invalid JSON becomes null), decoded by rowFromEvent (which may only throw
// std::invalid_argument naming the event and field: RunFeed turns that into an "error" event), a
// "moe_study_row" by MoeDenseStudyRow::fromJson (same contract), and eventText() — the line the CLI prints
// and the Run dock lists — must not throw, for the payload alone and with the decoded row.
#include "FuzzSupport.h"

#include "run/EventText.h"
#include "run/MoeStudyRow.h"
#include "store/EventRows.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

using namespace automoe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input = fuzz::text(data, size);
    const std::size_t newline = input.find('\n');
    Event e;
    e.runId = 1;
    e.seq = 1;
    e.type = input.substr(0, newline);
    const std::string payload = newline == std::string::npos ? std::string() : input.substr(newline + 1);
    e.payload = nlohmann::json::parse(payload, nullptr, false);
    if (e.payload.is_discarded()) e.payload = nlohmann::json();

    std::string step = "eventText(payload)";
    try {
        (void)eventText(e);
        step = "rowFromEvent";
        try {
            e.row = rowFromEvent(e.type, e.payload);
        } catch (const std::invalid_argument&) {
        }
        step = "MoeDenseStudyRow::fromJson";
        if (e.type == "moe_study_row" && e.payload.is_object()) {
            try {
                const MoeDenseStudyRow row = MoeDenseStudyRow::fromJson(e.payload);
                (void)row.toJson().dump();
            } catch (const std::invalid_argument&) {
            }
        }
        step = "eventText(row)";
        (void)eventText(e);
    } catch (const std::exception& ex) {
        fuzz::fuzzFail("fuzz_event_payload", step + " threw " + ex.what());
    }
    return 0;
}
