// Decoders on real captured binlogs (tests/fixtures/mysql/*, values from their *.decoded.txt),
// and the truncation sweep: every prefix of every event of every fixture is refused cleanly.
#include <doctest/doctest.h>

#include <deque>
#include <map>

#include "cdc/core/arena.h"
#include "cdc/mysql/binlog/binlog_event.h"
#include "cdc/mysql/binlog/event_type.h"
#include "cdc/mysql/schema/table_map_cache.h"
#include "tests/unit/mysql/binlog_test_util.h"

namespace cdc::mysql {
namespace {

using testing::load_fixture;
using testing::split_events;

bool is_bad_bytes(const Error& e) { return e.code == Errc::truncated || e.code == Errc::malformed; }

struct DecodedRow {
  RowsKind kind;
  std::vector<Value> before, after;
};

// Decodes a whole fixture file the way the source does; rows go to `rows`.
struct FileDecoder {
  Arena arena;
  DecodeContext ctx = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mysql);
  TableMapCache tables;
  std::vector<BinlogEvent> events;  // in stream order, inner events after their payload
  std::vector<DecodedRow> rows;
  std::vector<TableVersionPtr> versions;
  std::vector<std::byte> file;
  std::map<uint64_t, TableVersionPtr> unnamed;
  std::deque<std::vector<std::byte>> payloads;  // uncompressed; inner events point into them
  size_t inner_events = 0;

  explicit FileDecoder(const std::string& rel) : file(load_fixture(rel)) {
    for (const auto& raw : split_events(file)) {
      CAPTURE(raw.offset);
      on_event(raw.bytes, ctx);
    }
  }

