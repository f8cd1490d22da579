// Placeholder until the expression engine (branch expr) is merged: transforms with a projection
// or filter are refused at start-up with a clear message. Removed by the merge.
#include "cdc/pipeline/expr/expression.h"

namespace cdc::pipeline::expr {

Result<std::unique_ptr<Expression>> compile(std::string_view text, const Scope&, const CompileOptions&,
                                            const TextOrigin&) {
  return make_error(Errc::unsupported,
                    "expression '" + std::string(text) + "': the expression engine is not in this build yet");
}

Result<std::vector<ProjectionItem>> parse_projection(std::string_view text, const TextOrigin&) {
  return make_error(Errc::unsupported,
                    "projection '" + std::string(text) + "': the expression engine is not in this build yet");
}

}  // namespace cdc::pipeline::expr
