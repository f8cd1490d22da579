#include "cdc/core/source.h"

#include <doctest/doctest.h>

using namespace cdc;

namespace {
// A source that overrides nothing optional: what every source gets by default.
class PlainSource final : public Source {
 public:
  Status open(const Position&) override { return {}; }
  Position current_position() const override { return {}; }
  Result<std::unique_ptr<Batch>> poll(std::chrono::milliseconds) override {
    return std::unique_ptr<Batch>{};
  }
};
}  // namespace

TEST_CASE("a source without re-snapshots refuses a request with unsupported") {
  PlainSource source;
  const auto st = source.request_snapshot({TableId{"shop", "orders"}});
  REQUIRE_FALSE(st);
  CHECK(st.error().code == Errc::unsupported);
  CHECK(st.error().message == "re-snapshot is not supported by this source");
  CHECK_FALSE(st.error().retryable());
}
