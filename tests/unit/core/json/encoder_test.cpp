// Golden-file tests for the three encoders. Each output is compared byte for byte with
// tests/fixtures/json/<format>/<case>.json (the output plus one trailing newline).
// To regenerate the golden files after an intended format change, run
//   SLUICE_UPDATE_GOLDEN=1 build/tests/unit/core/json/cdc_json_test
// and review the diff (`git diff tests/fixtures/json`) before committing.
// Every output is also parsed with simdjson, and some values are checked through the parser.
#include "cdc/core/json/encoder.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "cdc/core/arena.h"
#include "tests/support/golden_file.h"

using namespace cdc;
using namespace cdc::json;

namespace {

std::string golden_path(std::string_view format, std::string_view name) {
  return std::string(SLUICE_SOURCE_DIR) + "/tests/fixtures/json/" + std::string(format) + "/" +
         std::string(name) + ".json";
}

void check_golden(Format format, std::string_view name, const std::string& actual) {
  cdc::testing::check_golden_file(golden_path(to_string(format), name), actual + "\n");
}

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& json) {
  auto result = parser.parse(json);
  REQUIRE_MESSAGE(result.error() == simdjson::SUCCESS,
                  "invalid JSON (" << simdjson::error_message(result.error()) << "): " << json);
  return result.value();
}

int64_t utc_micros(int y, unsigned mo, unsigned d, int h, int mi, int s, int us) {
  using namespace std::chrono;
  const auto day = sys_days(year(y) / mo / d);
  return (sys_time<microseconds>(day) + hours(h) + minutes(mi) + seconds(s) + microseconds(us))
      .time_since_epoch()
      .count();
}

Column col(std::string name, std::string source_type, ValueKind kind, bool is_unsigned = false) {
  Column c;
  c.name = std::move(name);
  c.source_type = std::move(source_type);
  c.kind = kind;
  c.is_unsigned = is_unsigned;
  return c;
}

// A MySQL table with one column per ValueKind and the edge values the formats must survive.
std::shared_ptr<TableSchema> all_types_schema() {
  auto s = std::make_shared<TableSchema>();
  s->id = {"shop", "all_types"};
  s->columns = {
      col("id", "bigint(20)", ValueKind::int64),
      col("u64", "bigint(20) unsigned", ValueKind::uint64, true),
      col("i64", "bigint(20)", ValueKind::int64),
      col("small", "tinyint(4)", ValueKind::int64),
      col("flag", "boolean", ValueKind::boolean),
      col("f32", "float", ValueKind::float32),
      col("f64", "double", ValueKind::float64),
      col("f64_nan", "double", ValueKind::float64),
      col("f32_inf", "float", ValueKind::float32),
      col("dec", "decimal(65,30)", ValueKind::decimal),
      col("name", "varchar(255)", ValueKind::string),
      col("bad_utf8", "varchar(64)", ValueKind::string),
      col("code", "char(4)", ValueKind::string),
      col("body", "mediumtext", ValueKind::string),
      col("blob", "varbinary(16)", ValueKind::bytes),
      col("d", "date", ValueKind::date),
      col("d_zero", "date", ValueKind::date),
      col("d_part", "date", ValueKind::date),
      col("t0", "time", ValueKind::time),
      col("t_neg", "time(6)", ValueKind::time),
      col("t_frac", "time(1)", ValueKind::time),
      col("dt6", "datetime(6)", ValueKind::datetime),
      col("dt0", "datetime", ValueKind::datetime),
      col("dt4", "datetime(4)", ValueKind::datetime),
      col("dt5", "datetime(5)", ValueKind::datetime),
      col("ts3", "timestamp(3)", ValueKind::timestamp),
      col("ts2", "timestamp(2)", ValueKind::timestamp),
      col("doc", "json", ValueKind::json),
      col("doc_bad", "json", ValueKind::json),
      col("b1", "bit(1)", ValueKind::bit),
      col("b64", "bit(64)", ValueKind::bit),
      col("b10", "bit(10)", ValueKind::bit),
      col("size", "enum('small','large')", ValueKind::enum_label),
      col("tags", "set('a','b','c')", ValueKind::set_labels),
      col("y", "year(4)", ValueKind::year),
      col("note", "varchar(32)", ValueKind::string),
  };
  s->columns[32].labels = {"small", "large"};
  s->columns[33].labels = {"a", "b", "c"};
  s->primary_key = {0};
  return s;
}

