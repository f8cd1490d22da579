// Lexer of the transform expression language: splits an expression's text into tokens that
// remember their byte offset, so every later error can point at the exact place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"

namespace cdc::expr {

enum class TokenKind : uint8_t {
  identifier,         // name or keyword (keywords are recognised by the parser, case-insensitively)
  quoted_identifier,  // `name`
  integer,            // 123
  decimal,            // 1.50
  floating,           // 1e3, 1.5E-2
  string,             // 'it''s' (value holds the unescaped text)
  symbol,             // ( ) , + - * / % = <> != < <= > >= || . ::
  end,
};

struct Token {
  TokenKind kind = TokenKind::end;
  std::string value;    // unescaped text of strings and quoted identifiers; the symbol itself
  uint32_t offset = 0;  // byte offset of the token's first character in the expression
};

// Failure position for error messages: byte offset into the text plus what went wrong.
struct SyntaxError {
  uint32_t offset = 0;
  std::string message;
};

// All tokens of `text`, ending with a TokenKind::end token at text.size(), or the first
// lexical error (unterminated string, stray character).
bool tokenize(std::string_view text, std::vector<Token>& tokens, SyntaxError& error);

}  // namespace cdc::expr
