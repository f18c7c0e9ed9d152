// Adaptive compute, per token: routes sentences through a SuperTransformer subnet (greedy translation,
// then one teacher-forced forward over the source and the decoder's own inputs with the routing trace on)
// and reports, per token and FFN/MoE layer, the expert, its width, the gate probability and whether the
// capacity limit dropped it; per token the FFN FLOPs it cost; and aggregates over many sentences (expert
// load per layer, mean FLOPs per token type).
//
// What the FLOPs count (DESIGN §4 conventions, as CostModel counts them): per token and layer,
// the router (2·d·n, only when the layer has n > 1 experts) plus 4·d·f for every assignment the token kept
// (a dropped assignment runs no expert: the residual carries the token). Attention, LayerNorm, embedding
// and output projection are not counted: they cost every token of a sentence the same, whichever experts
// it uses, so they say nothing about which tokens get more compute.
#pragma once

#include "data/Vocabulary.h"
#include "eval/Decoder.h"
#include "nn/SuperTransformer.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace automoe {

// How a subword token is typed for the aggregates. Pieces are SentencePiece pieces, where a leading
// U+2581 ("▁") marks the start of a word.
//   special       <s>, </s>, <unk>, <pad> (the decoder's first input is <s>; the source ends with </s>)
//   punctuation   only punctuation or symbol characters once the word marker is removed ("▁.", ",", "“")
//   number        digits, optionally with . , : - / inside ("▁1990", "3,5")
//   function      a whole word (word-initial piece, next piece word-initial or the end) from a short list
//                 of German and English function words (articles, pronouns, prepositions, conjunctions,
//                 auxiliaries; see kFunctionWords in Routing.cpp), compared lowercased
//   word          any other word-initial piece (a bare "▁" included)
//   continuation  a piece inside a word (no word marker)
enum class TokenType { Special, Punctuation, Number, Function, Word, Continuation };
constexpr int kTokenTypeCount = 6;
const char* tokenTypeName(TokenType type);
// The types of a sentence's pieces, in order (the function-word test looks at the next piece).
std::vector<TokenType> tokenTypes(const std::vector<std::string>& pieces);

struct RoutedAssignment {
    int expert = 0;
    int width = 0;
    float gate = 1.0f;
    bool dropped = false;
};

// One FFN/MoE layer of one sentence: tokens[t] holds the token's top-k assignments, best first.
struct RoutedLayer {
    Stack stack = Stack::Encoder;
    int layer = 0;
    int embedDim = 0;
    int topK = 1;
    std::vector<int> widths; // expert widths of the layer
    std::vector<std::vector<RoutedAssignment>> tokens;
};

struct RoutedToken {
    int id = 0;
    std::string piece;
    TokenType type = TokenType::Word;
    double flops = 0; // FFN/MoE FLOPs of this token summed over its stack's layers (see the header comment)
};

struct RoutedSentence {
    std::string source;
    std::string translation;               // greedy, detokenised
    std::vector<RoutedToken> sourceTokens; // encoder inputs: the source pieces and </s>
    std::vector<RoutedToken> targetTokens; // decoder inputs: <s> and the generated pieces (not </s>)
    std::vector<RoutedLayer> layers;       // encoder layers, then decoder layers
};

// Sums over sentences.
struct RoutingAggregate {
    struct Layer {
        Stack stack = Stack::Encoder;
        int layer = 0;
        std::vector<int> widths;
        int topK = 1;
        int64_t tokens = 0;
        std::vector<int64_t> load; // assignments per expert slot (kept and dropped); sums to tokens x top-k
        std::vector<int64_t> dropped; // of those, dropped by the capacity limit
    };
    struct TypeFlops {
        int64_t tokens = 0;
        double flops = 0; // summed
        double mean() const { return tokens > 0 ? flops / double(tokens) : 0.0; }
    };
    size_t sentences = 0;
    std::vector<Layer> layers;                              // encoder layers, then decoder layers
    std::array<TypeFlops, kTokenTypeCount> encoderByType{}; // source tokens, encoder FLOPs
    std::array<TypeFlops, kTokenTypeCount> decoderByType{}; // decoder inputs, decoder FLOPs
};

struct RoutingOptions {
    DecodeOptions decode;      // greedy (beamSize 1) by default
    int maxSourceTokens = 128; // eos included
    int64_t maxTokens = 4000;  // per greedy-decoding batch
};

// Routes `sources` through `model`'s current architecture (the model is put into eval mode for the call;
// its tracing flag and training flag are restored). One traced forward per sentence, batch 1: no padding.
std::vector<RoutedSentence> routeSentences(SuperTransformer& model, const Vocabulary& vocab,
                                           const std::vector<std::string>& sources,
                                           const RoutingOptions& options = {});

// Builds one RoutedSentence from a RoutingTrace of a single batch-1 forward (exposed for tests).
RoutedSentence routedSentence(const Architecture& arch, const RoutingTrace& trace,
                              const std::vector<std::string>& sourcePieces,
                              const std::vector<std::string>& targetPieces);

RoutingAggregate aggregateRouting(const std::vector<RoutedSentence>& sentences);

// Per token: the FLOPs of a router over `experts` experts (0 for a dense layer).
double routerFlops(int embedDim, int experts);

nlohmann::json routedSentenceToJson(const RoutedSentence& s);
nlohmann::json routingAggregateToJson(const RoutingAggregate& a);

} // namespace automoe
