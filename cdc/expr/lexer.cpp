#include "cdc/expr/lexer.h"

namespace cdc::expr {
namespace {

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;  // non-ASCII letters in names
}
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool tokenize(std::string_view text, std::vector<Token>& tokens, SyntaxError& error) {
  tokens.clear();
  size_t pos = 0;
  const size_t n = text.size();
  auto fail = [&](size_t at, std::string message) {
    error = {static_cast<uint32_t>(at), std::move(message)};
    return false;
  };
  while (pos < n) {
    const char c = text[pos];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++pos;
      continue;
    }
    Token tok;
    tok.offset = static_cast<uint32_t>(pos);
    if (is_ident_start(c)) {
      size_t end = pos;
      while (end < n && is_ident_char(text[end])) ++end;
      tok.kind = TokenKind::identifier;
      tok.value = std::string(text.substr(pos, end - pos));
      pos = end;
    } else if (is_digit(c) || (c == '.' && pos + 1 < n && is_digit(text[pos + 1]))) {
      size_t end = pos;
      while (end < n && is_digit(text[end])) ++end;
      tok.kind = TokenKind::integer;
      if (end < n && text[end] == '.') {
        tok.kind = TokenKind::decimal;
        ++end;
        while (end < n && is_digit(text[end])) ++end;
      }
      if (end < n && (text[end] == 'e' || text[end] == 'E')) {
        size_t exp = end + 1;
        if (exp < n && (text[exp] == '+' || text[exp] == '-')) ++exp;
        if (exp >= n || !is_digit(text[exp])) {
          return fail(end, "malformed number: expected digits after the exponent");
        }
        while (exp < n && is_digit(text[exp])) ++exp;
        tok.kind = TokenKind::floating;
        end = exp;
      }
      if (end < n && is_ident_start(text[end])) {
        return fail(end, "malformed number '" + std::string(text.substr(pos, end + 1 - pos)) + "'");
      }
      tok.value = std::string(text.substr(pos, end - pos));
      pos = end;
    } else if (c == '\'') {
      size_t p = pos + 1;
      std::string value;
      for (;;) {
        if (p >= n) return fail(pos, "unterminated string literal");
        if (text[p] == '\'') {
          if (p + 1 < n && text[p + 1] == '\'') {  // '' is an escaped quote
            value.push_back('\'');
            p += 2;
            continue;
          }
          ++p;
          break;
        }
        value.push_back(text[p++]);
      }
      tok.kind = TokenKind::string;
      tok.value = std::move(value);
      pos = p;
    } else if (c == '`') {
      size_t p = pos + 1;
      std::string value;
      for (;;) {
        if (p >= n) return fail(pos, "unterminated `quoted name`");
        if (text[p] == '`') {
          if (p + 1 < n && text[p + 1] == '`') {
            value.push_back('`');
            p += 2;
            continue;
          }
          ++p;
          break;
        }
        value.push_back(text[p++]);
      }
      if (value.empty()) return fail(pos, "empty `quoted name`");
      tok.kind = TokenKind::quoted_identifier;
      tok.value = std::move(value);
      pos = p;
    } else if (c == '"') {
      return fail(pos,
                  "double quotes do not make a string in this SQL dialect: write 'text' for a "
                  "string or `name` for a column");
    } else {
      static constexpr std::string_view kTwoChar[] = {"<>", "!=", "<=", ">=", "||", "==", "::"};
      std::string_view two = text.substr(pos, 2);
      bool matched = false;
      for (std::string_view sym : kTwoChar) {
        if (two == sym) {
          tok.value = std::string(sym);
          pos += 2;
          matched = true;
          break;
        }
      }
      if (!matched) {
        static constexpr std::string_view kOneChar = "()+-*/%=<>,.";
        if (kOneChar.find(c) == std::string_view::npos) {
          return fail(pos, std::string("unexpected character '") + c + "'");
        }
        tok.value = std::string(1, c);
        ++pos;
      }
      tok.kind = TokenKind::symbol;
    }
    tokens.push_back(std::move(tok));
  }
  Token end;
  end.kind = TokenKind::end;
  end.offset = static_cast<uint32_t>(n);
  tokens.push_back(std::move(end));
  return true;
}

}  // namespace cdc::expr