struct Fixture {
  Arena arena;
  std::shared_ptr<TableSchema> schema = all_types_schema();
  std::span<Value> before_values;
  std::span<Value> after_values;

  std::string_view s(std::string_view x) { return arena.copy(x); }

  std::span<Value> row(int64_t id) {
    auto v = arena.make_array<Value>(schema->columns.size());
    const std::string dec =
        "-12345678901234567890123456789012345.678901234567890123456789012345";  // 65 digits
    v[0] = Value::int64(id);
    v[1] = Value::uint64(std::numeric_limits<uint64_t>::max());
    v[2] = Value::int64(std::numeric_limits<int64_t>::min());
    v[3] = Value::int64(-128);
    v[4] = Value::boolean(true);
    v[5] = Value::float32(3.14f);
    v[6] = Value::float64(0.1);
    v[7] = Value::float64(std::nan(""));
    v[8] = Value::float32(std::numeric_limits<float>::infinity());
    v[9] = Value::decimal(s(dec), 30);
    v[10] =
        Value::string(s("h\xC3\xA9llo \xF0\x9F\x98\x80 \"q\" \\ /\n\t\x01\x1F \xE2\x80\xA8 end"));
    v[11] =
        Value::string(s("ab\xC3\x28\xF0\x9F\x98"
                        "cd\xFF"));
    v[12] = Value::string(s("AB  "));
    v[13] = Value::string(s("line1\r\nline2"));
    v[14] = Value::bytes(s(std::string_view("\x00\x01\xFE\xFFhi", 6)));
    v[15] = Value::date(2024, 1, 2);
    v[16] = Value::date(0, 0, 0);
    v[17] = Value::date(2020, 0, 15);
    v[18] = Value::time_micros(25LL * 3600 * 1000000, 0);
    v[19] = Value::time_micros(-((838LL * 3600 + 59 * 60 + 59) * 1000000), 6);
    v[20] = Value::time_micros(-1500000, 1);
    v[21] = Value::datetime(2024, 1, 2, 3, 4, 5, 123456, 6);
    v[22] = Value::datetime(1999, 12, 31, 23, 59, 59, 0, 0);
    v[23] = Value::datetime(2024, 2, 29, 12, 0, 0, 123400, 4);
    v[24] = Value::datetime(0, 0, 0, 0, 0, 0, 0, 5);
    v[25] = Value::timestamp_micros(utc_micros(2024, 1, 2, 3, 4, 5, 120000), 3);
    v[26] = Value::timestamp_micros(-10000, 2);
    v[27] = Value::json(
        s(R"({"a":[1,2,{"b":null,"c":[true,false]}],"s":"\u00e9\ud83d\ude00","n":-1.5e10})"));
    v[28] = Value::json(s("{not json"));
    v[29] = Value::bit(1, 1);
    v[30] = Value::bit(~uint64_t{0}, 64);
    v[31] = Value::bit(0x201, 10);
    v[32] = Value::enum_label(s("large"), 2);
    v[33] = Value::set_labels(s("a,c"), 5);
    v[34] = Value::year_value(2024);
    v[35] = Value::null_value();
    return v;
  }

  ChangeEvent event(Op op) {
    ChangeEvent e;
    e.op = op;
    e.schema = schema.get();
    e.source.connector = s("mysql");
    e.source.name = s("orders-pipeline");
    e.source.commit_ts_ms = 1704164645000;
    e.source.server_id = 223344;
    e.source.gtid = s("3e11fa47-71ca-11e1-9e33-c80aa9429562:23");
    e.source.at = BinlogEventPosition{s("mysql-bin.000003"), BinlogOffset{484}};
    e.source.row = 1;
    e.source.thread = 7;
    e.transaction.id = s("3e11fa47-71ca-11e1-9e33-c80aa9429562:23");
    e.transaction.total_order = 2;
    e.transaction.data_collection_order = 1;
    e.ts_ms = 1704164645123;
    after_values = row(1001);
    before_values = row(1001);
    // The update changes a few columns; everything else stays equal.
    before_values[10] = Value::string(s("old name"));
    before_values[15] = Value::date(2023, 12, 31);
    before_values[35] = Value::string(s("was set"));
    switch (op) {
      case Op::insert:
      case Op::read: e.after = RowImage(after_values); break;
      case Op::update:
        e.before = RowImage(before_values);
        e.after = RowImage(after_values);
        break;
      case Op::erase: e.before = RowImage(before_values); break;
      case Op::truncate:
      case Op::schema_change: break;
    }
    if (op == Op::read) {
      e.source.snapshot = SnapshotMarker::last;
      e.source.gtid = {};
      e.source.thread.reset();
      e.source.row = 0;
      e.transaction = {};
    }
    if (op == Op::truncate) e.source.query = s("TRUNCATE TABLE `all_types`");
    return e;
  }
};

