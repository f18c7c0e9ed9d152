#include "eval/Routing.h"

#include "eval/Translation.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

namespace automoe {

namespace {

// CostModel's FFN arithmetic per token (DESIGN §4): an expert of width f costs 4·d·f FLOPs (two linear
// layers), a router over n > 1 experts 2·d·n; tst_routing pins these against CostModel::evaluate.
double expertFlops(int embedDim, int width) {
    return 4.0 * embedDim * width;
}

const std::string kWordMarker = "\xE2\x96\x81"; // U+2581, SentencePiece's word-start marker

// Articles, pronouns, prepositions, conjunctions and auxiliaries of German and English (lowercase).
const std::set<std::string> kFunctionWords = {
    // German
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines", "und",
    "oder", "aber", "in", "im", "an", "am", "auf", "aus", "bei", "mit", "nach", "von", "vom", "zu", "zum",
    "zur", "für", "über", "unter", "um", "durch", "gegen", "ohne", "vor", "ist", "sind", "war", "waren",
    "sein", "hat", "haben", "wird", "werden", "nicht", "kein", "keine", "sich", "es", "er", "sie", "ich",
    "du", "wir", "ihr", "man", "was", "wer", "wie", "wo", "dass", "als", "wenn", "so", "auch", "noch",
    // English
    "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with", "from", "into",
    "about", "as", "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "not", "no", "it",
    "he", "she", "i", "you", "we", "they", "one", "this", "that", "what", "who", "how", "where", "if", "so",
    "do", "does", "did", "something", "someone", "sb", "sth"};

// Decodes one UTF-8 code point at s[i] (advancing i); invalid bytes come back as themselves.
uint32_t nextCodePoint(const std::string& s, size_t& i) {
    const auto c = static_cast<unsigned char>(s[i]);
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
    ++i;
    while (extra-- > 0 && i < s.size())
        cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
    return cp;
}

bool isPunctuation(uint32_t cp) {
    if (cp < 0x80) return std::ispunct(static_cast<int>(cp)) != 0;
    return (cp >= 0xA1 && cp <= 0xBF && cp != 0xAA && cp != 0xB2 && cp != 0xB3 && cp != 0xB5 && cp != 0xB9 &&
            cp != 0xBA) || // ¡ « » ¿ § ° ...
           cp == 0xD7 ||
           cp == 0xF7 ||                     // × ÷
           (cp >= 0x2010 && cp <= 0x205E) || // dashes, quotes, …, ‰
           (cp >= 0x2190 && cp <= 0x22FF) || // arrows, mathematical operators
           (cp >= 0x3000 && cp <= 0x303F);   // CJK punctuation
}

bool startsWithMarker(const std::string& piece) {
    return piece.compare(0, kWordMarker.size(), kWordMarker) == 0;
}

TokenType typeOf(const std::string& piece, bool wholeWord) {
    if (piece == "<s>" || piece == "</s>" || piece == "<unk>" || piece == "<pad>") return TokenType::Special;
    const bool wordStart = startsWithMarker(piece);
    const std::string text = wordStart ? piece.substr(kWordMarker.size()) : piece;
    if (text.empty()) return TokenType::Word;
    bool allPunct = true, numeric = true, digit = false;
    for (size_t i = 0; i < text.size();) {
        const uint32_t cp = nextCodePoint(text, i);
        allPunct = allPunct && isPunctuation(cp);
        const bool d = cp >= '0' && cp <= '9';
        digit = digit || d;
        numeric = numeric && (d || cp == '.' || cp == ',' || cp == ':' || cp == '-' || cp == '/');
    }
    if (numeric && digit) return TokenType::Number;
    if (allPunct) return TokenType::Punctuation;
    if (!wordStart) return TokenType::Continuation;
    if (wholeWord) {
        std::string lower = text;
        for (char& c : lower)
            if (static_cast<unsigned char>(c) < 0x80) c = char(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "\xC3\x9C"
                     "ber")
            lower = "\xC3\xBC"
                    "ber"; // Über
        if (lower == "f\xC3\xBCr" || kFunctionWords.count(lower)) return TokenType::Function;
    }
    return TokenType::Word;
}

struct TracingScope {
    SuperTransformer& model;
    bool was;
    explicit TracingScope(SuperTransformer& m)
        : model(m)
        , was(m->tracing()) {
        model->setTracing(true);
    }
    ~TracingScope() {
        model->clearTrace();
        model->setTracing(was);
    }
};

std::vector<RoutedToken> tokensOf(const Vocabulary& vocab, const std::vector<int64_t>& ids) {
    std::vector<std::string> pieces;
    pieces.reserve(ids.size());
    for (int64_t id : ids)
        pieces.push_back(vocab.piece(int(id)));
    const auto types = tokenTypes(pieces);
    std::vector<RoutedToken> out(ids.size());
    for (size_t i = 0; i < ids.size(); ++i)
        out[i] = {int(ids[i]), pieces[i], types[i], 0.0};
    return out;
}

} // namespace

double routerFlops(int embedDim, int experts) {
    return experts > 1 ? 2.0 * embedDim * experts : 0.0;
}

const char* tokenTypeName(TokenType type) {
    switch (type) {
    case TokenType::Special:
        return "special";
    case TokenType::Punctuation:
        return "punctuation";
    case TokenType::Number:
        return "number";
    case TokenType::Function:
        return "function";
    case TokenType::Word:
        return "word";
    case TokenType::Continuation:
        return "continuation";
    }
    return "word";
}

std::vector<TokenType> tokenTypes(const std::vector<std::string>& pieces) {
    std::vector<TokenType> out;
    out.reserve(pieces.size());
    for (size_t i = 0; i < pieces.size(); ++i) {
        const bool nextStartsWord = i + 1 == pieces.size() || startsWithMarker(pieces[i + 1]) ||
                                    typeOf(pieces[i + 1], false) != TokenType::Continuation;
        out.push_back(typeOf(pieces[i], nextStartsWord));
    }
    return out;
}

RoutedSentence routedSentence(const Architecture& arch, const RoutingTrace& trace,
                              const std::vector<std::string>& sourcePieces,
                              const std::vector<std::string>& targetPieces) {
    RoutedSentence s;
    for (Stack st : {Stack::Encoder, Stack::Decoder}) {
        const StackGene& g = arch.stack(st);
        const size_t n = st == Stack::Encoder ? sourcePieces.size() : targetPieces.size();
        for (int l = 0; l < g.depth(); ++l) {
            const LayerGene& gene = g.layers[size_t(l)];
            RoutedLayer layer;
            layer.stack = st;
            layer.layer = l;
            layer.embedDim = g.embedDim;
            layer.topK = std::min(gene.topK, gene.experts());
            layer.widths = gene.expertWidths;
            layer.tokens.assign(n, {});
            s.layers.push_back(std::move(layer));
        }
    }
    auto layerIndex = [&](Stack st, int l) {
        return st == Stack::Encoder ? size_t(l) : size_t(arch.encoder.depth() + l);
    };
    for (const RoutingRecord& r : trace.records()) {
        if (r.batch != 0)
            throw std::invalid_argument("routedSentence: the trace holds more than one sentence");
        const StackGene& g = arch.stack(r.stack);
        if (r.layer < 0 || r.layer >= g.depth())
            throw std::invalid_argument(std::string("routedSentence: ") + stackName(r.stack) + " layer " +
                                        std::to_string(r.layer) + " is not in the architecture");
        RoutedLayer& layer = s.layers[layerIndex(r.stack, r.layer)];
        if (r.position < 0 || size_t(r.position) >= layer.tokens.size())
            throw std::invalid_argument(std::string("routedSentence: ") + stackName(r.stack) + " position " +
                                        std::to_string(r.position) + " beyond the " +
                                        std::to_string(layer.tokens.size()) + " tokens given");
        layer.tokens[size_t(r.position)].push_back({r.expert, r.expertWidth, r.gate, r.dropped});
    }
    return s;
}

namespace {

void fillTokenFlops(RoutedSentence& s) {
    for (auto* tokens : {&s.sourceTokens, &s.targetTokens})
        for (RoutedToken& t : *tokens)
            t.flops = 0;
    for (const RoutedLayer& layer : s.layers) {
        auto& tokens = layer.stack == Stack::Encoder ? s.sourceTokens : s.targetTokens;
        const double router = routerFlops(layer.embedDim, int(layer.widths.size()));
        for (size_t t = 0; t < layer.tokens.size() && t < tokens.size(); ++t) {
            double f = router;
            for (const RoutedAssignment& a : layer.tokens[t])
                if (!a.dropped) f += expertFlops(layer.embedDim, a.width);
            tokens[t].flops += f;
        }
    }
}

} // namespace

std::vector<RoutedSentence> routeSentences(SuperTransformer& model, const Vocabulary& vocab,
                                           const std::vector<std::string>& sources,
                                           const RoutingOptions& options) {
    std::vector<std::vector<int64_t>> ids;
    ids.reserve(sources.size());
    for (const std::string& s : sources)
        ids.push_back(sourceIds(vocab, s, options.maxSourceTokens));
    TranslateOptions translate;
    translate.decode = options.decode;
    translate.decode.bosId = vocab.bosId();
    translate.decode.eosId = vocab.eosId();
    translate.maxTokens = options.maxTokens;
    translate.maxSourceTokens = options.maxSourceTokens;

    EvalModeScope evalMode(*model);
    torch::NoGradGuard noGrad;
    const std::vector<Hypothesis> hyps = translateIds(*model, ids, translate);

    TracingScope tracing(model);
    std::vector<RoutedSentence> out;
    out.reserve(sources.size());
    for (size_t i = 0; i < sources.size(); ++i) {
        std::vector<int64_t> tgtIn{vocab.bosId()};
        tgtIn.insert(tgtIn.end(), hyps[i].tokens.begin(), hyps[i].tokens.end());
        model->clearTrace();
        const auto src = torch::tensor(ids[i], torch::kLong).view({1, -1});
        const auto tgt = torch::tensor(tgtIn, torch::kLong).view({1, -1});
        model->forward(src, tgt);

        std::vector<RoutedToken> sourceTokens = tokensOf(vocab, ids[i]);
        std::vector<RoutedToken> targetTokens = tokensOf(vocab, tgtIn);
        std::vector<std::string> sp, tp;
        for (const auto& t : sourceTokens)
            sp.push_back(t.piece);
        for (const auto& t : targetTokens)
            tp.push_back(t.piece);
        RoutedSentence s = routedSentence(model->architecture(), model->trace(), sp, tp);
        s.source = sources[i];
        s.translation = vocab.decode(std::vector<int>(hyps[i].tokens.begin(), hyps[i].tokens.end()));
        s.sourceTokens = std::move(sourceTokens);
        s.targetTokens = std::move(targetTokens);
        fillTokenFlops(s);
        out.push_back(std::move(s));
    }
    return out;
}

RoutingAggregate aggregateRouting(const std::vector<RoutedSentence>& sentences) {
    RoutingAggregate a;
    a.sentences = sentences.size();
    for (const RoutedSentence& s : sentences) {
        if (a.layers.empty()) {
            for (const RoutedLayer& l : s.layers) {
                RoutingAggregate::Layer x;
                x.stack = l.stack;
                x.layer = l.layer;
                x.widths = l.widths;
                x.topK = l.topK;
                x.load.assign(l.widths.size(), 0);
                x.dropped.assign(l.widths.size(), 0);
                a.layers.push_back(std::move(x));
            }
        }
        if (s.layers.size() != a.layers.size())
            throw std::invalid_argument(
                "aggregateRouting: sentences were routed through different architectures");
        for (size_t i = 0; i < s.layers.size(); ++i) {
            RoutingAggregate::Layer& x = a.layers[i];
            x.tokens += int64_t(s.layers[i].tokens.size());
            for (const auto& token : s.layers[i].tokens)
                for (const RoutedAssignment& r : token) {
                    if (r.expert < 0 || size_t(r.expert) >= x.load.size()) continue;
                    ++x.load[size_t(r.expert)];
                    if (r.dropped) ++x.dropped[size_t(r.expert)];
                }
        }
        for (const RoutedToken& t : s.sourceTokens) {
            auto& b = a.encoderByType[size_t(t.type)];
            ++b.tokens;
            b.flops += t.flops;
        }
        for (const RoutedToken& t : s.targetTokens) {
            auto& b = a.decoderByType[size_t(t.type)];
            ++b.tokens;
            b.flops += t.flops;
        }
    }
    return a;
}

namespace {

nlohmann::json tokensToJson(const std::vector<RoutedToken>& tokens) {
    nlohmann::json out = nlohmann::json::array();
    for (const RoutedToken& t : tokens)
        out.push_back(
            {{"id", t.id}, {"piece", t.piece}, {"type", tokenTypeName(t.type)}, {"flops", t.flops}});
    return out;
}

} // namespace

nlohmann::json routedSentenceToJson(const RoutedSentence& s) {
    nlohmann::json layers = nlohmann::json::array();
    for (const RoutedLayer& l : s.layers) {
        nlohmann::json expert = nlohmann::json::array(), width = nlohmann::json::array(),
                       gate = nlohmann::json::array(), dropped = nlohmann::json::array();
        for (const auto& token : l.tokens) {
            nlohmann::json e = nlohmann::json::array(), w = nlohmann::json::array(),
                           g = nlohmann::json::array(), d = nlohmann::json::array();
            for (const RoutedAssignment& a : token) {
                e.push_back(a.expert);
                w.push_back(a.width);
                g.push_back(a.gate);
                d.push_back(a.dropped);
            }
            expert.push_back(e);
            width.push_back(w);
            gate.push_back(g);
            dropped.push_back(d);
        }
        layers.push_back({{"stack", stackName(l.stack)},
                          {"layer", l.layer},
                          {"embed_dim", l.embedDim},
                          {"top_k", l.topK},
                          {"widths", l.widths},
                          {"router_flops", routerFlops(l.embedDim, int(l.widths.size()))},
                          {"expert", expert},
                          {"width", width},
                          {"gate", gate},
                          {"dropped", dropped}});
    }
    return {{"source", s.source},
            {"translation", s.translation},
            {"source_tokens", tokensToJson(s.sourceTokens)},
            {"target_tokens", tokensToJson(s.targetTokens)},
            {"layers", layers}};
}

nlohmann::json routingAggregateToJson(const RoutingAggregate& a) {
    nlohmann::json layers = nlohmann::json::array();
    for (const RoutingAggregate::Layer& l : a.layers)
        layers.push_back({{"stack", stackName(l.stack)},
                          {"layer", l.layer},
                          {"widths", l.widths},
                          {"top_k", l.topK},
                          {"tokens", l.tokens},
                          {"load", l.load},
                          {"dropped", l.dropped}});
    nlohmann::json byType = nlohmann::json::array();
    for (int s = 0; s < 2; ++s) {
        const auto& table = s == 0 ? a.encoderByType : a.decoderByType;
        for (int t = 0; t < kTokenTypeCount; ++t) {
            const auto& b = table[size_t(t)];
            byType.push_back({{"stack", s == 0 ? "encoder" : "decoder"},
                              {"type", tokenTypeName(TokenType(t))},
                              {"tokens", b.tokens},
                              {"mean_flops", b.mean()}});
        }
    }
    return {{"sentences", a.sentences}, {"layers", layers}, {"flops_by_type", byType}};
}

} // namespace automoe
