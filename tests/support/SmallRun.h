// The small run fixture the run, search and UI suites share, without LibTorch: a generated German-looking /
// English-looking TSV corpus, the tiny heterogeneous search space of the nn suites, and a training run
// configuration (as TrainingRunConfig JSON) that trains a supernet on them in seconds.
#pragma once

#include "space/SearchSpace.h"
#include "space/SpaceIO.h"

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace automoe::testsupport {

// How writeSmallCorpus() draws its pairs.
struct SmallCorpusOptions {
    int pairs = 240;
    std::uint64_t seed = 42;
    bool withNumber = false; // "12" -> "12" among the words (token typing sees a number)
    bool fullStop = false;   // every sentence ends in " ." (token typing sees punctuation)
};

// Writes DIR/corpus.tsv: lines such as "der hund sieht einen baum\tthe dog sees a tree", word by word, so
// a model learns something in a few updates. Returns its path.
inline std::string writeSmallCorpus(const std::string& dir, const SmallCorpusOptions& options = {}) {
    std::vector<std::pair<std::string, std::string>> words = {
        {"der", "the"},   {"hund", "dog"},  {"katze", "cat"}, {"haus", "house"},   {"klein", "small"},
        {"gross", "big"}, {"rot", "red"},   {"blau", "blue"}, {"und", "and"},      {"sieht", "sees"},
        {"einen", "a"},   {"baum", "tree"}, {"im", "in the"}, {"garten", "garden"}};
    if (options.withNumber) words.emplace_back("12", "12");
    const std::string end = options.fullStop ? " ." : "";
    std::mt19937_64 rng(options.seed);
    const std::string path = dir + "/corpus.tsv";
    std::ofstream out(path);
    for (int i = 0; i < options.pairs; ++i) {
        const int n = 3 + int(rng() % 4);
        std::string de, en;
        for (int j = 0; j < n; ++j) {
            const auto& w = words[rng() % words.size()];
            de += (j ? " " : "") + w.first;
            en += (j ? " " : "") + w.second;
        }
        out << de << end << "\t" << en << end << "\n";
    }
    return path;
}

// A tiny heterogeneous space: 1-3 encoder / 1-2 decoder layers of width 8-16 with 1-3 experts.
inline SearchSpace smallSpace() {
    SearchSpace s;
    s.name = "nn-test";
    s.qkvDim = 16;
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        StackSpace& x = s.stack(st);
        x.embedDim = Dimension::of({8, 12, 16});
        x.layers = st == Stack::Encoder ? Dimension::range(1, 3) : Dimension::range(1, 2);
        x.ffnDim = Dimension::of({8, 16, 24});
        x.selfHeads = Dimension::of({2, 4});
        x.experts = Dimension::range(1, 3);
        x.topK = Dimension::of({1, 2});
        x.fractionalExperts = true;
        if (st == Stack::Decoder) {
            x.endeHeads = Dimension::of({2, 4});
            x.arbitraryEnde = Dimension::of({-1, 1, 2});
        }
    }
    s.validate();
    return s;
}

inline nlohmann::json smallSpaceJson() {
    return spaceToJson(smallSpace());
}

// A supernet TrainingRunConfig (TrainingRunConfig::fromJson) on `corpus` in the small space: 20 valid /
// 20 test pairs, a 60-piece vocabulary, 200-token batches, 12 updates validated and checkpointed every 5.
inline nlohmann::json smallTrainingRunConfigJson(const std::string& corpus) {
    return {{"name", "test run"},
            {"space_source", "nn-test"},
            {"space", smallSpaceJson()},
            {"corpus", corpus},
            {"split", {{"valid", 20}, {"test", 20}, {"max_fraction", 0.2}}},
            {"vocabulary", {{"size", 60}}},
            {"trainer",
             {{"max_tokens", 200},
              {"lr", {{"peak", 3e-3}, {"warmup_updates", 5}}},
              {"seed", 3},
              {"validation_sentences", 20}}},
            {"max_updates", 12},
            {"validate_every", 5},
            {"checkpoint_every", 5},
            {"routing_every", 5}};
}

// smallTrainingRunConfigJson() of a supernet trained for `updates` updates, validated and checkpointed once
// at the end, without routing statistics or test BLEU: the fixture supernet of the search suites.
inline nlohmann::json smallSupernetConfigJson(const std::string& corpus, int updates) {
    nlohmann::json j = smallTrainingRunConfigJson(corpus);
    j["max_updates"] = updates;
    j["validate_every"] = updates;
    j["checkpoint_every"] = updates;
    j["routing_every"] = 0;
    j["test_sentences"] = 0;
    return j;
}

} // namespace automoe::testsupport
