// The C interface of libautomoe_spm, a small shared library around SentencePiece. libsentencepiece
// carries its own copy of protobuf-lite 3.14 whose exported symbols collide with the system libprotobuf
// 3.21 that LibTorch loads: linked directly into a program with LibTorch, either libprotobuf's
// initialisers crash before main() or SentencePiece aborts with a version mismatch. Vocabulary therefore
// loads this library with dlopen(RTLD_LOCAL | RTLD_DEEPBIND), so SentencePiece binds to its own copy and
// nothing of it enters the global symbol scope. Strings cross as (pointer, length); memory returned by the
// library is released with amspm_free.
#pragma once
#include <stddef.h>

extern "C" {

struct amspm_model;

// Trains a model. `keys`/`values`: SentencePiece trainer flags without "--". Returns 0 on success with
// the serialized ModelProto in *model (length *modelLength); otherwise non-zero with *error set.
int amspm_train(const char* const* keys, const char* const* values, size_t flagCount,
                const char* const* sentences, const size_t* lengths, size_t sentenceCount, unsigned int seed,
                char** model, size_t* modelLength, char** error);
// Loads a serialized model; nullptr with *error set on failure.
amspm_model* amspm_load(const char* data, size_t length, char** error);
void amspm_free_model(amspm_model* model);
int amspm_piece_size(const amspm_model* model);
// which: 0 pad, 1 unk, 2 bos, 3 eos.
int amspm_special_id(const amspm_model* model, int which);
// Returns the number of ids written to *ids (allocated by the library).
size_t amspm_encode(const amspm_model* model, const char* text, size_t length, int** ids);
char* amspm_decode(const amspm_model* model, const int* ids, size_t count, size_t* length);
char* amspm_piece(const amspm_model* model, int id, size_t* length);
void amspm_free(void* p);
}
