#include "cdc/expr/conditional_nodes.h"

namespace cdc::expr {
namespace {

class CaseNode final : public Node {
 public:
  CaseNode(ExprType type, uint32_t offset, CompareMode mode, NodePtr operand,
           std::vector<NodePtr> whens, std::vector<NodePtr> thens, NodePtr otherwise)
      : Node(type, offset),
        mode_(mode),
        operand_(std::move(operand)),
        whens_(std::move(whens)),
        thens_(std::move(thens)),
        else_(std::move(otherwise)) {}
  bool eval(const EvalContext& ctx, Value& out) const override {
    Value operand;
    if (operand_)
      if (!operand_->eval(ctx, operand)) return false;
    for (size_t i = 0; i < whens_.size(); ++i) {
      Value w;
      if (!whens_[i]->eval(ctx, w)) return false;
      bool hit = operand_ ? (!operand.is_null() && !w.is_null() &&
                             compare_values(mode_, operand, w, ctx.zone) == 0)
                          : is_true(w);
      if (hit) return thens_[i]->eval(ctx, out);
    }
    if (else_) return else_->eval(ctx, out);
    out = Value();
    return true;
  }

 private:
  CompareMode mode_;
  NodePtr operand_;
  std::vector<NodePtr> whens_, thens_;
  NodePtr else_;
};

class CoalesceNode final : public Node {
 public:
  CoalesceNode(ExprType type, uint32_t offset, std::vector<NodePtr> args)
      : Node(type, offset), args_(std::move(args)) {}
  bool eval(const EvalContext& ctx, Value& out) const override {
    for (const NodePtr& a : args_) {
      if (!a->eval(ctx, out)) return false;
      if (!out.is_null()) return true;
    }
    out = Value();
    return true;
  }

 private:
  std::vector<NodePtr> args_;
};

class IfNode final : public Node {
 public:
  IfNode(ExprType type, uint32_t offset, NodePtr cond, NodePtr then, NodePtr otherwise)
      : Node(type, offset),
        cond_(std::move(cond)),
        then_(std::move(then)),
        else_(std::move(otherwise)) {}
  // IF(c, a, b): a when c is TRUE; b when it is FALSE or NULL.
  bool eval(const EvalContext& ctx, Value& out) const override {
    Value c;
    if (!cond_->eval(ctx, c)) return false;
    return (is_true(c) ? then_ : else_)->eval(ctx, out);
  }

 private:
  NodePtr cond_, then_, else_;
};

}  // namespace

NodePtr make_case(ExprType type, uint32_t offset, CompareMode mode, NodePtr operand,
                  std::vector<NodePtr> whens, std::vector<NodePtr> thens, NodePtr otherwise) {
  return std::make_unique<CaseNode>(type, offset, mode, std::move(operand), std::move(whens),
                                    std::move(thens), std::move(otherwise));
}

NodePtr make_if(ExprType type, uint32_t offset, NodePtr cond, NodePtr then, NodePtr otherwise) {
  return std::make_unique<IfNode>(type, offset, std::move(cond), std::move(then),
                                  std::move(otherwise));
}

NodePtr make_coalesce(ExprType type, uint32_t offset, std::vector<NodePtr> args) {
  return std::make_unique<CoalesceNode>(type, offset, std::move(args));
}

}  // namespace cdc::expr