  // One event through the source's decode path; a TRANSACTION_PAYLOAD's inner events are fed
  // back through it with the payload context, as MysqlSource does.
  void on_event(std::span<const std::byte> raw, const DecodeContext& event_ctx) {
    {
      auto ev = decode_event(raw, event_ctx);
      REQUIRE_MESSAGE(ev, ev.error().to_string());
      if (auto* fde = std::get_if<FormatDescriptionEvent>(&ev->body)) ctx = fde->to_context();
      if (auto* tp = std::get_if<TransactionPayloadEvent>(&ev->body)) {
        auto unpacked = decompress_transaction_payload(*tp, uint64_t{1} << 20);
        REQUIRE_MESSAGE(unpacked, unpacked.error().to_string());
        payloads.push_back(std::move(*unpacked));
        const auto inner_ctx = transaction_payload_context(ctx);
        events.push_back(std::move(*ev));
        PayloadEventReader reader(payloads.back());
        while (true) {
          auto next = reader.next();
          REQUIRE_MESSAGE(next, next.error().to_string());
          if (!next->has_value()) break;
          ++inner_events;
          on_event(**next, inner_ctx);
        }
        return;
      }
      if (auto* tm = std::get_if<TableMapEvent>(&ev->body)) {
        if (!tm->has_column_names) {
          // binlog_row_metadata=MINIMAL (MySQL's default): decode without a schema.
          auto v = std::make_shared<TableVersion>();
          v->map = *tm;
          for (const auto& c : v->map.columns) {
            ColumnDecodeInfo info{
                .type = c.type,
                .real_type = c.real_type,
                .meta = c.meta,
                .is_unsigned = c.is_unsigned.value_or(false),
                .charset = c.collation ? charset_of_collation(*c.collation) : nullptr};
            info.labels = c.labels;
            v->columns.push_back(info);
          }
          unnamed[tm->table_id] = v;
          versions.push_back(v);
        } else {
          auto v = tables.apply(*tm);
          REQUIRE_MESSAGE(v, v.error().to_string());
          versions.push_back(*v);
        }
      }
      if (auto* re = std::get_if<RowsEvent>(&ev->body)) {
        auto t = unnamed.count(re->table_id) ? unnamed[re->table_id] : tables.find(re->table_id);
        REQUIRE(t);
        REQUIRE(re->full_image());
        ByteReader r(re->rows);
        while (r.remaining() > 0) {
          DecodedRow row{re->kind, std::vector<Value>(t->columns.size()), {}};
          REQUIRE(decode_row_image(r, t->columns, re->present, arena, row.before));
          if (re->kind == RowsKind::update) {
            row.after.resize(t->columns.size());
            REQUIRE(decode_row_image(r, t->columns, re->present_after, arena, row.after));
          }
          rows.push_back(std::move(row));
        }
      }
      events.push_back(std::move(*ev));
    }
  }
  template <class T>
  std::vector<const T*> all() const {
    std::vector<const T*> out;
    for (const auto& e : events) {
      if (auto* p = std::get_if<T>(&e.body)) out.push_back(p);
    }
    return out;
  }
};

TEST_CASE("MariaDB 10.5 binlog with binlog_row_metadata=FULL decodes exactly") {
  FileDecoder d("mysql/rust_mysql_common/mariadb-bin.000001");
  REQUIRE(d.events.size() == 13);
  auto fde = d.all<FormatDescriptionEvent>();
  REQUIRE(fde.size() == 1);
  CHECK(fde[0]->server_version == "10.5.15-MariaDB-1:10.5.15+maria~focal-log");
  CHECK(fde[0]->flavor == Flavor::mariadb);
  CHECK(fde[0]->checksum == ChecksumAlg::crc32);

  auto gl = d.all<GtidListEvent>();
  REQUIRE(gl.size() == 1);
  CHECK(gl[0]->gtids.empty());
  auto cp = d.all<BinlogCheckpointEvent>();
  REQUIRE(cp.size() == 1);
  CHECK(cp[0]->file == "mariadb-bin.000001");

  auto gtids = d.all<MariadbGtidEvent>();
  REQUIRE(gtids.size() == 2);
  CHECK(gtids[0]->sequence == 1);
  CHECK(gtids[0]->domain_id == 0);
  CHECK_FALSE(gtids[0]->standalone());
  CHECK(gtids[1]->sequence == 2);
  CHECK(d.events[3].header.server_id == 1);
  CHECK(value(d.events[3].header.start_offset()) == 330);

  auto ann = d.all<AnnotateRowsEvent>();
  REQUIRE(ann.size() == 2);
  CHECK(ann[0]->statement ==
        "insert into outbox (topic, event_type, event) values ('foo', 'JSON', '{\"foo\":1}')");

  auto xids = d.all<XidEvent>();
  REQUIRE(xids.size() == 2);
  CHECK(xids[0]->xid == 800);
  CHECK(xids[1]->xid == 820);

  auto tms = d.all<TableMapEvent>();
  REQUIRE(tms.size() == 2);
  const auto& tm = *tms[0];
  CHECK(tm.db == "toddy_test");
  CHECK(tm.table == "outbox");
  CHECK(tm.table_id == 38);
  REQUIRE(tm.columns.size() == 5);
  CHECK(tm.has_column_names);
  CHECK(tm.columns[0].name == "id");
  CHECK(tm.columns[1].name == "topic");
  CHECK(tm.columns[2].name == "event_type");
  CHECK(tm.columns[3].name == "event");
  CHECK(tm.columns[4].name == "created");
  CHECK(tm.primary_key == std::vector<uint32_t>{0});
  CHECK(tm.columns[1].meta == 1020);
  CHECK(tm.columns[2].meta == 63233);
  CHECK(tm.columns[2].real_type == 247);
  CHECK(tm.columns[2].nullable);
  CHECK_FALSE(tm.columns[0].nullable);
  CHECK(charset_of_collation(*tm.columns[1].collation)->name == "utf8mb4");  // utf8mb4_general_ci
  CHECK(*tm.columns[1].collation == 45);
  CHECK(*tm.columns[3].collation == kBinaryCollation);  // event: binary

  const auto& schema = *d.versions[0]->schema;
  CHECK(schema.id.to_string() == "toddy_test.outbox");
  CHECK(schema.columns[1].source_type == "varchar(255)");
  CHECK(schema.columns[3].source_type == "blob");
  CHECK(schema.columns[4].source_type == "timestamp");
  CHECK(schema.columns[1].kind == ValueKind::string);
  CHECK(schema.columns[3].kind == ValueKind::bytes);
  CHECK(schema.version == 1);
  CHECK(d.versions[1]->schema == d.versions[0]->schema);  // same shape: same version object

  REQUIRE(d.rows.size() == 2);
  const auto& r0 = d.rows[0].before;
  CHECK(d.rows[0].kind == RowsKind::write);
  CHECK(r0[0] == Value::int64(62));
  CHECK(r0[1] == Value::string("foo"));
  CHECK(r0[2].kind == ValueKind::enum_label);
  CHECK(r0[2].u == 2);
  CHECK(r0[2].text == tm.columns[2].labels.at(1));
  CHECK(r0[3] == Value::bytes("{\"foo\":1}"));
  CHECK(r0[4] == Value::timestamp_micros(1650493084LL * 1000000, 0));
  CHECK(d.rows[1].before[0] == Value::int64(63));
  CHECK(d.rows[1].before[4] == Value::timestamp_micros(1650493195LL * 1000000, 0));
}

TEST_CASE("MySQL 8.0 v2 rows: CHAR(128) utf8mb4, ENUM/SET labels, update and delete") {
  FileDecoder d("mysql/rust_mysql_common/mysql-enum-string-set.000001");
  REQUIRE(d.rows.size() == 3);
  std::string ten = "0123456789", hundred;
  for (int i = 0; i < 10; ++i) hundred += ten;
  const auto& ins = d.rows[0];
  CHECK(ins.kind == RowsKind::write);
  CHECK(ins.before[0] == Value::string(hundred));
  CHECK(ins.before[1].text.size() == 298);  // as in the .decoded.txt
  CHECK(ins.before[2] == Value::enum_label("var1", 1));
  CHECK(ins.before[3] == Value::set_labels("one,three", 0b0101));
  CHECK(ins.before[4] == Value::string(ten));
  const auto& upd = d.rows[1];
  CHECK(upd.kind == RowsKind::update);
  CHECK(upd.before[0] == Value::string(hundred));
  CHECK(upd.after[0] == Value::string("field1"));
  CHECK(upd.after[1] == Value::string("field_2"));
  CHECK(upd.after[2] == Value::enum_label("variant2", 2));
  CHECK(upd.after[3] == Value::set_labels("two,four", 0b1010));
  CHECK(upd.after[4].text.size() == 298);
  const auto& del = d.rows[2];
  CHECK(del.kind == RowsKind::erase);
  CHECK(del.before[0] == Value::string("field1"));
  const auto& s = *d.versions[0]->schema;
  CHECK(s.columns[0].source_type == "char(128)");
  CHECK(s.columns[2].source_type.rfind("enum('var1','variant2'", 0) == 0);
  CHECK(s.columns[3].source_type.rfind("set('one','two','three','four'", 0) == 0);
  CHECK(d.all<MysqlGtidEvent>().size() == 5);
  auto prev = d.all<PreviousGtidsEvent>();
  REQUIRE(prev.size() == 1);
}

TEST_CASE("MySQL 8.0.40 negative TIME beyond 24 hours") {
  FileDecoder d("mysql/rust_mysql_common/time_issue.000001");
  REQUIRE(d.rows.size() == 1);
  const int64_t micros = -((507LL * 3600 + 48 * 60 + 27) * 1000000);
  CHECK(d.rows[0].before[0] == Value::time_micros(micros, 0));
  auto g = d.all<MysqlGtidEvent>();
  REQUIRE(g.size() == 1);
  CHECK(g[0]->anonymous);
  CHECK(g[0]->immediate_commit_us.has_value());
}

TEST_CASE("MySQL 8.0.26 invisible columns: visibility metadata and signed ints") {
  FileDecoder d("mysql/rust_mysql_common/binlog-invisible-columns.000001");
  REQUIRE(d.rows.size() >= 3);
  // SIGNEDNESS metadata says columns 1, 2 and 6 are unsigned, 3 signed (-3; the reference
  // decode, which ignores signedness, prints "-3 (4294967293)").
  CHECK(d.rows[0].before[0] == Value::uint64(1));
  CHECK(d.rows[0].before[1] == Value::uint64(2));
  CHECK(d.rows[0].before[2] == Value::int64(-3));
  CHECK(d.rows[0].before[3] == Value::string("4"));
  CHECK(d.rows[0].before[4] == Value::bytes("\x05"));
  CHECK(d.rows[0].before[5] == Value::uint64(6000000000ULL));
  CHECK(d.rows[1].before[0].is_null());
  CHECK(d.rows[1].before[2] == Value::int64(-33));
  CHECK(d.rows[2].kind == RowsKind::update);
  CHECK(d.rows[2].after[0] == Value::uint64(111));
  bool any_invisible = false;
  for (const auto& v : d.versions) {
    for (const auto& c : v->map.columns) {
      REQUIRE(c.visible.has_value());
      any_invisible |= !*c.visible;
    }
  }
  CHECK(any_invisible);
}

TEST_CASE("MySQL 9.0.1 binary JSON with opaque scalars renders as MySQL renders it") {
  // Values: rust_mysql_common's test (MANIFEST.md), which prints them compactly; MySQL's own
  // rendering puts ": " and ", " between members and elements, and a DECIMAL unquoted.
  FileDecoder d("mysql/rust_mysql_common/json-opaque.binlog");
  const char* const expected[] = {
      R"({"a": "base64:type15:VQ=="})",
      R"({"b": "2012-03-18"})",
      R"({"c": "2012-03-18 11:30:45.000000"})",
      R"({"c": "87:31:46.654321"})",
      R"({"d": 123.456})",
      R"({"e": 9.00})",
      R"({"e": [0, 1, true, false]})",
      R"({"e": null})",
  };
  REQUIRE(d.rows.size() == std::size(expected));
  for (size_t row_idx = 0; row_idx < d.rows.size(); ++row_idx) {
    CAPTURE(row_idx);
    CHECK(d.rows[row_idx].before[0].kind == ValueKind::json);
    CHECK(d.rows[row_idx].before[0].text == expected[row_idx]);
  }
}

// mariadb-binlog cannot read TRANSACTION_PAYLOAD (see the .decoded.txt), so the expected values
// come from the bytes: `zstd -d` of the payload (event at 236, header fields 02 01 00 | 03 03
// fc c0 03 | 01 03 fc c3 01 | 00) gives 960 bytes holding QUERY "BEGIN", TABLE_MAP demo.movies
// (INT, VARCHAR, INT, 8 x VARCHAR; binlog_row_metadata=MINIMAL), one UPDATE_ROWS_V2 row whose
// values read directly as length-prefixed text, and XID 31 (its 8 bytes, 1f 00 .. 00).
TEST_CASE("MySQL 8.0.28 compressed transaction: the events inside the payload decode exactly") {
  FileDecoder d("mysql/mysql-binlog-connector-java/mysql-bin.compressed");
  REQUIRE(d.events.size() == 5 + 4);
  CHECK(d.inner_events == 4);
  const auto payloads = d.all<TransactionPayloadEvent>();
  REQUIRE(payloads.size() == 1);
  CHECK(payloads[0]->compression == PayloadCompression::zstd);
  CHECK(payloads[0]->uncompressed_size == 960);
  CHECK(payloads[0]->payload.size() == 451);
  CHECK(value(d.events[3].header.start_offset()) == 236);
  CHECK(d.events[3].header.event_size == 488);
  // Inner events: no checksum, log_pos 0, the outer server id and transaction timestamp.
  const uint8_t types[] = {2, 19, 31, 16};
  for (size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(d.events[4 + i].header.type == types[i]);
    CHECK(d.events[4 + i].header.log_pos == 0);
    CHECK(d.events[4 + i].header.server_id == 223344);
    CHECK(d.events[4 + i].header.timestamp == 1646406641);
  }
  CHECK(d.events[4].header.event_size + d.events[5].header.event_size +
            d.events[6].header.event_size + d.events[7].header.event_size ==
        960);
  CHECK(d.all<QueryEvent>()[0]->statement == "BEGIN");
  CHECK(d.all<XidEvent>()[0]->xid == 31);
  const auto maps = d.all<TableMapEvent>();
  REQUIRE(maps.size() == 1);
  CHECK(maps[0]->db == "demo");
  CHECK(maps[0]->table == "movies");
  CHECK(maps[0]->columns.size() == 11);
  REQUIRE(d.rows.size() == 1);
  const auto& row = d.rows[0];
  CHECK(row.kind == RowsKind::update);
  const std::vector<std::string> text_before = {
      "Once Upon a Time in the West",
      "Italy",
      "Western",
      "Claudia Cardinale|Charles Bronson|Henry Fonda|Gabriele Ferzetti|Frank Wolff|Al Mulock|"
      "Jason Robards|Woody Strode|Jack Elam|Lionel Stander|Paolo Stoppa|Keenan Wynn|Aldo Sambrell",
      "Sergio Leone",
      "Ennio Morricone",
      "Sergio Leone|Sergio Donati|Dario Argento|Bernardo Bertolucci",
      "Tonino Delli Colli",
      "Paramount Pictures"};
  const size_t text_cols[] = {1, 3, 4, 5, 6, 7, 8, 9, 10};
  for (const auto* image : {&row.before, &row.after}) {
    REQUIRE(image->size() == 11);
    CHECK((*image)[0].i == 1);
    CHECK((*image)[2].i == 1968);
    for (size_t k = 0; k < 9; ++k) {
      CAPTURE(k);
      const std::string want =
          image == &row.after && text_cols[k] == 4 ? "Western|Action" : text_before[k];
      CHECK((*image)[text_cols[k]].text == want);
    }
  }
}

TEST_CASE("MySQL 5.7 WRITE_ROWS_V2 with ROWS_QUERY (boxercrab)") {
  // No optional metadata in 5.7: decode with a hand-made schema (names from sql.sql).
  auto file = load_fixture("mysql/boxercrab/30_write_rows_v2/log.bin");
  DecodeContext ctx;
  Arena arena;
  std::optional<TableMapEvent> tm;
  std::vector<std::string> queries;
  int rows_seen = 0;
  for (const auto& raw : split_events(file)) {
    auto ev = decode_event(raw.bytes, ctx);
    REQUIRE_MESSAGE(ev, ev.error().to_string());
    if (auto* fde = std::get_if<FormatDescriptionEvent>(&ev->body)) ctx = fde->to_context();
    if (auto* q = std::get_if<RowsQueryEvent>(&ev->body)) queries.emplace_back(q->statement);
    if (auto* t = std::get_if<TableMapEvent>(&ev->body)) {
      tm = *t;
      CHECK_FALSE(t->has_column_names);
      CHECK(build_table_schema(*t).error().code == Errc::invalid_config);
      CHECK(build_table_schema(*t).error().message.find("binlog_row_metadata=FULL") !=
            std::string::npos);
    }
    if (auto* re = std::get_if<RowsEvent>(&ev->body)) {
      REQUIRE(tm);
      CHECK(re->type == 30);
      std::vector<ColumnDecodeInfo> cols(2);
      cols[0] = {.type = 3, .real_type = 3, .is_unsigned = true};
      cols[1] = {.type = 15,
                 .real_type = 15,
                 .meta = tm->columns[1].meta,
                 .charset = charset_named("utf8mb4")};
      ByteReader r(re->rows);
      std::vector<Value> row(2);
      REQUIRE(decode_row_image(r, cols, re->present, arena, row));
      CHECK(row[0] == Value::uint64(1));
      CHECK(row[1] == Value::string("abcde"));
      CHECK(r.remaining() == 0);
      ++rows_seen;
    }
    if (auto* rot = std::get_if<RotateEvent>(&ev->body)) {
      CHECK(rot->next_file == "mysql_bin.000002");
      CHECK(value(rot->position) == 4);
    }
  }
  CHECK(rows_seen == 1);
  REQUIRE(queries.size() == 1);
  CHECK(queries[0].find("INSERT INTO `boxercrab`") != std::string::npos);
}

TEST_CASE("a corrupted byte fails the CRC32 check") {
  auto file = load_fixture("mysql/rust_mysql_common/mariadb-bin.000001");
  auto events = split_events(file);
  auto ctx = DecodeContext::v4_defaults(ChecksumAlg::crc32, Flavor::mariadb);
  std::vector<std::byte> copy(events[5].bytes.begin(), events[5].bytes.end());
  copy[25] ^= std::byte{1};
  auto r = decode_event(copy, ctx);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::malformed);
  CHECK(r.error().message.find("CRC32") != std::string::npos);
}

