#include "cdc/core/value.h"

#include <doctest/doctest.h>

#include "cdc/core/result.h"

using namespace cdc;

TEST_CASE("date and datetime values keep zero and partially zero parts") {
  auto d = Value::date(2024, 2, 29);
  CHECK(d.date_year() == 2024);
  CHECK(d.date_month() == 2);
  CHECK(d.date_day() == 29);
  auto zero = Value::date(0, 0, 0);
  CHECK(zero.i == 0);
  auto partial = Value::date(2020, 0, 15);
  CHECK(partial.date_month() == 0);
  CHECK(partial.date_day() == 15);
  auto bc = Value::date(-44, 3, 15);
  CHECK(bc.date_year() == -44);
  CHECK(bc.date_month() == 3);
  auto dt = Value::datetime(1999, 12, 31, 23, 59, 58, 123456, 6);
  CHECK(dt.date_year() == 1999);
  CHECK(dt.date_day() == 31);
  CHECK(dt.dt_hour() == 23);
  CHECK(dt.dt_minute() == 59);
  CHECK(dt.dt_second() == 58);
  CHECK(dt.aux == 123456);
}

TEST_CASE("Value equality compares kind and payload") {
  CHECK(Value::int64(5) == Value::int64(5));
  CHECK_FALSE(Value::int64(5) == Value::uint64(5));
  CHECK(Value::decimal("1.50", 2) == Value::decimal("1.50", 2));
  CHECK_FALSE(Value::decimal("1.50", 2) == Value::decimal("1.5", 1));
  CHECK(Value() == Value::null_value());
}

TEST_CASE("Error context and retryability") {
  Error e{Errc::io, "connection reset"};
  CHECK(e.retryable());
  auto c = std::move(e).with_context("binlog dump");
  CHECK(c.message == "binlog dump: connection reset");
  CHECK(c.to_string() == "io: binlog dump: connection reset");
  CHECK_FALSE(Error{Errc::malformed, "x"}.retryable());
  CHECK_FALSE(Error{Errc::fenced, "x"}.retryable());
}

namespace {
Result<int> half(int x) {
  if (x % 2) return make_error(Errc::invalid_config, "odd");
  return x / 2;
}
Result<int> quarter(int x) {
  CDC_TRY_ASSIGN(int h, half(x));
  CDC_TRY_ASSIGN(int q, half(h));
  return q;
}
}  // namespace

TEST_CASE("CDC_TRY_ASSIGN propagates the first error") {
  CHECK(*quarter(8) == 2);
  auto r = quarter(6);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "odd");
}
