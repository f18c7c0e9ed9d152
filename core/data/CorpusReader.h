// Reading parallel corpora from disk: the Ding dictionary, two aligned plain-text files (fairseq style
// train.de / train.en) and TSV. Every reader validates UTF-8, normalises whitespace and throws CorpusError
// naming the file and line on bad input; none returns an empty corpus.
#pragma once

#include <string>

#include "data/Corpus.h"
#include "data/CorpusDingParser.h"

namespace automoe {

// Where Debian's trans-de-en package installs the Ding dictionary.
inline constexpr const char* kDebianDingPath = "/usr/share/trans/de-en";
// The bundled sample, relative to the resource directory (see util/Resources.h).
inline constexpr const char* kBundledCorpusSample = "corpus/ding-sample.tsv";

struct CorpusReadOptions {
    bool reverse = false;       // swap source and target
    std::string sourceLanguage; // as written in the file(s), before `reverse`; empty = unknown
    std::string targetLanguage;
};

// The Ding dictionary, German→English unless options.reverse (see CorpusDingParser for the rules).
Corpus readDingCorpus(const std::string& path, const DingOptions& options = {});

// Line i of `sourcePath` pairs with line i of `targetPath`. Both files must have the same number of lines;
// pairs with an empty side are skipped (counted in info.skipped). Languages default to the files'
// extensions ("train.de" -> "de").
Corpus readParallelCorpus(const std::string& sourcePath, const std::string& targetPath,
                          const CorpusReadOptions& options = {});

// One pair per line, "source<TAB>target"; exactly one tab per non-blank line. Blank lines are skipped.
Corpus readTsvCorpus(const std::string& path, const CorpusReadOptions& options = {});

// The same readers on a file's text already in memory (what the readers above call once the file is read;
// the fuzz targets in tests/fuzz call them directly): `path` names the file in errors. An empty text throws
// CorpusError(path, 0, "empty file") as an empty file does.
Corpus parseDingCorpus(const std::string& text, const std::string& path, const DingOptions& options = {});
Corpus parseParallelCorpus(const std::string& sourceText, const std::string& sourcePath,
                           const std::string& targetText, const std::string& targetPath,
                           const CorpusReadOptions& options = {});
Corpus parseTsvCorpus(const std::string& text, const std::string& path,
                      const CorpusReadOptions& options = {});

// The Ding dictionary at `dingPath` when that file exists, otherwise the bundled sample (German→English
// TSV). Both give German→English pairs with >= 3 words a side.
Corpus loadDefaultCorpus(const std::string& dingPath = kDebianDingPath);

} // namespace automoe
