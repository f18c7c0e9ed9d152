#include "data/Vocabulary.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <unordered_map>

#include <dlfcn.h>
#include <mutex>
#include <unistd.h>

#include "spm/SentencePieceShim.h"
#include "util/Resources.h"

namespace fs = std::filesystem;

namespace automoe {

// Bumped whenever training changes in a way that makes old cached models stale.
static constexpr int kVocabularyFormatVersion = 1;

namespace {

// Loads the shim with RTLD_DEEPBIND. AddressSanitizer's dlopen() refuses that flag (google/sanitizers#611: a
// deep-bound library's allocations bypass the sanitizer's bookkeeping), so a sanitized build deep-binds only
// where it must: in a process with a protobuf in its global scope (LibTorch's libprotobuf 3.21), to which
// SentencePiece would otherwise bind and abort on its version check (the sanitized suite's
// tst_translation). There it calls glibc's own dlopen, past the interceptor; the shim's C interface keeps
// each allocation on its side. A torch-free sanitized process loads it plainly: deep-bound there,
// SentencePiece's start-up code tripped ASan's alloc-dealloc-mismatch check (asan_base_tst_vocabulary).
void* openShim(const char* path) {
    const int flags = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
#if defined(__SANITIZE_ADDRESS__)
    // google::protobuf::internal::VerifyVersion(int, int, const char*), which every protobuf exports.
    if (!::dlsym(RTLD_DEFAULT, "_ZN6google8protobuf8internal13VerifyVersionEiiPKc"))
        return ::dlopen(path, RTLD_NOW | RTLD_LOCAL);
    using Dlopen = void* (*)(const char*, int);
    static const Dlopen libcDlopen = [] {
        void* libc = ::dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
        return libc ? reinterpret_cast<Dlopen>(::dlsym(libc, "dlopen")) : nullptr;
    }();
    return libcDlopen ? libcDlopen(path, flags) : ::dlopen(path, RTLD_NOW | RTLD_LOCAL);
#else
    return ::dlopen(path, flags);
#endif
}

// SentencePiece through libautomoe_spm, loaded once with RTLD_DEEPBIND (see spm/SentencePieceShim.h).
struct SpmApi {
    decltype(&amspm_train) train = nullptr;
    decltype(&amspm_load) load = nullptr;
    decltype(&amspm_free_model) freeModel = nullptr;
    decltype(&amspm_piece_size) pieceSize = nullptr;
    decltype(&amspm_special_id) specialId = nullptr;
    decltype(&amspm_encode) encode = nullptr;
    decltype(&amspm_decode) decode = nullptr;
    decltype(&amspm_piece) piece = nullptr;
    decltype(&amspm_free) free = nullptr;
};

std::vector<std::string> shimCandidates() {
    std::vector<std::string> paths;
    if (const char* env = std::getenv("AUTOMOE_SPM_LIBRARY"); env && *env) paths.emplace_back(env);
    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        const fs::path dir = fs::path(std::string(exe, size_t(n))).parent_path();
        paths.push_back((dir / "libautomoe_spm.so").string());
        // The install library directory relative to the install bin directory: an unpacked package.
        paths.push_back((dir / AUTOMOE_SPM_FROM_BIN).lexically_normal().string());
    }
#if defined(AUTOMOE_SPM_BUILD_PATH) && AUTOMOE_SEARCH_SOURCE_TREE
    paths.emplace_back(AUTOMOE_SPM_BUILD_PATH);
#endif
#ifdef AUTOMOE_SPM_INSTALL_PATH
    paths.emplace_back(AUTOMOE_SPM_INSTALL_PATH);
#endif
    return paths;
}

const SpmApi& spm() {
    static SpmApi api;
    static std::string failure;
    static std::once_flag once;
    std::call_once(once, [] {
        std::string tried;
        void* handle = nullptr;
        for (const std::string& path : shimCandidates()) {
            std::error_code ec;
            if (!fs::is_regular_file(path, ec)) continue;
            handle = openShim(path.c_str());
            if (handle) break;
            tried += "\n  " + path + ": " + ::dlerror();
        }
        if (!handle) {
            failure = "SentencePiece support library libautomoe_spm.so could not be loaded";
            for (const std::string& path : shimCandidates())
                failure += "\n  looked for " + path;
            failure += tried;
            return;
        }
        auto sym = [&](const char* name) {
            void* p = ::dlsym(handle, name);
            if (!p && failure.empty()) failure = std::string("libautomoe_spm.so lacks ") + name;
            return p;
        };
        api.train = reinterpret_cast<decltype(api.train)>(sym("amspm_train"));
        api.load = reinterpret_cast<decltype(api.load)>(sym("amspm_load"));
        api.freeModel = reinterpret_cast<decltype(api.freeModel)>(sym("amspm_free_model"));
        api.pieceSize = reinterpret_cast<decltype(api.pieceSize)>(sym("amspm_piece_size"));
        api.specialId = reinterpret_cast<decltype(api.specialId)>(sym("amspm_special_id"));
        api.encode = reinterpret_cast<decltype(api.encode)>(sym("amspm_encode"));
        api.decode = reinterpret_cast<decltype(api.decode)>(sym("amspm_decode"));
        api.piece = reinterpret_cast<decltype(api.piece)>(sym("amspm_piece"));
        api.free = reinterpret_cast<decltype(api.free)>(sym("amspm_free"));
    });
    if (!failure.empty()) throw std::runtime_error(failure);
    return api;
}

std::string takeString(char* p, std::size_t length) {
    std::string s(p ? p : "", p ? length : 0);
    spm().free(p);
    return s;
}

} // namespace

