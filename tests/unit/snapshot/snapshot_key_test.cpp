#include "cdc/snapshot/snapshot_key.h"

#include <doctest/doctest.h>

#include <memory>

using namespace cdc;
using namespace cdc::snapshot;

namespace {

TableSchema keyed(std::vector<std::pair<std::string, ValueKind>> key_columns) {
  TableSchema s;
  s.id = {"db", "t"};
  for (const auto& [name, kind] : key_columns) {
    Column c;
    c.name = name;
    c.kind = kind;
    c.source_type = std::string(to_string(kind));
    s.primary_key.push_back(static_cast<uint32_t>(s.columns.size()));
    s.columns.push_back(c);
  }
  return s;
}

}  // namespace

TEST_CASE("encode_key/decode_key round-trip every value kind exactly") {
  const std::vector<Value> key = {Value::int64(-5),
                                  Value::uint64(~0ULL),
                                  Value::decimal("-1.50", 2),
                                  Value::string("h\xC3\xA9"),
                                  Value::bytes(std::string_view("\x00\xff", 2)),
                                  Value::date(2024, 2, 29),
                                  Value::datetime(2024, 1, 2, 3, 4, 5, 6, 6),
                                  Value::timestamp_micros(-1, 3),
                                  Value::time_micros(-1000001, 6),
                                  Value::enum_label("b", 2),
                                  Value::bit(5, 3),
                                  Value::year_value(2155),
                                  Value()};
  const std::string enc = encode_key(key);
  auto dec = decode_key(enc);
  REQUIRE(dec);
  REQUIRE(dec->size() == key.size());
  for (size_t i = 0; i < key.size(); ++i) {
    CHECK((*dec)[i] == key[i]);
    CHECK((*dec)[i].fsp == key[i].fsp);
  }
  CHECK(encode_key({}) != "");  // "no key" and "an empty key" differ
}

TEST_CASE("decode_key refuses every truncation, a bad version and a bad kind") {
  const std::string enc = encode_key(std::vector<Value>{Value::int64(1), Value::string("abc")});
  for (size_t n = 0; n < enc.size(); ++n) {
    auto dec = decode_key(std::string_view(enc).substr(0, n));
    REQUIRE_FALSE(dec);
    CHECK((dec.error().code == Errc::truncated || dec.error().code == Errc::malformed));
  }
  std::string bad_version = enc;
  bad_version[0] = 7;
  auto v = decode_key(bad_version);
  REQUIRE_FALSE(v);
  CHECK(v.error().code == Errc::unsupported);
  std::string bad_kind = enc;
  bad_kind[5] = 99;
  CHECK_FALSE(decode_key(bad_kind));
  std::string huge_count = enc;
  huge_count[4] = '\x7f';
  CHECK_FALSE(decode_key(huge_count));
}

TEST_CASE("compare_keys orders composite keys column by column as the server does") {
  const TableSchema s = keyed({{"a", ValueKind::int64}, {"b", ValueKind::decimal}});
  auto cmp = [&](Value a1, Value b1, Value a2, Value b2) {
    const std::vector<Value> x{a1, b1}, y{a2, b2};
    auto r = compare_keys(s, x, y);
    REQUIRE(r);
    return *r;
  };
  CHECK(cmp(Value::int64(1), Value::decimal("9.00", 2), Value::int64(2),
            Value::decimal("0.00", 2)) < 0);
  CHECK(cmp(Value::int64(2), Value::decimal("10.00", 2), Value::int64(2),
            Value::decimal("9.99", 2)) > 0);
  CHECK(cmp(Value::int64(2), Value::decimal("-10.00", 2), Value::int64(2),
            Value::decimal("-9.99", 2)) < 0);
  CHECK(cmp(Value::int64(2), Value::decimal("-0.01", 2), Value::int64(2),
            Value::decimal("0.00", 2)) < 0);
  CHECK(cmp(Value::int64(-3), Value::decimal("1.00", 2), Value::int64(-3),
            Value::decimal("1.00", 2)) == 0);
  const TableSchema u = keyed({{"id", ValueKind::uint64}});
  const std::vector<Value> big{Value::uint64(~0ULL)}, small{Value::uint64(1)};
  CHECK(*compare_keys(u, big, small) > 0);
  const TableSchema b = keyed({{"k", ValueKind::bytes}});
  const std::vector<Value> b1{Value::bytes("ab")}, b2{Value::bytes("abc")}, b3{Value::bytes("b")};
  CHECK(*compare_keys(b, b1, b2) < 0);
  CHECK(*compare_keys(b, b3, b2) > 0);
  const TableSchema d = keyed({{"d", ValueKind::datetime}});
  const std::vector<Value> d1{Value::datetime(2024, 1, 1, 0, 0, 0, 5, 6)},
      d2{Value::datetime(2024, 1, 1, 0, 0, 0, 7, 6)};
  CHECK(*compare_keys(d, d1, d2) < 0);
}

TEST_CASE("compare_keys refuses text keys (collation order) by column name") {
  const TableSchema s = keyed({{"name", ValueKind::string}});
  const std::vector<Value> a{Value::string("a")}, b{Value::string("B")};
  auto r = compare_keys(s, a, b);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::unsupported);
  CHECK(r.error().message.find("key column name (string) of db.t") != std::string::npos);
}