struct PgFixture {
  Arena arena;
  std::shared_ptr<TableSchema> schema;
  std::span<Value> before_values, after_values;
  std::vector<uint32_t> unchanged = {2};

  PgFixture() {
    auto s = std::make_shared<TableSchema>();
    s->id = {"public", "docs"};
    s->columns = {col("id", "integer", ValueKind::int64),
                  col("title", "text", ValueKind::string),
                  col("body", "text", ValueKind::string),
                  col("price", "numeric(12,4)", ValueKind::decimal),
                  col("at", "timestamp(6) with time zone", ValueKind::timestamp),
                  col("ok", "boolean", ValueKind::boolean)};
    s->primary_key = {0};
    schema = s;
  }

  // An update whose "body" (TOAST) was not sent. `with_old` gives a REPLICA IDENTITY FULL
  // before image that holds the old body.
  ChangeEvent update(bool with_old) {
    ChangeEvent e;
    e.op = Op::update;
    e.schema = schema.get();
    e.source.connector = arena.copy("postgresql");
    e.source.name = arena.copy("pg-pipeline");
    e.source.database = arena.copy("inventory");
    e.source.commit_ts_ms = 1704164645000;
    e.source.at = Lsn{24023128};
    e.source.tx_id = 555;
    e.ts_ms = 1704164645999;
    after_values = arena.make_array<Value>(6);
    after_values[0] = Value::int64(7);
    after_values[1] = Value::string(arena.copy("new title"));
    after_values[2] = Value::null_value();  // unchanged TOAST
    after_values[3] = Value::decimal(arena.copy("12.5000"), 4);
    after_values[4] = Value::timestamp_micros(utc_micros(2024, 1, 2, 3, 4, 5, 123456), 6);
    after_values[5] = Value::boolean(false);
    e.after = RowImage(after_values);
    e.unchanged_columns = unchanged;
    if (with_old) {
      before_values = arena.make_array<Value>(6);
      for (size_t i = 0; i < 6; ++i) before_values[i] = after_values[i];
      before_values[1] = Value::string(arena.copy("old title"));
      before_values[2] = Value::string(arena.copy("a very long toasted body"));
      e.before = RowImage(before_values);
    }
    return e;
  }
};

struct Encoded {
  bool key_ok = false;
  bool value_ok = false;
  std::string key;
  std::string value;
};

Encoded encode(const Encoder& enc, const ChangeEvent& e) {
  Encoded r;
  r.key_ok = enc.encode_key(e, r.key);
  r.value_ok = enc.encode_value(e, r.value);
  if (!r.key_ok) CHECK(r.key.empty());
  if (!r.value_ok) CHECK(r.value.empty());
  return r;
}

const std::pair<Op, const char*> kOps[] = {
    {Op::insert, "insert"}, {Op::update, "update"},     {Op::erase, "delete"},
    {Op::read, "read"},     {Op::truncate, "truncate"},
};

}  // namespace

TEST_CASE("formats: names round-trip") {
  for (Format f : {Format::debezium_json, Format::upsert, Format::canal_json}) {
    CHECK(parse_format(to_string(f)) == f);
    CHECK(make_encoder(f)->format() == f);
  }
  CHECK_FALSE(parse_format("avro"));
}

TEST_CASE("every format and op matches its golden file and parses") {
  simdjson::dom::parser parser;
  for (Format f : {Format::debezium_json, Format::upsert, Format::canal_json}) {
    auto enc = make_encoder(f);
    for (const auto& [op, name] : kOps) {
      CAPTURE(to_string(f));
      CAPTURE(name);
      Fixture fx;
      const ChangeEvent e = fx.event(op);
      const Encoded r = encode(*enc, e);
      if (op == Op::truncate) {
        CHECK_FALSE(r.key_ok);
      } else {
        REQUIRE(r.key_ok);
        CHECK(r.key == "{\"id\":1001}");
        parse(parser, r.key);
      }
      const bool tombstone = f == Format::upsert && (op == Op::erase || op == Op::truncate);
      CHECK(r.value_ok == !tombstone);
      if (r.value_ok) {
        parse(parser, r.value);
        check_golden(f, name, r.value);
      }
    }
  }
}