struct Vocabulary::Model {
    amspm_model* processor = nullptr;
    std::string serialized;
    int pieces = 0;
    ~Model() {
        if (processor) spm().freeModel(processor);
    }
};

namespace {

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
    std::vector<const char*> keys, values, text;
    std::vector<std::size_t> lengths;
    for (const auto& [k, v] : args) {
        keys.push_back(k.c_str());
        values.push_back(v.c_str());
    }
    for (const auto& s : sentences) {
        text.push_back(s.data());
        lengths.push_back(s.size());
    }
    // SentencePiece keeps its seed in a library global; the library sets it right before training.
    char* model = nullptr;
    char* error = nullptr;
    std::size_t modelLength = 0;
    if (spm().train(keys.data(), values.data(), keys.size(), text.data(), lengths.data(), text.size(),
                    options.seed, &model, &modelLength, &error) != 0)
        throw std::runtime_error("vocabulary: SentencePiece training failed: " +
                                 takeString(error, error ? std::strlen(error) : 0));
    return fromSerialized(takeString(model, modelLength), "trained model");
}

Vocabulary Vocabulary::fromSerialized(std::string serialized, const std::string& origin) {
    auto model = std::make_shared<Model>();
    char* error = nullptr;
    model->processor = spm().load(serialized.data(), serialized.size(), &error);
    if (!model->processor)
        throw std::runtime_error(
            origin + ": not a SentencePiece model: " + takeString(error, error ? std::strlen(error) : 0));
    model->pieces = spm().pieceSize(model->processor);
    if (spm().specialId(model->processor, 0) != kPadId || spm().specialId(model->processor, 1) != kUnkId ||
        spm().specialId(model->processor, 2) != kBosId || spm().specialId(model->processor, 3) != kEosId) {
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
    int* ids = nullptr;
    const std::size_t n = spm().encode(model_->processor, text.data(), text.size(), &ids);
    std::vector<int> out(ids, ids + n);
    spm().free(ids);
    return out;
}

std::string Vocabulary::decode(const std::vector<int>& ids) const {
    requireModel();
    // SentencePiece decodes control ids (pad/bos/eos) to nothing; out-of-range ids would abort, so check.
    const int n = size();
    for (int id : ids)
        if (id < 0 || id >= n)
            throw std::out_of_range("Vocabulary::decode: id " + std::to_string(id) + " outside [0, " +
                                    std::to_string(n) + ")");
    std::size_t length = 0;
    char* text = spm().decode(model_->processor, ids.data(), ids.size(), &length);
    return takeString(text, length);
}

std::string Vocabulary::piece(int id) const {
    requireModel();
    if (id < 0 || id >= size()) throw std::out_of_range("Vocabulary::piece: id " + std::to_string(id));
    std::size_t length = 0;
    char* text = spm().piece(model_->processor, id, &length);
    return takeString(text, length);
}

int Vocabulary::size() const {
    return model_ ? model_->pieces : 0;
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
