#include "cdc/expr/parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

#include "cdc/core/text.h"

namespace cdc::expr {
namespace {

// Words that end an operand: they can never be a column name without `backticks`.
bool is_reserved(std::string_view upper) {
  static constexpr std::string_view kReserved[] = {
      "AND", "OR", "NOT",  "IS",   "IN",    "BETWEEN", "LIKE", "CASE", "WHEN",   "THEN", "ELSE",
      "END", "AS", "NULL", "TRUE", "FALSE", "ESCAPE",  "CAST", "FROM", "SELECT", "WHERE"};
  return std::find(std::begin(kReserved), std::end(kReserved), upper) != std::end(kReserved);
}

class Parser {
 public:
  Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

  bool parse(AstPtr& out, SyntaxError& error) {
    out = expression();
    if (out && !at_end()) {
      fail_here(peek().kind == TokenKind::symbol && peek().value == ")"
                    ? "unbalanced ')'"
                    : "unexpected " + describe(peek()) + " after a complete expression");
      out.reset();
    }
    if (!out) {
      error = error_;
      return false;
    }
    return true;
  }

 private:
  const Token& peek(size_t ahead = 0) const {
    return toks_[std::min(pos_ + ahead, toks_.size() - 1)];
  }
  bool at_end() const { return peek().kind == TokenKind::end; }
  const Token& advance() {
    const Token& t = peek();
    if (pos_ < toks_.size() - 1) ++pos_;
    return t;
  }
  bool is_keyword(std::string_view kw, size_t ahead = 0) const {
    const Token& t = peek(ahead);
    if (t.kind != TokenKind::identifier || t.value.size() != kw.size()) return false;
    for (size_t i = 0; i < kw.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(t.value[i])) != kw[i]) return false;
    }
    return true;
  }
  bool accept_keyword(std::string_view kw) {
    if (!is_keyword(kw)) return false;
    advance();
    return true;
  }
  bool is_symbol(std::string_view s) const {
    return peek().kind == TokenKind::symbol && peek().value == s;
  }
  bool accept_symbol(std::string_view s) {
    if (!is_symbol(s)) return false;
    advance();
    return true;
  }
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::end: return "end of expression";
      case TokenKind::string: return "string '" + t.value + "'";
      case TokenKind::quoted_identifier: return "`" + t.value + "`";
      default: return "'" + t.value + "'";
    }
  }
  std::nullptr_t fail_here(std::string message) {
    if (error_.message.empty()) error_ = {peek().offset, std::move(message)};
    return nullptr;
  }
  bool expect_symbol(std::string_view s, std::string_view context) {
    if (accept_symbol(s)) return true;
    fail_here("expected '" + std::string(s) + "' " + std::string(context) + ", found " +
              describe(peek()));
    return false;
  }
  bool expect_keyword(std::string_view kw, std::string_view context) {
    if (accept_keyword(kw)) return true;
    fail_here("expected " + std::string(kw) + " " + std::string(context) + ", found " +
              describe(peek()));
    return false;
  }

  static AstPtr node(AstKind kind, uint32_t offset, std::string text = {}) {
    auto a = std::make_unique<Ast>();
    a->kind = kind;
    a->offset = offset;
    a->text = std::move(text);
    return a;
  }

  // Guards every recursion into a sub-expression.
  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser) : p(parser) { ++p.depth_; }
    ~DepthGuard() { --p.depth_; }
    bool too_deep() const { return p.depth_ > kMaxDepth; }
  };

  AstPtr expression() {
    DepthGuard guard(*this);
    if (guard.too_deep()) return fail_here("expression nested too deeply");
    return or_expr();
  }

  // An operand is required after a binary operator: says which one when it is missing.
  AstPtr operand_after(std::string_view op, AstPtr (Parser::*next)()) {
    if (at_end() || is_symbol(")") || is_symbol(",")) {
      return fail_here("expected an expression after " + std::string(op));
    }
    DepthGuard guard(*this);
    if (guard.too_deep()) return fail_here("expression nested too deeply");
    return (this->*next)();
  }

  // A left-associative chain `next (op next)*`; `match` says whether the current token is one
  // of the chain's operators and gives its spelling.
  template <class Match>
  AstPtr left_chain(AstKind kind, AstPtr (Parser::*next)(), Match match) {
    AstPtr left = (this->*next)();
    std::string op;
    while (left && match(op)) {
      uint32_t at = advance().offset;
      AstPtr right = operand_after(op, next);
      if (!right) return nullptr;
      AstPtr n = node(kind, at, kind == AstKind::binary ? op : std::string());
      n->children.push_back(std::move(left));
      n->children.push_back(std::move(right));
      left = std::move(n);
    }
    return left;
  }
  auto keyword_op(std::string_view kw) {
    return [this, kw](std::string& op) {
      op = kw;
      return is_keyword(kw);
    };
  }
  auto symbol_op(std::initializer_list<std::string_view> symbols) {
    return [this, symbols](std::string& op) {
      for (std::string_view s : symbols) {
        if (is_symbol(s)) {
          op = s;
          return true;
        }
      }
      return false;
    };
  }

  AstPtr or_expr() { return left_chain(AstKind::logical_or, &Parser::and_expr, keyword_op("OR")); }
  AstPtr and_expr() {
    return left_chain(AstKind::logical_and, &Parser::not_expr, keyword_op("AND"));
  }

  AstPtr not_expr() {
    if (is_keyword("NOT")) {
      uint32_t at = advance().offset;
      AstPtr inner = operand_after("NOT", &Parser::not_expr);
      if (!inner) return nullptr;
      AstPtr n = node(AstKind::logical_not, at);
      n->children.push_back(std::move(inner));
      return n;
    }
    return predicate();
  }

  AstPtr predicate() {
    AstPtr left = concat_expr();
    if (!left) return nullptr;
    for (;;) {
      const Token& t = peek();
      if (t.kind == TokenKind::symbol &&
          (t.value == "=" || t.value == "==" || t.value == "<>" || t.value == "!=" ||
           t.value == "<" || t.value == "<=" || t.value == ">" || t.value == ">=")) {
        std::string op = t.value == "==" ? "=" : t.value == "!=" ? "<>" : t.value;
        uint32_t at = advance().offset;
        AstPtr right = operand_after(op, &Parser::concat_expr);
        if (!right) return nullptr;
        AstPtr n = node(AstKind::binary, at, op);
        n->children.push_back(std::move(left));
        n->children.push_back(std::move(right));
        left = std::move(n);
        continue;
      }
      if (is_keyword("IS")) {
        uint32_t at = advance().offset;
        bool negated = accept_keyword("NOT");
        AstPtr n;
        if (accept_keyword("NULL")) {
          n = node(AstKind::is_null, at);
        } else if (accept_keyword("TRUE")) {
          n = node(AstKind::is_bool, at, "true");
        } else if (accept_keyword("FALSE")) {
          n = node(AstKind::is_bool, at, "false");
        } else {
          return fail_here(std::string("expected NULL, TRUE or FALSE after IS") +
                           (negated ? " NOT" : "") + ", found " + describe(peek()));
        }
        n->negated = negated;
        n->children.push_back(std::move(left));
        left = std::move(n);
        continue;
      }
      bool negated = false;
      uint32_t at = peek().offset;
      if (is_keyword("NOT") &&
          (is_keyword("IN", 1) || is_keyword("BETWEEN", 1) || is_keyword("LIKE", 1))) {
        advance();
        negated = true;
      }
      if (accept_keyword("IN")) {
        AstPtr n = node(AstKind::in_list, at);
        n->negated = negated;
        n->children.push_back(std::move(left));
        if (!expect_symbol("(", "after IN")) return nullptr;
        if (is_symbol(")")) return fail_here("IN needs at least one value");
        do {
          AstPtr item = expression();
          if (!item) return nullptr;
          n->children.push_back(std::move(item));
        } while (accept_symbol(","));
        if (!expect_symbol(")", "to close the IN list")) return nullptr;
        left = std::move(n);
        continue;
      }
      if (accept_keyword("BETWEEN")) {
        AstPtr n = node(AstKind::between, at);
        n->negated = negated;
        n->children.push_back(std::move(left));
        AstPtr low = operand_after("BETWEEN", &Parser::concat_expr);
        if (!low) return nullptr;
        if (!expect_keyword("AND", "between the bounds of BETWEEN")) return nullptr;
        AstPtr high = operand_after("BETWEEN ... AND", &Parser::concat_expr);
        if (!high) return nullptr;
        n->children.push_back(std::move(low));
        n->children.push_back(std::move(high));
        left = std::move(n);
        continue;
      }
      if (accept_keyword("LIKE")) {
        AstPtr n = node(AstKind::like, at);
        n->negated = negated;
        n->children.push_back(std::move(left));
        AstPtr pattern = operand_after("LIKE", &Parser::concat_expr);
        if (!pattern) return nullptr;
        n->children.push_back(std::move(pattern));
        if (accept_keyword("ESCAPE")) {
          AstPtr esc = operand_after("ESCAPE", &Parser::concat_expr);
          if (!esc) return nullptr;
          n->children.push_back(std::move(esc));
        }
        left = std::move(n);
        continue;
      }
      return left;
    }
  }

  AstPtr concat_expr() { return left_chain(AstKind::binary, &Parser::additive, symbol_op({"||"})); }
  AstPtr additive() {
    return left_chain(AstKind::binary, &Parser::multiplicative, symbol_op({"+", "-"}));
  }
  AstPtr multiplicative() {
    return left_chain(AstKind::binary, &Parser::unary, symbol_op({"*", "/", "%"}));
  }

  AstPtr unary() {
    if (is_symbol("-") || is_symbol("+")) {
      std::string op = peek().value;
      uint32_t at = advance().offset;
      // -9223372036854775808 is a BIGINT literal, not the negation of an overflowing one.
      if (op == "-" && peek().kind == TokenKind::integer) {
        const Token& t = advance();
        return node(AstKind::int_literal, at, "-" + t.value);
      }
      AstPtr inner = operand_after(op, &Parser::unary);
      if (!inner) return nullptr;
      AstPtr n = node(AstKind::unary, at, op);
      n->children.push_back(std::move(inner));
      return n;
    }
    return primary();
  }

  AstPtr primary() {
    const Token& t = peek();
    switch (t.kind) {
      case TokenKind::integer: return node(AstKind::int_literal, advance().offset, t.value);
      case TokenKind::decimal: return node(AstKind::decimal_literal, advance().offset, t.value);
      case TokenKind::floating: return node(AstKind::float_literal, advance().offset, t.value);
      case TokenKind::string: return node(AstKind::string_literal, advance().offset, t.value);
      case TokenKind::quoted_identifier: return node(AstKind::column, advance().offset, t.value);
      case TokenKind::end: return fail_here("expected an expression, found end of expression");
      case TokenKind::symbol: {
        if (t.value == "(") {
          advance();
          if (is_symbol(")")) return fail_here("empty parentheses");
          AstPtr inner = expression();
          if (!inner) return nullptr;
          if (!expect_symbol(")", "to close '('")) return nullptr;
          return inner;
        }
        if (t.value == "*") {
          return fail_here("'*' is only allowed as a projection item of its own");
        }
        return fail_here("expected an expression, found " + describe(t));
      }
      case TokenKind::identifier: break;
    }
    const std::string word = upper_ascii(t.value);
    const uint32_t at = t.offset;
    if (word == "NULL") return advance(), node(AstKind::null_literal, at);
    if (word == "TRUE" || word == "FALSE") {
      advance();
      return node(AstKind::bool_literal, at, word == "TRUE" ? "true" : "false");
    }
    if ((word == "DATE" || word == "TIME" || word == "TIMESTAMP") &&
        peek(1).kind == TokenKind::string) {
      advance();
      const Token& s = advance();
      AstKind kind = word == "DATE"   ? AstKind::date_literal
                     : word == "TIME" ? AstKind::time_literal
                                      : AstKind::timestamp_literal;
      return node(kind, at, s.value);
    }
    if (word == "CASE") return case_expr();
    if (word == "CAST") return cast_expr();
    if (peek(1).kind == TokenKind::symbol && peek(1).value == "(") {
      advance();
      advance();
      AstPtr n = node(AstKind::call, at, word);
      if ((word == "SUBSTRING" || word == "SUBSTR") && !is_symbol(")")) {
        // SQL's SUBSTRING(s FROM start [FOR length]) as well as SUBSTRING(s, start[, length]).
        AstPtr arg = expression();
        if (!arg) return nullptr;
        n->children.push_back(std::move(arg));
        if (accept_keyword("FROM")) {
          for (bool more = true; more; more = accept_keyword("FOR")) {
            AstPtr part = operand_after(n->children.size() == 1 ? "FROM" : "FOR", &Parser::or_expr);
            if (!part) return nullptr;
            n->children.push_back(std::move(part));
            if (n->children.size() == 3) break;
          }
          if (!expect_symbol(")", "to close the arguments of " + word)) return nullptr;
          return n;
        }
        if (accept_symbol(")")) return n;
        if (!expect_symbol(",", "or FROM after the string in " + word)) return nullptr;
      }
      if (!accept_symbol(")")) {
        do {
          if (is_symbol(")")) return fail_here("expected an argument after ','");
          AstPtr arg = expression();
          if (!arg) return nullptr;
          n->children.push_back(std::move(arg));
        } while (accept_symbol(","));
        if (!expect_symbol(")", "to close the arguments of " + word)) return nullptr;
      }
      return n;
    }
    // CURRENT_TIMESTAMP and friends are written without parentheses in SQL.
    if (word == "CURRENT_TIMESTAMP" || word == "LOCALTIMESTAMP" || word == "CURRENT_DATE" ||
        word == "CURRENT_TIME" || word == "LOCALTIME") {
      advance();
      return node(AstKind::call, at, word);
    }
    if (is_reserved(word)) {
      return fail_here("expected an expression, found the keyword " + word);
    }
    advance();
    return node(AstKind::column, at, t.value);
  }

  AstPtr case_expr() {
    AstPtr n = node(AstKind::case_when, advance().offset);
    if (is_keyword("END")) return fail_here("expected WHEN after CASE, found END");
    if (!is_keyword("WHEN")) {
      AstPtr operand = expression();
      if (!operand) return nullptr;
      n->has_operand = true;
      n->children.push_back(std::move(operand));
    }
    if (!is_keyword("WHEN"))
      return fail_here("expected WHEN after CASE, found " + describe(peek()));
    while (accept_keyword("WHEN")) {
      AstPtr when = expression();
      if (!when) return nullptr;
      if (!expect_keyword("THEN", "after the WHEN condition")) return nullptr;
      AstPtr then = expression();
      if (!then) return nullptr;
      n->children.push_back(std::move(when));
      n->children.push_back(std::move(then));
    }
    if (accept_keyword("ELSE")) {
      AstPtr otherwise = expression();
      if (!otherwise) return nullptr;
      n->has_else = true;
      n->children.push_back(std::move(otherwise));
    }
    if (!expect_keyword("END", "to close CASE")) return nullptr;
    return n;
  }

  AstPtr cast_expr() {
    AstPtr n = node(AstKind::cast, advance().offset);
    if (!expect_symbol("(", "after CAST")) return nullptr;
    AstPtr value = expression();
    if (!value) return nullptr;
    n->children.push_back(std::move(value));
    if (!expect_keyword("AS", "in CAST(value AS type)")) return nullptr;
    if (peek().kind != TokenKind::identifier) {
      return fail_here("expected a type name after AS, found " + describe(peek()));
    }
    n->type_name = upper_ascii(advance().value);
    if (n->type_name == "DOUBLE") accept_keyword("PRECISION");
    if (accept_symbol("(")) {
      do {
        if (peek().kind != TokenKind::integer) {
          return fail_here("expected a number in the type's parentheses, found " +
                           describe(peek()));
        }
        int64_t v = 0;
        const std::string& digits = peek().value;
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (ec != std::errc() || v > 1'000'000) return fail_here("type argument out of range");
        advance();
        n->type_args.push_back(v);
      } while (accept_symbol(","));
      if (!expect_symbol(")", "to close the type's arguments")) return nullptr;
    }
    // TIMESTAMP(3) WITH LOCAL TIME ZONE is Flink's long name of TIMESTAMP_LTZ(3).
    if (n->type_name == "TIMESTAMP" && is_keyword("WITH")) {
      advance();
      if (!expect_keyword("LOCAL", "in WITH LOCAL TIME ZONE") ||
          !expect_keyword("TIME", "in WITH LOCAL TIME ZONE") ||
          !expect_keyword("ZONE", "in WITH LOCAL TIME ZONE")) {
        return nullptr;
      }
      n->type_name = "TIMESTAMP_LTZ";
    }
    if (!expect_symbol(")", "to close CAST")) return nullptr;
    return n;
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  SyntaxError error_;
};

}  // namespace

bool parse_expression(std::string_view text, AstPtr& out, SyntaxError& error) {
  std::vector<Token> tokens;
  if (!tokenize(text, tokens, error)) return false;
  Parser parser(std::move(tokens));
  return parser.parse(out, error);
}

}  // namespace cdc::expr
