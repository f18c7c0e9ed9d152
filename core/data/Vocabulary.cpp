#include "data/Vocabulary.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <unordered_map>

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include "util/Resources.h"

namespace fs = std::filesystem;

namespace automoe {

// Bumped whenever training changes in a way that makes old cached models stale.
static constexpr int kVocabularyFormatVersion = 1;

struct Vocabulary::Model {
    sentencepiece::SentencePieceProcessor processor;
    std::string serialized;
};

namespace {

class VectorSentenceIterator : public sentencepiece::SentenceIterator {
public:
    explicit VectorSentenceIterator(const std::vector<std::string>& sentences)
        : sentences_(sentences) {}
    bool done() const override { return index_ >= sentences_.size(); }
    void Next() override { ++index_; }
    const std::string& value() const override { return sentences_[index_]; }
    sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

private:
    const std::vector<std::string>& sentences_;
    std::size_t index_ = 0;
};

std::string hex(std::uint64_t h) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::uint64_t fnv(const std::string& s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

std::string modelTypeName(VocabularyOptions::ModelType type) {
    return type == VocabularyOptions::ModelType::Bpe ? "bpe" : "unigram";
}

} // namespace

Vocabulary::Vocabulary() = default;
Vocabulary::~Vocabulary() = default;
Vocabulary::Vocabulary(const Vocabulary&) = default;
Vocabulary& Vocabulary::operator=(const Vocabulary&) = default;
Vocabulary::Vocabulary(Vocabulary&&) noexcept = default;
Vocabulary& Vocabulary::operator=(Vocabulary&&) noexcept = default;

std::string Vocabulary::cacheKey(const Corpus& corpus, const CorpusSplit& split,
                                 const VocabularyOptions& options) {
    char coverage[32];
    std::snprintf(coverage, sizeof coverage, "%.6f", options.characterCoverage);
    const std::string text = "v" + std::to_string(kVocabularyFormatVersion) + "|" + corpus.info.contentHash +
                             "|" + split.hash() + "|" + modelTypeName(options.modelType) + "|" +
                             std::to_string(options.size) + "|" + coverage + "|" +
                             std::to_string(options.maxSentences) + "|" + std::to_string(options.numThreads) +
                             "|" + std::to_string(options.seed) + "|" + options.normalization;
    return hex(fnv(text));
}

std::vector<std::string> Vocabulary::trainingSentences(const Corpus& corpus, const CorpusSplit& split,
                                                       const VocabularyOptions& options) {
    std::vector<std::string> sentences;
    sentences.reserve(std::min(options.maxSentences, 2 * split.train().size()));
    for (std::size_t i : split.train()) {
        if (sentences.size() >= options.maxSentences) break;
        sentences.push_back(corpus.pairs.at(i).source);
        if (sentences.size() >= options.maxSentences) break;
        sentences.push_back(corpus.pairs.at(i).target);
    }
    return sentences;
}

Vocabulary Vocabulary::train(const std::vector<std::string>& sentences, const VocabularyOptions& options) {
    if (sentences.empty()) throw std::runtime_error("vocabulary: no training sentences");
    if (options.size < 8)
        throw std::runtime_error("vocabulary: size " + std::to_string(options.size) + " is too small");
    const std::unordered_map<std::string, std::string> args{
        {"model_type", modelTypeName(options.modelType)},
        {"vocab_size", std::to_string(options.size)},
        {"hard_vocab_limit", "false"},
        {"character_coverage", std::to_string(options.characterCoverage)},
        {"pad_id", std::to_string(kPadId)},
        {"unk_id", std::to_string(kUnkId)},
        {"bos_id", std::to_string(kBosId)},
        {"eos_id", std::to_string(kEosId)},
        {"input_sentence_size", std::to_string(options.maxSentences)},
        {"shuffle_input_sentence", "false"},
        {"num_threads", std::to_string(std::max(1, options.numThreads))},
        {"normalization_rule_name", options.normalization},
        {"minloglevel", "2"},
    };
    // SentencePiece keeps its seed in a library global; set it right before training.
    sentencepiece::SetRandomGeneratorSeed(options.seed);
    VectorSentenceIterator iterator(sentences);
    std::string serialized;
    const auto status = sentencepiece::SentencePieceTrainer::Train(args, &iterator, &serialized);
    if (!status.ok())
        throw std::runtime_error("vocabulary: SentencePiece training failed: " + status.ToString());
    return fromSerialized(std::move(serialized), "trained model");
}

Vocabulary Vocabulary::fromSerialized(std::string serialized, const std::string& origin) {
    auto model = std::make_shared<Model>();
    const auto status = model->processor.LoadFromSerializedProto(serialized);
    if (!status.ok()) throw std::runtime_error(origin + ": not a SentencePiece model: " + status.ToString());
    if (model->processor.pad_id() != kPadId || model->processor.unk_id() != kUnkId ||
        model->processor.bos_id() != kBosId || model->processor.eos_id() != kEosId) {
        throw std::runtime_error(origin + ": special ids differ from pad=0 unk=1 bos=2 eos=3");
    }
    model->serialized = std::move(serialized);
    Vocabulary v;
    v.model_ = std::move(model);
    return v;
}

Vocabulary Vocabulary::load(const std::string& modelPath) {
    Vocabulary v = fromSerialized(readTextFile(modelPath), modelPath);
    v.modelPath_ = modelPath;
    return v;
}

Vocabulary Vocabulary::trainOrLoad(const Corpus& corpus, const CorpusSplit& split,
                                   const VocabularyOptions& options, const std::string& cacheDir) {
    if (split.corpusHash() != corpus.info.contentHash || split.pairCount() != corpus.pairs.size())
        throw std::runtime_error("vocabulary: the split was made for a different corpus");
    const fs::path path = fs::path(cacheDir) / ("spm-" + cacheKey(corpus, split, options) + ".model");
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
        try {
            Vocabulary v = load(path.string());
            v.fromCache_ = true;
            return v;
        } catch (const std::exception&) {
            // A truncated or corrupt cache entry: retrain and replace it below.
        }
    }
    Vocabulary v = train(trainingSentences(corpus, split, options), options);
    fs::create_directories(cacheDir, ec);
    if (ec)
        throw std::runtime_error(cacheDir + ": cannot create vocabulary cache directory: " + ec.message());
    v.save(path.string());
    return v;
}

void Vocabulary::requireModel() const {
    if (!model_) throw std::logic_error("Vocabulary: no model loaded");
}

std::vector<int> Vocabulary::encode(const std::string& text) const {
    requireModel();
    return model_->processor.EncodeAsIds(text);
}

std::string Vocabulary::decode(const std::vector<int>& ids) const {
    requireModel();
    // SentencePiece decodes control ids (pad/bos/eos) to nothing; out-of-range ids would abort, so check.
    const int n = size();
    for (int id : ids)
        if (id < 0 || id >= n)
            throw std::out_of_range("Vocabulary::decode: id " + std::to_string(id) + " outside [0, " +
                                    std::to_string(n) + ")");
    return model_->processor.DecodeIds(ids);
}

std::string Vocabulary::piece(int id) const {
    requireModel();
    if (id < 0 || id >= size()) throw std::out_of_range("Vocabulary::piece: id " + std::to_string(id));
    return model_->processor.IdToPiece(id);
}

int Vocabulary::size() const {
    return model_ ? model_->processor.GetPieceSize() : 0;
}

const std::string& Vocabulary::serializedModel() const {
    requireModel();
    return model_->serialized;
}

void Vocabulary::save(const std::string& path) {
    writeTextFileAtomic(path, serializedModel());
    modelPath_ = path;
}

} // namespace automoe
