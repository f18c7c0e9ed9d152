// The joint source/target subword vocabulary: a SentencePiece model trained on the training split (both
// sides), cached on disk under a key derived from the corpus, the split and the options, so that the same
// data and settings always give the same ids.
//
// Special ids are fixed: pad = 0, unk = 1, bos = 2, eos = 3 (kPadId...kEosId). encode() adds neither bos
// nor eos; the caller frames sequences. By default no Unicode normalisation is applied ("identity" rule)
// so that decode(encode(s)) equals s with whitespace collapsed -- BLEU then compares against untouched
// references (nmt_nfkc would turn "…" into "..."). Characters never seen in training decode as " ⁇ ".
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "data/Corpus.h"
#include "data/CorpusSplit.h"

namespace automoe {

struct VocabularyOptions {
    enum class ModelType { Unigram, Bpe };
    ModelType modelType = ModelType::Unigram;
    int size = 8000;                    // requested pieces; a smaller corpus may yield fewer (soft limit)
    double characterCoverage = 1.0;     // German + English have small alphabets: keep every character seen
    std::size_t maxSentences = 1000000; // training sentences used (the first ones of the split, no sampling)
    int numThreads = 1;                 // part of the cache key: EM sums depend on the thread partition
    unsigned int seed = 1;              // SentencePiece's random generator seed
    std::string normalization = "identity"; // SentencePiece normalization_rule_name, e.g. "nmt_nfkc"
};

class Vocabulary {
public:
    static constexpr int kPadId = 0;
    static constexpr int kUnkId = 1;
    static constexpr int kBosId = 2;
    static constexpr int kEosId = 3;

    // An empty vocabulary (size() == 0); encode/decode throw. Use one of the factories below.
    Vocabulary();
    ~Vocabulary();
    Vocabulary(const Vocabulary&);
    Vocabulary& operator=(const Vocabulary&);
    Vocabulary(Vocabulary&&) noexcept;
    Vocabulary& operator=(Vocabulary&&) noexcept;

    // Loads `cacheDir`/spm-<cacheKey>.model when present and readable, otherwise trains on the training
    // split of `corpus` and stores the model there (atomically). A corrupt cache file is retrained over.
    static Vocabulary trainOrLoad(const Corpus& corpus, const CorpusSplit& split,
                                  const VocabularyOptions& options, const std::string& cacheDir);
    // Trains on `sentences` in memory (no files). Throws std::runtime_error with SentencePiece's reason.
    static Vocabulary train(const std::vector<std::string>& sentences, const VocabularyOptions& options);
    // Loads a model file; throws std::runtime_error naming the file when it is missing or not a model.
    static Vocabulary load(const std::string& modelPath);
    // A vocabulary from serializedModel() bytes (e.g. stored inside a standalone model file); `origin`
    // names the source in errors. Throws std::runtime_error when the bytes are not a model with our ids.
    static Vocabulary fromSerialized(std::string serialized, const std::string& origin);

    // 16 hex digits over (corpus content hash, split index hash, options, format version).
    static std::string cacheKey(const Corpus& corpus, const CorpusSplit& split,
                                const VocabularyOptions& options);
    // The training sentences trainOrLoad() uses: source then target of each training pair, capped.
    static std::vector<std::string> trainingSentences(const Corpus& corpus, const CorpusSplit& split,
                                                      const VocabularyOptions& options);

    std::vector<int> encode(const std::string& text) const;
    std::string decode(const std::vector<int>& ids) const; // detokenised; pad/bos/eos are dropped
    std::string piece(int id) const;

    int size() const;
    int padId() const { return kPadId; }
    int unkId() const { return kUnkId; }
    int bosId() const { return kBosId; }
    int eosId() const { return kEosId; }

    // The model file this vocabulary was loaded from or saved to (empty for an in-memory one) and whether
    // trainOrLoad() found it in the cache.
    const std::string& modelPath() const { return modelPath_; }
    bool fromCache() const { return fromCache_; }
    // The serialized SentencePiece ModelProto, e.g. to store with a run.
    const std::string& serializedModel() const;
    // Writes the model atomically.
    void save(const std::string& path);

private:
    struct Model;
    void requireModel() const;

    std::shared_ptr<const Model> model_;
    std::string modelPath_;
    bool fromCache_ = false;
};

} // namespace automoe
