// `automoe runs list|show|check|migrate`: the run database, read through a read-only RunReader (migrate is
// the one that writes).
#include "cli/Commands.h"

#include "cli/CliSupport.h"
#include "cli/StudyTable.h"
#include "eval/RoutingHealth.h"
#include "run/RunStages.h"
#include "store/RunReader.h"
#include "store/RunStore.h"
#include "store/StoreError.h"
#include "util/Format.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

namespace automoe::cli {
namespace {

// How to continue a run that stopped before it finished (cancelled, failed, interrupted), or "".
std::string resumeHint(const RunInfo& info) {
    if (info.status != RunStatus::Cancelled && info.status != RunStatus::Failed &&
        info.status != RunStatus::Interrupted)
        return "";
    return resumeCommand(info.spec.kind, info.id);
}

// "shared" or "mos-neuron x2 +attn", then the sampling: a supernet run's training recipe in one line. Runs
// stored before Mixture-of-Supernets have no "supernet": plain weight sharing.
std::string supernetDescription(const nlohmann::json& config) {
    std::string text = "shared";
    const auto it = config.find("supernet");
    if (it != config.end() && it->is_object() && it->value("kind", std::string("shared")) != "shared") {
        const nlohmann::json& s = *it;
        text = s.value("kind", std::string("?")) + " x" + std::to_string(s.value("sets", 2)) +
               (s.value("attention", false) ? " +attn" : "");
    }
    const nlohmann::json trainer = config.value("trainer", nlohmann::json::object());
    const std::string sampling = trainer.value("sampling", std::string("random"));
    text += ", sampling " + sampling;
    if (sampling == "sandwich")
        text += " (largest + smallest + " + std::to_string(trainer.value("sandwich_random", 1)) + " random)";
    return text;
}

// The payload of the run's last "routing_health" event, or null.
nlohmann::json lastRoutingHealth(const std::vector<Event>& events) {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
        if (it->type == "routing_health") return it->payload;
    return nullptr;
}

// Per MoE layer of the last routing health: normalized entropy (1 = balanced) and the busiest expert's share.
void printRoutingHealth(const nlohmann::json& payload) {
    if (payload.is_null()) return;
    RoutingHealth h;
    try {
        h = routingHealthFromJson(payload);
    } catch (const std::invalid_argument& e) {
        std::printf("  routing    unreadable: %s\n", e.what());
        return;
    }
    std::printf("  routing    update %lld, %s subnet: normalized entropy of the expert load (1 = balanced), "
                "busiest expert\n",
                (long long)h.update, h.subnet.c_str());
    for (const LayerRoutingHealth& l : h.layers)
        std::printf("             %s %d  H %.2f  expert %d of %d takes %5.1f %%%s\n",
                    l.stack == "decoder" ? "dec" : "enc", l.layer + 1, l.normalizedEntropy,
                    l.busiestExpert + 1, l.experts, 100.0 * l.busiestShare,
                    l.collapsed() ? "  collapsed" : "");
}

void listRuns(const std::string& db, bool json) {
    RunReader store(databasePath(db));
    const auto runs = store.listRuns();
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : runs)
            out.push_back(
                {{"id", r.id},
                 {"name", r.name},
                 {"kind", r.kind},
                 {"status", runStatusName(r.status)},
                 {"created", formatIsoTime(r.createdMs)},
                 {"created_ms", r.createdMs},
                 {"updated_ms", r.updatedMs},
                 {"latest_update", r.latestUpdate ? nlohmann::json(*r.latestUpdate) : nlohmann::json()}});
        std::cout << out.dump(2) << "\n";
        return;
    }
    if (runs.empty()) {
        std::cout << "no runs in " << store.path() << "\n";
        return;
    }
    std::printf("%5s  %-10s  %-11s  %-20s  %8s  %s\n", "ID", "KIND", "STATUS", "CREATED (UTC)", "UPDATE",
                "NAME");
    bool interrupted = false;
    for (const auto& r : runs) {
        interrupted = interrupted || r.status == RunStatus::Interrupted;
        std::printf("%5lld  %-10s  %-11s  %-20s  %8s  %s\n", (long long)r.id, r.kind.c_str(),
                    runStatusName(r.status), formatIsoTime(r.createdMs).c_str(),
                    r.latestUpdate ? std::to_string(*r.latestUpdate).c_str() : "-", r.name.c_str());
    }
    if (interrupted)
        std::printf("(interrupted: its process is gone; `automoe runs show ID` says how to resume it)\n");
}

