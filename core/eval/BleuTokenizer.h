// The tokenizers sacreBLEU 2.x applies before counting BLEU n-grams, reproduced byte for byte:
// '13a' (mteval-v13a, sacreBLEU's default), 'intl' (mteval-v14 international), 'char' and 'none'.
// Each returns the tokens joined by single spaces, exactly like sacreBLEU's tokenizer objects.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace automoe {

// sacreBLEU's Tokenizer13a: drop "<skipped>", join "-\n" continuations, newlines to spaces, unescape
// &quot; &amp; &lt; &gt; (in that order), then the four mteval-v13a regexes on " line ".
std::string tokenize13a(std::string_view line);

// sacreBLEU's TokenizerV14International: split Unicode punctuation (P) not between digits (N) and
// symbols (S). Categories follow the Unicode version in BleuUnicodeTables.cpp.
std::string tokenizeIntl(std::string_view line);

// sacreBLEU's TokenizerChar: every non-whitespace code point is a token.
std::string tokenizeChar(std::string_view line);

// The names sacreBLEU accepts for `tokenize` that are implemented here.
const std::vector<std::string>& bleuTokenizerNames();

// Applies the tokenizer called `name`; throws std::invalid_argument for an unknown name.
std::string tokenizeForBleu(std::string_view line, std::string_view name);

} // namespace automoe
