// PartialRows: which changes a whole-row output admits, and the exact stop message per cause.
#include "sinks/common/partial_rows.h"

#include <doctest/doctest.h>

#include <memory>
#include <vector>

namespace cdc::sinks {
namespace {

// t(id, body, n): an update of n whose body (an unchanged TOAST value) was not sent.
struct Fixture {
  std::shared_ptr<TableSchema> schema = [] {
    auto s = std::make_shared<TableSchema>();
    s->id = {"public", "t"};
    for (const char* name : {"id", "body", "n"}) {
      Column c;
      c.name = name;
      s->columns.push_back(c);
    }
    s->primary_key = {0};
    return s;
  }();
  std::vector<Value> before{Value::int64(1), Value::null_value(), Value::null_value()};
  std::vector<Value> after{Value::int64(1), Value::null_value(), Value::int64(2)};
  std::vector<uint32_t> unchanged{1};

  ChangeEvent update(bool body_in_before) {
    if (body_in_before) before[1] = Value::string("stored");
    ChangeEvent e;
    e.op = Op::update;
    e.schema = schema.get();
    e.before = RowImage(before);
    e.after = RowImage(after);
    e.unchanged_columns = unchanged;
    return e;
  }
};

}  // namespace

TEST_CASE("PartialRows: an unchanged TOAST value the before image lacks is a partial row") {
  Fixture f;
  PartialRows fail(json::PartialRowPolicy::fail, "the upsert format", "test");
  const auto r = fail.admit(f.update(false));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::unsupported);
  CHECK(r.error().message ==
        "the update of public.t has no value for column(s) body (PostgreSQL sends none for an "
        "unchanged TOASTed value under REPLICA IDENTITY DEFAULT), and the upsert format writes "
        "whole rows: set REPLICA IDENTITY FULL on the table, toast.placeholder to write a "
        "placeholder for such values, or row-image.partial: skip to leave such changes out");

  PartialRows skip(json::PartialRowPolicy::skip, "the upsert format", "test");
  const auto skipped = skip.admit(f.update(false));
  REQUIRE(skipped);
  CHECK_FALSE(*skipped);
  CHECK(skip.skipped() == 1);

  // The before image has it (REPLICA IDENTITY FULL): the row is whole.
  Fixture full;
  const auto whole = fail.admit(full.update(true));
  REQUIRE(whole);
  CHECK(*whole);
  // A placeholder was asked for: written, so admitted.
  PartialRows placeholder(json::PartialRowPolicy::fail, "the upsert format", "test", true);
  const auto written = placeholder.admit(f.update(false));
  REQUIRE(written);
  CHECK(*written);
}

}  // namespace cdc::sinks
