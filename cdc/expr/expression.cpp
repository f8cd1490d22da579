// compile() and parse_projection(): the engine's entry points (expression.h).
#include "cdc/expr/expression.h"

#include "cdc/expr/compiler.h"
#include "cdc/expr/parser.h"
#include "cdc/expr/value_ops.h"

namespace cdc::expr {
namespace {

class CompiledExpression final : public Expression {
 public:
  CompiledExpression(std::string text, CompileOptions options, TimeZone zone)
      : text_(std::move(text)), options_(std::move(options)), zone_(zone) {}

  Status eval(const EvalRow& row, Value& out) const override {
    std::optional<Error> error;
    EvalContext ctx{row, options_, zone_, text_, error};
    if (root_->eval(ctx, out)) return {};
    return failure(error);
  }
  Status test(const EvalRow& row, bool& passes) const override {
    std::optional<Error> error;
    EvalContext ctx{row, options_, zone_, text_, error};
    const Truth truth = root_->test(ctx);
    passes = truth == Truth::yes;
    if (truth != Truth::failed) return {};
    return failure(error);
  }
  const ExprType& type() const override { return type_; }

  void set_root(NodePtr root) {
    root_ = std::move(root);
    type_ = root_->type();
    // Precision is only meaningful for DECIMAL: integer literals carry INT's DECIMAL(10, 0)
    // width as an internal hint for decimal arithmetic, which must not reach the schema.
    if (type_.kind != ValueKind::decimal) type_.precision = type_.scale = 0;
  }
  std::string_view text() const override { return text_; }

  // Keeps text_ stable for the string_views the nodes and errors take.
  const std::string text_;

 private:
  static Error failure(std::optional<Error>& error) {
    return error ? std::move(*error) : make_error(Errc::internal, "expression failed silently");
  }

  CompileOptions options_;
  TimeZone zone_;
  NodePtr root_;  // set once by compile()
  ExprType type_;
};

std::string where(const TextOrigin& origin) {
  std::string prefix;
  if (!origin.file.empty()) {
    prefix = origin.file;
    // Appended piecewise: g++ 12 warns falsely (-Wrestrict) on ":" + std::to_string().
    if (origin.line != 0) {
      prefix += ':';
      prefix += std::to_string(origin.line);
      if (origin.column != 0) {
        prefix += ':';
        prefix += std::to_string(origin.column);
      }
    }
    prefix += ": ";
  }
  if (!origin.context.empty()) prefix += origin.context + ": ";
  return prefix;
}

Error positioned_error(const TextOrigin& origin, std::string_view text, uint32_t offset,
                       std::string_view message) {
  return make_error(Errc::invalid_config, where(origin) + "at column " +
                                              std::to_string(column_of(text, offset)) + " of '" +
                                              std::string(text) + "': " + std::string(message));
}

}  // namespace

Result<std::unique_ptr<Expression>> compile(std::string_view text, const Scope& scope,
                                            const CompileOptions& options,
                                            const TextOrigin& origin) {
  auto zone = TimeZone::parse(options.time_zone);
  if (!zone) return std::move(zone).error().with_context(where(origin) + "time_zone");
  AstPtr ast;
  SyntaxError syntax;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return make_error(Errc::invalid_config, where(origin) + "empty expression");
  }
  if (!parse_expression(text, ast, syntax)) {
    return positioned_error(origin, text, syntax.offset, syntax.message);
  }
  auto expr = std::make_unique<CompiledExpression>(std::string(text), options, *zone);
  Compiler compiler(scope, options, expr->text_);
  NodePtr root;
  if (!compiler.compile(*ast, root)) {
    return positioned_error(origin, text, compiler.error_offset(), compiler.error_message());
  }
  expr->set_root(std::move(root));
  return std::unique_ptr<Expression>(std::move(expr));
}

Result<std::vector<ProjectionItem>> parse_projection(std::string_view text,
                                                     const TextOrigin& origin) {
  std::vector<Token> tokens;
  SyntaxError syntax;
  if (!tokenize(text, tokens, syntax)) {
    return positioned_error(origin, text, syntax.offset, syntax.message);
  }
  std::vector<ProjectionItem> items;
  size_t first = 0;  // first token of the current item
  int depth = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    const bool is_symbol = t.kind == TokenKind::symbol;
    if (is_symbol && t.value == "(") ++depth;
    if (is_symbol && t.value == ")") {
      if (--depth < 0) return positioned_error(origin, text, t.offset, "unbalanced ')'");
    }
    if (t.kind != TokenKind::end && !(is_symbol && t.value == "," && depth == 0)) continue;
    if (t.kind == TokenKind::end && depth > 0) {
      return positioned_error(origin, text, t.offset, "missing ')'");
    }
    if (i == first) {
      return positioned_error(origin, text, t.offset,
                              t.kind == TokenKind::end && items.empty()
                                  ? "empty projection"
                                  : "empty projection item (two commas, or a trailing comma)");
    }
    ProjectionItem item;
    size_t last = i;  // one past the item's last token
    auto is_as = [&](const Token& tok) {
      return tok.kind == TokenKind::identifier && tok.value.size() == 2 &&
             (tok.value[0] == 'a' || tok.value[0] == 'A') &&
             (tok.value[1] == 's' || tok.value[1] == 'S');
    };
    if (last - first >= 3 && is_as(tokens[last - 2]) &&
        (tokens[last - 1].kind == TokenKind::identifier ||
         tokens[last - 1].kind == TokenKind::quoted_identifier)) {
      item.alias = tokens[last - 1].value;
      last -= 2;
    } else if (last - first >= 1 && is_as(tokens[last - 1])) {
      return positioned_error(origin, text, tokens[i].offset, "expected an alias after AS");
    }
    size_t begin = tokens[first].offset;
    size_t end = tokens[last].offset;  // the AS, the comma or the end
    std::string_view body = text.substr(begin, end - begin);
    while (!body.empty() && (body.back() == ' ' || body.back() == '\t' || body.back() == '\n' ||
                             body.back() == '\r')) {
      body.remove_suffix(1);
    }
    item.offset = static_cast<uint32_t>(begin);
    item.expression = std::string(body);
    if (last - first == 1 && tokens[first].kind == TokenKind::symbol &&
        tokens[first].value == "*") {
      if (item.alias) {
        return positioned_error(origin, text, tokens[first].offset, "'*' cannot have an alias");
      }
      item.star = true;
    }
    items.push_back(std::move(item));
    first = i + 1;
  }
  return items;
}

Column output_column(std::string name, const ExprType& type) {
  Column c;
  c.name = std::move(name);
  c.kind = type.kind == ValueKind::null ? ValueKind::string : type.kind;
  c.nullable = type.nullable || type.kind == ValueKind::null;
  c.precision = type.precision;
  c.scale = type.scale;
  c.fsp = type.fsp;
  ExprType shown = type;
  shown.kind = c.kind;
  c.source_type = type_name(shown);
  if (c.kind == ValueKind::string) c.charset = "utf8mb4";
  return c;
}

}  // namespace cdc::expr
