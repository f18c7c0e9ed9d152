#include "cli/Commands.h"

#include "eval/Bleu.h"
#include "eval/BleuInputFiles.h"
#include "eval/BleuTokenizer.h"
#include "eval/Chrf.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace automoe::cli {
namespace {

struct BleuArgs {
    std::string hyp;
    std::vector<std::string> refs;
    BleuOptions bleu;
    double smoothValue = std::nan("");
    bool chrf = false;
    bool json = false;
};

// sacreBLEU's JSON "score": the printed value, rounded to two decimals.
double rounded2(double v) {
    return std::round(v * 100.0) / 100.0;
}

void runBleu(const BleuArgs& args) {
    const HypothesesAndReferences data = readHypothesesAndReferences(args.hyp, args.refs);
    BleuOptions options = args.bleu;
    if (!std::isnan(args.smoothValue)) options.smoothValue = args.smoothValue;
    const BleuScore bleu = corpusBleu(data.hyps, data.refs, options);

    ChrfOptions chrfOptions;
    chrfOptions.lowercase = options.lowercase;
    ChrfScore chrf;
    if (args.chrf) chrf = corpusChrf(data.hyps, data.refs, chrfOptions);

    if (!args.json) {
        std::cout << bleu.format() << "\n";
        if (args.chrf) std::cout << chrf.format() << "\n";
        return;
    }
    const std::string line = bleu.format();
    nlohmann::json b;
    b["name"] = "BLEU";
    b["score"] = std::stod(line.substr(7, line.find(' ', 7) - 7));
    b["verbose_score"] = line.substr(line.find(' ', 7) + 1);
    b["exact_score"] = bleu.score;
    b["counts"] = bleu.counts;
    b["totals"] = bleu.totals;
    b["precisions"] = bleu.precisions;
    b["bp"] = bleu.bp;
    b["ratio"] = bleu.ratio();
    b["hyp_len"] = bleu.sysLen;
    b["ref_len"] = bleu.refLen;
    b["nrefs"] = args.refs.size();
    b["case"] = options.lowercase ? "lc" : "mixed";
    b["tok"] = options.tokenize;
    b["smooth"] = options.smoothing;
    if (!args.chrf) {
        std::cout << b.dump(1) << "\n";
        return;
    }
    nlohmann::json c;
    c["name"] = "chrF2";
    c["score"] = rounded2(chrf.score);
    c["exact_score"] = chrf.score;
    c["nrefs"] = args.refs.size();
    c["case"] = options.lowercase ? "lc" : "mixed";
    c["nc"] = chrfOptions.charOrder;
    c["nw"] = chrfOptions.wordOrder;
    c["space"] = "no";
    std::cout << nlohmann::json::array({b, c}).dump(1) << "\n";
}

} // namespace

void addEvalCommands(CLI::App& root) {
    auto args = std::make_shared<BleuArgs>();
    auto* bleu = root.add_subcommand(
        "bleu", "Corpus BLEU (and chrF) of a hypothesis file, identical to sacreBLEU 2.x");
    bleu->add_option("--hyp", args->hyp, "Hypothesis file, one detokenized sentence per line (UTF-8)")
        ->required();
    bleu->add_option("--ref", args->refs,
                     "Reference file with the same number of lines; repeat for more references")
        ->required()
        ->take_all();
    bleu->add_option("--tokenize", args->bleu.tokenize,
                     "Tokenizer: 13a (default, mteval-v13a), none, intl or char")
        ->check(CLI::IsMember(bleuTokenizerNames()));
    bleu->add_flag("--lowercase", args->bleu.lowercase,
                   "Lowercase hypotheses and references (BLEU and chrF)");
    bleu->add_option("--smooth", args->bleu.smoothing, "Smoothing: exp (default), none, floor or add-k")
        ->check(CLI::IsMember({"exp", "none", "floor", "add-k"}));
    bleu->add_option("--smooth-value", args->smoothValue,
                     "Value for floor (default 0.1) or add-k (default 1)");
    bleu->add_flag("--chrf", args->chrf, "Also print chrF2 (sacreBLEU defaults: 6 char orders, beta 2)");
    bleu->add_flag("--json", args->json, "Print JSON like sacreBLEU's (a list of two objects with --chrf)");
    bleu->callback([args] { runBleu(*args); });
}

} // namespace automoe::cli