TEST_CASE("debezium-json: values read back through a parser") {
  simdjson::dom::parser parser;
  Fixture fx;
  auto enc = make_encoder(Format::debezium_json);
  std::string out;
  REQUIRE(enc->encode_value(fx.event(Op::update), out));
  const auto doc = parse(parser, out);
  const auto after = doc["after"];
  CHECK(uint64_t(after["u64"]) == std::numeric_limits<uint64_t>::max());
  CHECK(int64_t(after["i64"]) == std::numeric_limits<int64_t>::min());
  CHECK(double(after["f64"]) == 0.1);
  CHECK(double(after["f32"]) == doctest::Approx(3.14));
  CHECK(after["f64_nan"].is_null());
  CHECK(std::string_view(after["dec"]) ==
        "-12345678901234567890123456789012345.678901234567890123456789012345");
  CHECK(std::string_view(after["name"]) ==
        "h\xC3\xA9llo \xF0\x9F\x98\x80 \"q\" \\ /\n\t\x01\x1F \xE2\x80\xA8 end");
  CHECK(std::string_view(after["bad_utf8"]) ==
        "ab\xEF\xBF\xBD(\xEF\xBF\xBD"
        "cd\xEF\xBF\xBD");
  CHECK(int64_t(after["doc"]["a"].at(2)["c"].at(0).is_bool()));
  CHECK(std::string_view(after["doc"]["s"]) == "\xC3\xA9\xF0\x9F\x98\x80");
  CHECK(std::string_view(after["doc_bad"]) == "{not json");
  CHECK(bool(after["b1"]) == true);
  CHECK(std::string_view(after["b64"]) == "//////////8=");
  CHECK(std::string_view(after["t_neg"]) == "-838:59:59.000000");
  CHECK(std::string_view(after["ts3"]) == "2024-01-02T03:04:05.120Z");
  CHECK(std::string_view(after["d_zero"]) == "0000-00-00");
  CHECK(after["note"].is_null());
  CHECK(std::string_view(doc["before"]["note"]) == "was set");
  CHECK(std::string_view(doc["op"]) == "u");
  CHECK(std::string_view(doc["source"]["gtid"]) == "3e11fa47-71ca-11e1-9e33-c80aa9429562:23");
  CHECK(uint64_t(doc["source"]["pos"]) == 484);
  CHECK(uint64_t(doc["transaction"]["total_order"]) == 2);
}

TEST_CASE("debezium-json: truncate has no rows") {
  simdjson::dom::parser parser;
  Fixture fx;
  std::string out;
  REQUIRE(make_encoder(Format::debezium_json)->encode_value(fx.event(Op::truncate), out));
  const auto doc = parse(parser, out);
  CHECK(doc["before"].is_null());
  CHECK(doc["after"].is_null());
  CHECK(std::string_view(doc["op"]) == "t");
}

TEST_CASE("canal-json: strings, old values, pkNames, sqlType") {
  simdjson::dom::parser parser;
  Fixture fx;
  std::string out;
  REQUIRE(make_encoder(Format::canal_json)->encode_value(fx.event(Op::update), out));
  const auto doc = parse(parser, out);
  const auto data = doc["data"].at(0);
  CHECK(std::string_view(data["u64"]) == "18446744073709551615");
  CHECK(std::string_view(data["dt6"]) == "2024-01-02 03:04:05.123456");
  CHECK(std::string_view(data["ts3"]) == "2024-01-02 03:04:05.120");
  CHECK(std::string_view(data["b10"]) == "513");
  CHECK(data["note"].is_null());
  const auto old = doc["old"].at(0);
  CHECK(std::string_view(old["name"]) == "old name");
  CHECK(std::string_view(old["d"]) == "2023-12-31");
  CHECK(std::string_view(old["note"]) == "was set");
  CHECK(old.get_object().size() == 3);
  CHECK(std::string_view(doc["pkNames"].at(0)) == "id");
  CHECK(int64_t(doc["sqlType"]["u64"]) == 3);
  CHECK(int64_t(doc["sqlType"]["id"]) == -5);
  CHECK(int64_t(doc["sqlType"]["small"]) == -6);
  CHECK(std::string_view(doc["mysqlType"]["u64"]) == "bigint(20) unsigned");
  CHECK(std::string_view(doc["type"]) == "UPDATE");

  std::string del;
  REQUIRE(make_encoder(Format::canal_json)->encode_value(fx.event(Op::erase), del));
  const auto ddoc = parse(parser, del);
  CHECK(std::string_view(ddoc["data"].at(0)["name"]) == "old name");  // the before row
  CHECK(ddoc["old"].is_null());
}

