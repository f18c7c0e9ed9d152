#include "SentencePieceShim.h"

#include <cstdlib>
#include <cstring>
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>
#include <string>
#include <unordered_map>
#include <vector>

#define AMSPM_EXPORT __attribute__((visibility("default")))

struct amspm_model {
    sentencepiece::SentencePieceProcessor processor;
};

namespace {

char* copyOut(const std::string& s, size_t* length) {
    char* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (!p) return nullptr;
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    if (length) *length = s.size();
    return p;
}

class VectorIterator : public sentencepiece::SentenceIterator {
public:
    explicit VectorIterator(const std::vector<std::string>& s)
        : s_(s) {}
    bool done() const override { return i_ >= s_.size(); }
    void Next() override { ++i_; }
    const std::string& value() const override { return s_[i_]; }
    sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

private:
    const std::vector<std::string>& s_;
    size_t i_ = 0;
};

} // namespace

extern "C" {

AMSPM_EXPORT int amspm_train(const char* const* keys, const char* const* values, size_t flagCount,
                             const char* const* sentences, const size_t* lengths, size_t sentenceCount,
                             unsigned int seed, char** model, size_t* modelLength, char** error) {
    try {
        std::unordered_map<std::string, std::string> args;
        for (size_t i = 0; i < flagCount; ++i)
            args[keys[i]] = values[i];
        std::vector<std::string> text;
        text.reserve(sentenceCount);
        for (size_t i = 0; i < sentenceCount; ++i)
            text.emplace_back(sentences[i], lengths[i]);
        sentencepiece::SetRandomGeneratorSeed(seed);
        VectorIterator it(text);
        std::string serialized;
        const auto status = sentencepiece::SentencePieceTrainer::Train(args, &it, &serialized);
        if (!status.ok()) {
            *error = copyOut(status.ToString(), nullptr);
            return 1;
        }
        *model = copyOut(serialized, modelLength);
        return 0;
    } catch (const std::exception& e) {
        *error = copyOut(e.what(), nullptr);
        return 1;
    }
}

AMSPM_EXPORT amspm_model* amspm_load(const char* data, size_t length, char** error) {
    auto* m = new amspm_model;
    const auto status = m->processor.LoadFromSerializedProto(std::string_view(data, length));
    if (!status.ok()) {
        *error = copyOut(status.ToString(), nullptr);
        delete m;
        return nullptr;
    }
    return m;
}

AMSPM_EXPORT void amspm_free_model(amspm_model* model) {
    delete model;
}

AMSPM_EXPORT int amspm_piece_size(const amspm_model* model) {
    return model->processor.GetPieceSize();
}

AMSPM_EXPORT int amspm_special_id(const amspm_model* model, int which) {
    switch (which) {
    case 0:
        return model->processor.pad_id();
    case 1:
        return model->processor.unk_id();
    case 2:
        return model->processor.bos_id();
    case 3:
        return model->processor.eos_id();
    }
    return -1;
}

AMSPM_EXPORT size_t amspm_encode(const amspm_model* model, const char* text, size_t length, int** ids) {
    const std::vector<int> v = model->processor.EncodeAsIds(std::string_view(text, length));
    *ids = static_cast<int*>(std::malloc(sizeof(int) * (v.size() + 1)));
    if (!v.empty()) std::memcpy(*ids, v.data(), sizeof(int) * v.size());
    return v.size();
}

AMSPM_EXPORT char* amspm_decode(const amspm_model* model, const int* ids, size_t count, size_t* length) {
    return copyOut(model->processor.DecodeIds(std::vector<int>(ids, ids + count)), length);
}

AMSPM_EXPORT char* amspm_piece(const amspm_model* model, int id, size_t* length) {
    return copyOut(model->processor.IdToPiece(id), length);
}

AMSPM_EXPORT void amspm_free(void* p) {
    std::free(p);
}
}
