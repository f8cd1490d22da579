#include "cdc/expr/like_node.h"

#include "cdc/expr/unicode.h"

namespace cdc::expr {
namespace {

// SQL LIKE over code points: % any run, _ one code point, `escape` makes the next one literal.
// Iterative with one backtrack point (the last %): linear in practice, never recursive.
bool like_match(std::string_view s, std::string_view p, char32_t escape) {
  size_t si = 0, pi = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size()) {
      size_t pnext = pi;
      char32_t pc = next_code_point(p, pnext);
      if (pc == '%') {
        star_p = pnext;
        star_s = si;
        pi = pnext;
        continue;
      }
      bool literal = false;
      if (pc == escape && pnext < p.size()) {
        pc = next_code_point(p, pnext);
        literal = true;
      }
      size_t snext = si;
      char32_t sc = next_code_point(s, snext);
      if ((!literal && pc == '_') || pc == sc) {
        si = snext;
        pi = pnext;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    next_code_point(s, star_s);  // the % swallows one more code point
    si = star_s;
    pi = star_p;
  }
  while (pi < p.size()) {
    size_t pnext = pi;
    if (next_code_point(p, pnext) != '%') return false;
    pi = pnext;
  }
  return true;
}

class LikeNode final : public Node {
 public:
  LikeNode(uint32_t offset, bool nullable, bool negated, char32_t escape, NodePtr v, NodePtr p)
      : Node(make_type(ValueKind::boolean, nullable), offset),
        negated_(negated),
        escape_(escape),
        value_(std::move(v)),
        pattern_(std::move(p)) {}
  bool eval(const EvalContext& ctx, Value& out) const override {
    Value v, p;
    if (!value_->eval(ctx, v)) return false;
    if (!pattern_->eval(ctx, p)) return false;
    if (v.is_null() || p.is_null()) {
      out = Value();
      return true;
    }
    out = Value::boolean(like_match(v.text, p.text, escape_) != negated_);
    return true;
  }

 private:
  bool negated_;
  char32_t escape_;
  NodePtr value_, pattern_;
};

}  // namespace

NodePtr make_like(uint32_t offset, bool nullable, bool negated, char32_t escape, NodePtr value,
                  NodePtr pattern) {
  return std::make_unique<LikeNode>(offset, nullable, negated, escape, std::move(value),
                                    std::move(pattern));
}

}  // namespace cdc::expr