TEST_CASE("postgres: source block and unchanged TOAST columns") {
  simdjson::dom::parser parser;
  for (bool with_old : {false, true}) {
    const char* suffix = with_old ? "pg_update_toast_full" : "pg_update_toast";
    for (Format f : {Format::debezium_json, Format::upsert, Format::canal_json}) {
      CAPTURE(to_string(f));
      CAPTURE(with_old);
      PgFixture fx;
      const ChangeEvent e = fx.update(with_old);
      const Encoded r = encode(*make_encoder(f), e);
      REQUIRE(r.key_ok);
      CHECK(r.key == "{\"id\":7}");
      REQUIRE(r.value_ok);
      const auto doc = parse(parser, r.value);
      check_golden(f, suffix, r.value);
      if (f == Format::debezium_json) {
        // Left out of `after`, named in source.unchanged: never data it is not.
        CHECK(doc["after"]["body"].error() == simdjson::NO_SUCH_FIELD);
        CHECK(doc["source"]["unchanged"].get_array().size() == 1);
        CHECK(std::string_view(doc["source"]["unchanged"].at(0)) == "body");
        CHECK(std::string_view(doc["source"]["schema"]) == "public");
        CHECK(std::string_view(doc["source"]["db"]) == "inventory");
        CHECK(uint64_t(doc["source"]["lsn"]) == 24023128);
        CHECK(uint64_t(doc["source"]["txId"]) == 555);
      } else if (f == Format::upsert) {
        CHECK(std::string_view(doc["body"]) ==
              (with_old ? "a very long toasted body" : "__debezium_unavailable_value"));
      } else {
        CHECK(doc["data"].at(0)["body"].error() == simdjson::NO_SUCH_FIELD);
      }
    }
  }
}

TEST_CASE("postgres: toast.placeholder writes the placeholder in every format") {
  simdjson::dom::parser parser;
  for (Format f : {Format::debezium_json, Format::upsert, Format::canal_json}) {
    CAPTURE(to_string(f));
    PgFixture fx;
    const ChangeEvent e = fx.update(false);
    EncoderOptions o;
    o.toast_placeholder = "<unchanged \"TOAST\">";
    std::string value;
    REQUIRE(make_encoder(f, o)->encode_value(e, value));
    const auto doc = parse(parser, value);
    const auto row = f == Format::debezium_json ? doc["after"]
                     : f == Format::upsert      ? doc
                                                : doc["data"].at(0);
    CHECK(std::string_view(row["body"]) == "<unchanged \"TOAST\">");
    CHECK(std::string_view(row["title"]) == "new title");
    if (f == Format::debezium_json) {
      CHECK(doc["source"]["unchanged"].error() == simdjson::NO_SUCH_FIELD);
    }
    if (f == Format::canal_json) CHECK(doc["old"].is_null());  // the placeholder is no change
  }
  // An empty placeholder is a placeholder too (Debezium accepts one).
  PgFixture fx;
  EncoderOptions o;
  o.toast_placeholder = "";
  std::string value;
  REQUIRE(make_encoder(Format::debezium_json, o)->encode_value(fx.update(false), value));
  CHECK(std::string_view(parse(parser, value)["after"]["body"]) == "");
}

TEST_CASE("encode_key: tables without a primary key have no key") {
  Fixture fx;
  fx.schema->primary_key.clear();
  const ChangeEvent e = fx.event(Op::insert);
  for (Format f : {Format::debezium_json, Format::upsert, Format::canal_json}) {
    std::string out = "untouched";
    CHECK_FALSE(make_encoder(f)->encode_key(e, out));
    CHECK(out == "untouched");
    std::string value;
    CHECK(make_encoder(f)->encode_value(e, value));
    if (f == Format::canal_json) CHECK(value.find("\"pkNames\":null") != std::string::npos);
  }
}

TEST_CASE("encoders append and never clear; composite keys keep PK order") {
  Fixture fx;
  fx.schema->primary_key = {12, 0};
  const ChangeEvent e = fx.event(Op::insert);
  std::string out = "K:";
  REQUIRE(make_encoder(Format::upsert)->encode_key(e, out));
  CHECK(out == "K:{\"code\":\"AB  \",\"id\":1001}");
}

