#include "data/CorpusReader.h"

#include <filesystem>
#include <unordered_set>

#include "data/CorpusError.h"
#include "data/CorpusText.h"
#include "util/Resources.h"

namespace fs = std::filesystem;

namespace automoe {

namespace {

void requireText(const std::string& path, const std::string& text) {
    if (text.empty()) throw CorpusError(path, 0, "empty file");
}

std::string readCorpusFile(const std::string& path) {
    std::string text;
    try {
        text = readTextFile(path);
    } catch (const std::exception& e) {
        throw CorpusError(path, 0, std::string("cannot read: ") + e.what());
    }
    requireText(path, text);
    return text;
}

// Appends one aligned pair (in the requested direction); a pair with an empty side is counted as skipped.
void addPair(Corpus& corpus, std::string source, std::string target, bool reverse) {
    if (source.empty() || target.empty()) {
        ++corpus.info.skipped;
        return;
    }
    if (reverse)
        corpus.pairs.push_back({std::move(target), std::move(source)});
    else
        corpus.pairs.push_back({std::move(source), std::move(target)});
}

void finish(Corpus& corpus, bool reverse) {
    if (corpus.pairs.empty()) {
        const std::string file = corpus.info.paths.empty() ? std::string() : corpus.info.paths.front();
        throw CorpusError(file, 0,
                          "no sentence pairs (" + std::to_string(corpus.info.skipped) + " entries skipped)");
    }
    if (reverse) std::swap(corpus.info.sourceLanguage, corpus.info.targetLanguage);
    corpus.info.reversed = reverse;
    corpus.info.pairCount = corpus.pairs.size();
    corpus.info.contentHash = corpusContentHash(corpus.pairs);
}

std::string extensionLanguage(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    if (!ext.empty()) ext.erase(0, 1);
    return ext.size() >= 2 && ext.size() <= 3 ? ext : std::string();
}

} // namespace

Corpus readDingCorpus(const std::string& path, const DingOptions& options) {
    return parseDingCorpus(readCorpusFile(path), path, options);
}

Corpus parseDingCorpus(const std::string& text, const std::string& path, const DingOptions& options) {
    requireText(path, text);
    const auto lines = splitCorpusLines(path, text);
    // The parser orients pairs itself; finish() only swaps the language labels.
    const CorpusDingParser parser(options);
    Corpus corpus;
    corpus.info.paths = {path};
    corpus.info.format = CorpusFormat::Ding;
    corpus.info.sourceLanguage = "de";
    corpus.info.targetLanguage = "en";
    std::unordered_set<std::string> seen;
    std::string line;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        line.assign(lines[i]);
        for (auto& pair : parser.parseLine(line, path, i + 1)) {
            if (options.dropDuplicates && !seen.insert(pair.source + '\t' + pair.target).second) {
                ++corpus.info.skipped;
                continue;
            }
            corpus.pairs.push_back(std::move(pair));
        }
    }
    finish(corpus, options.reverse);
    return corpus;
}

Corpus readParallelCorpus(const std::string& sourcePath, const std::string& targetPath,
                          const CorpusReadOptions& options) {
    const std::string sourceText = readCorpusFile(sourcePath);
    const std::string targetText = readCorpusFile(targetPath);
    return parseParallelCorpus(sourceText, sourcePath, targetText, targetPath, options);
}

Corpus parseParallelCorpus(const std::string& sourceText, const std::string& sourcePath,
                           const std::string& targetText, const std::string& targetPath,
                           const CorpusReadOptions& options) {
    requireText(sourcePath, sourceText);
    requireText(targetPath, targetText);
    const auto source = splitCorpusLines(sourcePath, sourceText);
    const auto target = splitCorpusLines(targetPath, targetText);
    if (source.size() != target.size()) {
        throw CorpusError(sourcePath, 0,
                          "has " + std::to_string(source.size()) + " lines but " + targetPath + " has " +
                              std::to_string(target.size()) +
                              "; aligned files need the same number of lines");
    }
    Corpus corpus;
    corpus.info.paths = {sourcePath, targetPath};
    corpus.info.format = CorpusFormat::Parallel;
    corpus.info.sourceLanguage =
        options.sourceLanguage.empty() ? extensionLanguage(sourcePath) : options.sourceLanguage;
    corpus.info.targetLanguage =
        options.targetLanguage.empty() ? extensionLanguage(targetPath) : options.targetLanguage;
    corpus.pairs.reserve(source.size());
    for (std::size_t i = 0; i < source.size(); ++i) {
        std::string s = collapseWhitespace(source[i]);
        std::string t = collapseWhitespace(target[i]);
        addPair(corpus, std::move(s), std::move(t), options.reverse);
    }
    finish(corpus, options.reverse);
    return corpus;
}

Corpus readTsvCorpus(const std::string& path, const CorpusReadOptions& options) {
    return parseTsvCorpus(readCorpusFile(path), path, options);
}

Corpus parseTsvCorpus(const std::string& text, const std::string& path, const CorpusReadOptions& options) {
    requireText(path, text);
    const auto lines = splitCorpusLines(path, text);
    Corpus corpus;
    corpus.info.paths = {path};
    corpus.info.format = CorpusFormat::Tsv;
    corpus.info.sourceLanguage = options.sourceLanguage;
    corpus.info.targetLanguage = options.targetLanguage;
    corpus.pairs.reserve(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        if (collapseWhitespace(line).empty()) continue;
        const std::size_t tab = line.find('\t');
        if (tab == std::string_view::npos)
            throw CorpusError(path, i + 1, "expected 'source<TAB>target' (no tab on the line)");
        if (line.find('\t', tab + 1) != std::string_view::npos)
            throw CorpusError(path, i + 1, "expected 'source<TAB>target' (more than one tab on the line)");
        std::string s = collapseWhitespace(line.substr(0, tab));
        std::string t = collapseWhitespace(line.substr(tab + 1));
        addPair(corpus, std::move(s), std::move(t), options.reverse);
    }
    finish(corpus, options.reverse);
    return corpus;
}

Corpus loadDefaultCorpus(const std::string& dingPath) {
    std::error_code ec;
    if (!dingPath.empty() && fs::is_regular_file(dingPath, ec)) return readDingCorpus(dingPath);
    CorpusReadOptions options;
    options.sourceLanguage = "de";
    options.targetLanguage = "en";
    return readTsvCorpus(resourcePath(kBundledCorpusSample), options);
}

} // namespace automoe