TEST_CASE("unknown and unsupported event types are errors that name the type") {
  auto ctx = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mariadb);
  std::vector<std::byte> body(8);
  for (uint8_t t : {26, 12, 166, 200}) {
    auto r = decode_event_body(t, body, ctx);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::unsupported);
    CHECK(r.error().message.find("(" + std::to_string(t) + ")") != std::string::npos);
  }
  CHECK(decode_event_body(26, body, ctx).error().message.find("INCIDENT (26)") !=
        std::string::npos);
}

// A TRANSACTION_PAYLOAD: every prefix of its compressed bytes fails to decompress; every prefix
// of the uncompressed events fails in the inner-event reader or the inner event's decoder.
void sweep_payload(const TransactionPayloadEvent& tp, const DecodeContext& ctx) {
  auto full = decompress_transaction_payload(tp, uint64_t{1} << 20);
  REQUIRE(full);
  for (size_t n = 0; n < tp.payload.size(); ++n) {
    auto cut = tp;
    cut.payload = tp.payload.first(n);
    auto r = decompress_transaction_payload(cut, uint64_t{1} << 20);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::malformed);
  }
  const auto inner_ctx = transaction_payload_context(ctx);
  for (size_t n = 0; n < full->size(); ++n) {
    PayloadEventReader reader{std::span<const std::byte>(*full).first(n)};
    bool failed = false;
    while (!failed) {
      auto next = reader.next();
      if (!next) {
        CHECK(next.error().code == Errc::truncated);
        failed = true;
      } else if (!next->has_value()) {
        break;
      } else if (auto ev = decode_event(**next, inner_ctx); !ev) {
        CHECK(is_bad_bytes(ev.error()));
        failed = true;
      }
    }
    // A prefix that ends on an event boundary is a shorter valid payload.
    if (!failed) CHECK(reader.offset() == n);
  }
}