TEST_CASE("invalid UTF-8 under the base64 policy") {
  Fixture fx;
  const ChangeEvent e = fx.event(Op::insert);
  std::string out;
  REQUIRE(make_encoder(Format::upsert, {.invalid_utf8 = InvalidUtf8Policy::base64})
              ->encode_value(e, out));
  simdjson::dom::parser parser;
  const auto doc = parse(parser, out);
  CHECK(std::string_view(doc["bad_utf8"]) == "YWLDKPCfmGNk/w==");
  CHECK(std::string_view(doc["code"]) == "AB  ");
}

namespace {

// A MINIMAL update of t(id, name, qty, note): before = the key, after = id (from the before
// image) and qty; name and note absent from both.
struct PartialFixture {
  std::shared_ptr<TableSchema> schema = [] {
    auto s = std::make_shared<TableSchema>();
    s->id = {"shop", "t"};
    s->columns = {col("id", "int(11)", ValueKind::int64),
                  col("name", "varchar(20)", ValueKind::string),
                  col("qty", "int(11)", ValueKind::int64), col("note", "text", ValueKind::string)};
    s->primary_key = {0};
    return s;
  }();
  std::vector<Value> before{Value::int64(1), Value::null_value(), Value::null_value(),
                            Value::null_value()};
  std::vector<Value> after{Value::int64(1), Value::null_value(), Value::int64(5),
                           Value::null_value()};
  std::vector<uint32_t> before_absent{1, 2, 3}, after_absent{1, 3};

  ChangeEvent update() const {
    ChangeEvent e;
    e.op = Op::update;
    e.schema = schema.get();
    e.before = RowImage(before);
    e.before.absent = before_absent;
    e.after = RowImage(after);
    e.after.absent = after_absent;
    return e;
  }
};

}  // namespace

TEST_CASE("partial row images: absent columns are no keys; canal's old shows no guessed change") {
  PartialFixture fx;
  const ChangeEvent e = fx.update();
  CHECK(e.partial());
  CHECK(e.partial_after());
  std::string dbz;
  REQUIRE(make_encoder(Format::debezium_json)->encode_value(e, dbz));
  CHECK(dbz.rfind(R"({"before":{"id":1},"after":{"id":1,"qty":5},"source":)", 0) == 0);
  // The source block names them, after the connector's fields.
  CHECK(
      dbz.find(
          R"("query":null,"absent":{"before":["name","qty","note"],"after":["name","note"]}},"op":"u")") !=
      std::string::npos);
  std::string canal;
  REQUIRE(make_encoder(Format::canal_json)->encode_value(e, canal));
  CHECK(
      canal.rfind(
          R"({"absent":{"before":["name","qty","note"],"after":["name","note"]},"data":[{"id":"1","qty":"5"}],)",
          0) == 0);
  // qty is absent from the before image: no old value is known, so "old" has none.
  CHECK(canal.find(R"("old":null)") != std::string::npos);
  std::string key;
  REQUIRE(make_encoder(Format::upsert)->encode_key(e, key));
  CHECK(key == R"({"id":1})");

  // A delete's before image: the key only.
  ChangeEvent del;
  del.op = Op::erase;
  del.schema = fx.schema.get();
  del.before = e.before;
  CHECK(del.partial());
  CHECK_FALSE(del.partial_after());
  std::string canal_del;
  REQUIRE(make_encoder(Format::canal_json)->encode_value(del, canal_del));
  CHECK(canal_del.rfind(R"({"absent":{"before":["name","qty","note"]},"data":[{"id":"1"}],)", 0) ==
        0);
  std::string dbz_del;
  REQUIRE(make_encoder(Format::debezium_json)->encode_value(del, dbz_del));
  CHECK(dbz_del.find(R"("absent":{"before":["name","qty","note"]}},"op":"d")") !=
        std::string::npos);
  // A full image names nothing.
  ChangeEvent full = e;
  full.before.absent = {};
  full.after.absent = {};
  std::string dbz_full, canal_full;
  REQUIRE(make_encoder(Format::debezium_json)->encode_value(full, dbz_full));
  REQUIRE(make_encoder(Format::canal_json)->encode_value(full, canal_full));
  CHECK(dbz_full.find("absent") == std::string::npos);
  CHECK(canal_full.find("absent") == std::string::npos);

  CHECK(parse_partial_row_policy("SKIP") == PartialRowPolicy::skip);
  CHECK(parse_partial_row_policy("fail") == PartialRowPolicy::fail);
  CHECK_FALSE(parse_partial_row_policy("merge"));
  CHECK(to_string(PartialRowPolicy::skip) == "skip");
}
