#include "cdc/expr/node.h"

#include "cdc/expr/unicode.h"

namespace cdc::expr {

Truth Node::test(const EvalContext& ctx) const {
  Value v;
  if (!eval(ctx, v)) return Truth::failed;
  if (v.is_null()) return Truth::unknown;
  return truth_of(v.i != 0);
}

uint32_t column_of(std::string_view text, uint32_t offset) {
  if (offset > text.size()) offset = static_cast<uint32_t>(text.size());
  return static_cast<uint32_t>(code_point_count(text.substr(0, offset))) + 1;
}

Error runtime_error(const EvalContext& ctx, uint32_t offset, std::string_view what) {
  return make_error(Errc::malformed, "expression '" + std::string(ctx.text) + "': at column " +
                                         std::to_string(column_of(ctx.text, offset)) + ": " +
                                         std::string(what));
}

Status overflow(const EvalContext& ctx, uint32_t offset, std::string_view what, Value& out) {
  if (ctx.options.overflow_is_null) {
    out = Value();
    return {};
  }
  return runtime_error(ctx, offset, what);
}

std::string_view store_text(const EvalContext& ctx, std::string_view s) {
  CDC_CHECK(ctx.row.arena != nullptr, "EvalRow::arena is set by every caller of eval()");
  return ctx.row.arena->copy(s);
}

std::string& scratch() {
  thread_local std::string buffer;
  buffer.clear();
  return buffer;
}

}  // namespace cdc::expr
