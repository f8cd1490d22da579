#include "state/schema_codec.h"

#include <doctest/doctest.h>

#include <vector>

#include "cdc/core/byte_reader.h"

using namespace cdc;
using namespace cdc::state;

namespace {

TableSchema orders_schema() {
  TableSchema s;
  s.id = {"app_db", "orders"};
  s.version = 3;
  auto column = [](std::string name, std::string type, ValueKind kind) {
    Column c;
    c.name = std::move(name);
    c.source_type = std::move(type);
    c.kind = kind;
    return c;
  };
  Column id = column("id", "bigint(20) unsigned", ValueKind::uint64);
  id.nullable = false;
  id.is_unsigned = true;
  Column amount = column("amount", "decimal(10,2)", ValueKind::decimal);
  amount.precision = 10;
  amount.scale = 2;
  amount.default_value = "0.00";
  Column status = column("status", "enum('new','paid')", ValueKind::enum_label);
  status.charset = "utf8mb4";
  status.labels = {"new", "paid"};
  status.default_value = "";
  Column created = column("created", "datetime(3)", ValueKind::datetime);
  created.fsp = 3;
  Column note = column(std::string("n\0te", 4), "varchar(255)", ValueKind::string);
  note.charset = "latin1";
  note.length = 255;
  Column flag = column("flag", "year", ValueKind::year);
  s.columns = {id, amount, status, created, note, flag};
  s.primary_key = {0, 3};
  return s;
}

std::vector<TableSchema> sample_schemas() {
  TableSchema empty;
  return {empty, orders_schema()};
}

bool same_column(const Column& a, const Column& b) {
  return a.name == b.name && a.source_type == b.source_type && a.kind == b.kind &&
         a.nullable == b.nullable && a.is_unsigned == b.is_unsigned && a.charset == b.charset &&
         a.length == b.length && a.precision == b.precision && a.scale == b.scale &&
         a.fsp == b.fsp && a.labels == b.labels && a.default_value == b.default_value;
}

bool same(const TableSchema& a, const TableSchema& b) {
  if (!(a.id == b.id) || a.version != b.version || a.primary_key != b.primary_key ||
      a.columns.size() != b.columns.size()) {
    return false;
  }
  for (size_t col_idx = 0; col_idx < a.columns.size(); ++col_idx) {
    if (!same_column(a.columns[col_idx], b.columns[col_idx])) return false;
  }
  return true;
}

template <class Decode>
void sweep(const std::string& enc, Decode decode) {
  for (size_t n = 0; n < enc.size(); ++n) {
    const std::vector<std::byte> prefix(as_bytes(enc).begin(), as_bytes(enc).begin() + n);
    auto dec = decode(prefix);
    REQUIRE_FALSE(dec);
    CHECK((dec.error().code == Errc::truncated || dec.error().code == Errc::malformed));
  }
}

}  // namespace

TEST_CASE("schema codec round-trips every column attribute") {
  for (const auto& schema : sample_schemas()) {
    const std::string enc = encode_schema(schema);
    CHECK(static_cast<uint8_t>(enc[0]) == kSchemaEncodingVersion);
    auto dec = decode_schema(as_bytes(enc));
    REQUIRE_MESSAGE(dec, dec.error().to_string());
    CHECK(same(*dec, schema));
  }
}

TEST_CASE("schema entry codec round-trips with every position kind") {
  const Position positions[] = {Position{}, DatagenPosition{5},
                                MysqlPosition{{"mysql-bin.000003", 4}, "0-1-9", 1, 2},
                                PostgresPosition{Lsn{1}, Lsn{2}}};
  for (const auto& at : positions) {
    const std::string enc = encode_schema_entry(at, orders_schema());
    auto dec = decode_schema_entry(as_bytes(enc));
    REQUIRE_MESSAGE(dec, dec.error().to_string());
    CHECK(dec->first == at);
    CHECK(same(dec->second, orders_schema()));
  }
}

TEST_CASE("decode_schema / decode_schema_entry: every truncation fails cleanly") {
  for (const auto& schema : sample_schemas()) {
    sweep(encode_schema(schema), [](std::span<const std::byte> b) { return decode_schema(b); });
    sweep(encode_schema_entry(MysqlPosition{{"mysql-bin.000001", 4}, "", 0, 0}, schema),
          [](std::span<const std::byte> b) { return decode_schema_entry(b); });
  }
}

TEST_CASE("decode_schema rejects bad versions, kinds, flags, counts and key indices") {
  const std::string enc = encode_schema(orders_schema());
  // Offsets into the version-1 layout of orders_schema().
  const size_t db_len = 1, ncols = 1 + 4 + 6 + 4 + 6 + 8;
  const size_t first_col = ncols + 4;
  const size_t kind = first_col + 4 + 2 + 4 + 19;
  auto expect = [](std::string bytes, Errc code) {
    auto dec = decode_schema(as_bytes(bytes));
    REQUIRE_FALSE(dec);
    CHECK(dec.error().code == code);
    return dec.error().message;
  };
  REQUIRE(decode_schema(as_bytes(enc)));
  std::string b = enc;
  b[0] = 2;
  expect(b, Errc::unsupported);
  b = enc;
  b[db_len + 3] = '\x7f';  // db name length ~2 GiB
  expect(b, Errc::malformed);
  b = enc;
  b[ncols + 3] = '\x7f';  // ~2 billion columns: refused before reserve()
  CHECK(expect(b, Errc::malformed).find("column count") != std::string::npos);
  b = enc;
  b[kind] = 19;  // one past ValueKind::year
  CHECK(expect(b, Errc::malformed).find("value kind") != std::string::npos);
  b = enc;
  b[kind + 1] = 8;  // unknown flag bit
  CHECK(expect(b, Errc::malformed).find("flags") != std::string::npos);
  b = enc;
  b[b.size() - 4] = 6;  // second primary-key column index 6 of 6 columns
  CHECK(expect(b, Errc::malformed).find("primary key") != std::string::npos);
  expect(enc + "!", Errc::malformed);

  std::string entry = encode_schema_entry(DatagenPosition{1}, orders_schema());
  entry[0] = 9;
  auto e = decode_schema_entry(as_bytes(entry));
  REQUIRE_FALSE(e);
  CHECK(e.error().code == Errc::unsupported);
}