// Every prefix of every event's body is decoded with the body decoders (and row events with
// their table map): no crash or over-read (ASan build), and any error is truncated/malformed.
// Whole-event prefixes must all fail (size or CRC).
void sweep(const std::string& rel) {
  CAPTURE(rel);
  auto file = load_fixture(rel);
  DecodeContext ctx;
  std::map<uint64_t, std::vector<ColumnDecodeInfo>> cols_by_id;
  std::map<uint64_t, TableMapEvent> maps;  // owns the labels the infos point to
  for (const auto& raw : split_events(file)) {
    CAPTURE(raw.offset);
    for (size_t n = 0; n < raw.bytes.size(); ++n) {
      CHECK_FALSE(decode_event(raw.bytes.first(n), ctx));
    }
    auto full = decode_event(raw.bytes, ctx);
    REQUIRE(full);
    const uint8_t type = full->header.type;
    if (auto* fde = std::get_if<FormatDescriptionEvent>(&full->body)) {
      ctx = fde->to_context();
      continue;
    }
    if (auto* tm = std::get_if<TableMapEvent>(&full->body)) {
      std::vector<ColumnDecodeInfo> cols;
      maps[tm->table_id] = *tm;
      for (const auto& c : maps[tm->table_id].columns) {
        ColumnDecodeInfo info{
            .type = c.type,
            .real_type = c.real_type,
            .meta = c.meta,
            .is_unsigned = c.is_unsigned.value_or(false),
            .charset = c.collation ? charset_of_collation(*c.collation) : nullptr};
        info.labels = c.labels;
        cols.push_back(info);
      }
      cols_by_id[tm->table_id] = std::move(cols);
    }
    if (auto* tp = std::get_if<TransactionPayloadEvent>(&full->body)) {
      sweep_payload(*tp, ctx);
    }
    auto stripped = *strip_checksum(raw.bytes, ctx.checksum);
    auto body = event_body(stripped, ctx);
    for (size_t n = 0; n <= body.size(); ++n) {
      Arena arena;
      auto r = decode_event_body(type, body.first(n), ctx);
      if (!r) {
        CHECK_MESSAGE((r.error().code == Errc::truncated || r.error().code == Errc::malformed),
                      r.error().to_string());
        continue;
      }
      auto* rows = std::get_if<RowsEvent>(&*r);
      if (rows == nullptr || !cols_by_id.count(rows->table_id)) continue;
      auto& cols = cols_by_id[rows->table_id];
      if (rows->column_count != cols.size()) continue;
      ByteReader rr(rows->rows);
      std::vector<Value> out(cols.size());
      bool ok = true;
      while (ok && rr.remaining() > 0) {
        auto st = decode_row_image(rr, cols, rows->present, arena, out);
        if (st && rows->kind == RowsKind::update) {
          st = decode_row_image(rr, cols, rows->present_after, arena, out);
        }
        if (!st) {
          const auto code = st.error().code;
          CHECK_MESSAGE(
              (code == Errc::truncated || code == Errc::malformed || code == Errc::unsupported),
              st.error().to_string());
          ok = false;
        }
      }
      if (n == body.size()) CHECK(ok);
    }
  }
}

TEST_CASE("truncation sweep over every fixture event") {
  sweep("mysql/rust_mysql_common/mariadb-bin.000001");
  sweep("mysql/rust_mysql_common/mysql-enum-string-set.000001");
  sweep("mysql/rust_mysql_common/time_issue.000001");
  sweep("mysql/rust_mysql_common/binlog-invisible-columns.000001");
  sweep("mysql/boxercrab/30_write_rows_v2/log.bin");
  sweep("mysql/rust_mysql_common/json-opaque.binlog");
  sweep("mysql/mysql-binlog-connector-java/mysql-bin.compressed");
  sweep("mysql/mariadb-statement/mysql-bin.000004");
  sweep("mysql/boxercrab/14_user_var/log.bin");
}

}  // namespace
}  // namespace cdc::mysql