void showRun(const std::string& db, int64_t id, bool json) {
    RunReader store(databasePath(db));
    const RunInfo info = store.requireRun(id);
    const std::string resume = resumeHint(info);
    const auto steps = store.trainingSteps(id);
    const auto validations = store.validations(id);
    const auto checkpoints = store.checkpoints(id);
    const std::vector<Event> events = store.events(id);
    if (json) {
        nlohmann::json s = nlohmann::json::array(), v = nlohmann::json::array(), c = nlohmann::json::array();
        for (const auto& r : steps)
            s.push_back(toJson(r));
        for (const auto& r : validations)
            v.push_back(toJson(r));
        for (const auto& r : checkpoints)
            c.push_back(toJson(r));
        nlohmann::json evaluations = nlohmann::json::array(), costs = nlohmann::json::array();
        for (const Event& e : events) {
            if (e.type == "test_bleu" || e.type == "evaluation") {
                nlohmann::json p = e.payload;
                p["type"] = e.type;
                evaluations.push_back(p);
            } else if (e.type == "arch_costs") {
                costs.push_back(e.payload);
            }
        }
        nlohmann::json out = {{"id", info.id},
                              {"name", info.spec.name},
                              {"kind", info.spec.kind},
                              {"status", runStatusName(info.status)},
                              {"created", formatIsoTime(info.createdMs)},
                              {"updated", formatIsoTime(info.updatedMs)},
                              {"seed", info.spec.seed},
                              {"config", info.spec.config},
                              {"space", info.spec.space},
                              {"corpus", info.spec.corpus},
                              {"resume", resume.empty() ? nlohmann::json() : nlohmann::json(resume)},
                              {"training_steps", s},
                              {"validations", v},
                              {"checkpoints", c},
                              {"evaluations", evaluations},
                              {"costs", costs},
                              {"routing_health", lastRoutingHealth(events)}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::printf("run %lld: %s\n", (long long)info.id, info.spec.name.c_str());
    std::printf("  kind       %s\n  status     %s\n  created    %s\n  updated    %s\n  seed       %llu\n",
                info.spec.kind.c_str(), runStatusName(info.status), formatIsoTime(info.createdMs).c_str(),
                formatIsoTime(info.updatedMs).c_str(), (unsigned long long)info.spec.seed);
    if (!resume.empty()) std::printf("  resume     %s --db %s\n", resume.c_str(), store.path().c_str());
    std::printf("  space      %s\n  corpus     %s\n", info.spec.space.value("name", std::string("?")).c_str(),
                info.spec.corpus.dump().c_str());
    const nlohmann::json& config = info.spec.config;
    if (info.spec.kind == "supernet") std::printf("  supernet   %s\n", supernetDescription(config).c_str());
    if (config.value("parent_run", int64_t(0)) > 0)
        std::printf("  parent     supernet run %lld%s\n", (long long)config.value("parent_run", int64_t(0)),
                    config.value("inherit_checkpoint", std::string()).empty() ? " (from scratch)"
                                                                              : " (inherited weights)");
    if (config.value("search_run", int64_t(0)) > 0)
        std::printf("  search     run %lld, architecture %lld\n",
                    (long long)config.value("search_run", int64_t(0)),
                    (long long)config.value("search_arch_id", int64_t(0)));
    for (const Event& e : events)
        if (e.type == "arch_costs")
            std::printf(
                "  costs      latency %.2f ms (encoder %.2f, decoder %.2f; %d repeats), FLOPs %s, active "
                "params %s\n",
                e.payload.value("latency_ms", 0.0), e.payload.value("encoder_ms", 0.0),
                e.payload.value("decoder_ms", 0.0), e.payload.value("repeats", 0),
                formatSI(e.payload.value("flops", 0.0)).c_str(),
                formatSI(double(e.payload.value("params_active", int64_t(0)))).c_str());
    if (!steps.empty()) {
        double wall = 0;
        for (const auto& r : steps)
            wall += r.wallMs;
        std::printf("  updates    %lld (%.1f min of training), last loss %.3f, lr %.2e\n",
                    (long long)steps.back().update, wall / 60000.0, steps.back().loss, steps.back().lr);
    }
    for (const auto& r : validations)
        if (&r == &validations.back() ||
            (validations.size() > 1 && &r == &validations[validations.size() - 2]))
            std::printf("  valid      update %lld %s nll %.3f%s\n", (long long)r.update, r.subnet.c_str(),
                        r.loss, r.bleu ? (" BLEU " + formatFixed(*r.bleu, 2)).c_str() : "");
    printRoutingHealth(lastRoutingHealth(events));
    if (info.spec.kind == "moe_study") {
        std::vector<MoeDenseStudyRow> rows;
        for (const Event& e : events) {
            if (e.type == "moe_study_stage" && e.payload.value("state", std::string()) == "started")
                std::printf("  stage      %-18s run %lld\n", e.payload.value("stage", std::string()).c_str(),
                            (long long)e.payload.value("run", int64_t(0)));
            else if (e.type == "moe_study_row")
                rows.push_back(MoeDenseStudyRow::fromJson(e.payload));
        }
        if (!rows.empty()) printMoeDenseTable(rows);
    }
    if (!checkpoints.empty())
        std::printf("  checkpoint update %lld: %s\n", (long long)checkpoints.back().update,
                    checkpoints.back().path.c_str());
    for (const Event& e : events)
        if (e.type == "test_bleu" || e.type == "evaluation")
            std::printf("  %-10s update %lld %s %s (%lld sentences, beam %d): %s\n",
                        e.type == "test_bleu" ? "test" : "eval", (long long)e.payload.value("update", 0LL),
                        e.payload.value("subnet", std::string()).c_str(),
                        e.payload.value("split", std::string()).c_str(),
                        (long long)e.payload.value("sentences", 0LL), e.payload.value("beam", 1),
                        e.payload.value("bleu_text", std::string()).c_str());
}

void checkDatabase(const std::string& db) {
    RunReader store(databasePath(db));
    const std::string result = store.integrityCheck();
    if (result != "ok")
        throw std::runtime_error(
            store.path() + " is damaged (PRAGMA integrity_check):\n" + result +
            "\nRestore a backup or move it aside; `automoe runs list` shows what is still "
            "readable");
    std::printf("%s: ok (schema version %d)\n", store.path().c_str(), store.schemaVersion());
}

void migrateDatabase(const std::string& db) {
    const std::string path = databasePath(db);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw StoreError(path, "does not exist: nothing to migrate");
    RunStore store(path);
    std::printf("%s: schema version %d\n", store.path().c_str(), store.schemaVersion());
}

} // namespace

void addRunsCommands(CLI::App& root) {
    CLI::App* runs = root.add_subcommand("runs", "List and inspect stored runs");
    runs->require_subcommand(1);
    struct Args {
        std::string db;
        bool json = false;
        int64_t id = 0;
    };
    auto a = std::make_shared<Args>();
    CLI::App* list = runs->add_subcommand("list", "Every run in the database");
    list->add_option("--db", a->db, "Run database");
    list->add_flag("--json", a->json, "JSON: a list of {id, name, kind, status, created, latest_update}");
    list->callback([a] { listRuns(a->db, a->json); });
    CLI::App* show = runs->add_subcommand("show", "One run: configuration, space, training steps");
    show->add_option("id", a->id, "Run id")->required();
    show->add_option("--db", a->db, "Run database");
    show->add_flag("--json", a->json,
                   "JSON with config, space, training_steps, validations, checkpoints, evaluations, costs, "
                   "routing_health (the last)");
    show->callback([a] { showRun(a->db, a->id, a->json); });
    CLI::App* check = runs->add_subcommand(
        "check", "PRAGMA integrity_check over the whole database (read-only): \"ok\", or what is damaged");
    check->add_option("--db", a->db, "Run database");
    check->callback([a] { checkDatabase(a->db); });
    CLI::App* migrate = runs->add_subcommand(
        "migrate", "Upgrade an older run database to this program's schema, keeping its runs");
    migrate->add_option("--db", a->db, "Run database");
    migrate->callback([a] { migrateDatabase(a->db); });
}

} // namespace automoe::cli
