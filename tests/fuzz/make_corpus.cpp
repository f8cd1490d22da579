// Seed corpus generator for tests/fuzz: derives every target's seeds from the captured binlogs
// in tests/fixtures/mysql (whole files, single events, single column values, the schemas their
// TABLE_MAPs build, the GTID sets they carry) plus a few encoded positions and checkpoints.
// Deterministic: rerun after adding fixtures and commit the result.
// Usage: fuzz_make_corpus <repo root> <out dir>    (writes <out dir>/<target>/<seed>)
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cdc/core/byte_reader.h"
#include "cdc/core/position.h"
#include "cdc/mysql/binlog/binlog_event.h"
#include "cdc/mysql/binlog/charset.h"
#include "cdc/mysql/binlog/column_type.h"
#include "cdc/mysql/binlog/event_type.h"
#include "cdc/mysql/binlog/transaction_payload.h"
#include "cdc/mysql/schema/table_map_cache.h"
#include "cdc/snapshot/snapshot_key.h"
#include "state/checkpoint_codec.h"
#include "state/schema_codec.h"
#include "tests/unit/postgres/pgoutput_bytes.h"

using namespace cdc;
using namespace cdc::mysql;
namespace fs = std::filesystem;

namespace {

// column_fuzz's encoding of a charset: its 1-based index in the table (0: none) as a 6-bit
// number in flag bits 1-3 and 5-7.
int charset_flags(const Charset* cs) {
  const auto pick = cs ? static_cast<unsigned>(cs - generated::kCharsetRows.data() + 1) : 0u;
  return static_cast<int>(((pick & 7) << 1) | ((pick >> 3) << 5));
}

const char* const kFixtures[] = {
    "tests/fixtures/mysql/rust_mysql_common/mariadb-bin.000001",
    "tests/fixtures/mysql/rust_mysql_common/mysql-enum-string-set.000001",
    "tests/fixtures/mysql/rust_mysql_common/binlog-invisible-columns.000001",
    "tests/fixtures/mysql/rust_mysql_common/time_issue.000001",
    "tests/fixtures/mysql/boxercrab/30_write_rows_v2/log.bin",
    "tests/fixtures/mysql/mysql-binlog-connector-java/mysql-bin.compressed",
    "tests/fixtures/mysql/mariadb-statement/mysql-bin.000004",
    "tests/fixtures/mysql/boxercrab/14_user_var/log.bin",
};

fs::path g_out;
std::map<std::string, std::set<std::string>> g_seen;  // target -> contents written

void write_seed(const std::string& target, const std::string& name, const std::string& bytes) {
  if (!g_seen[target].insert(bytes).second) return;  // same bytes under another name
  fs::create_directories(g_out / target);
  std::ofstream(g_out / target / name, std::ios::binary) << bytes;
}

uint32_t u32_at(const std::string& s, size_t pos) {
  return static_cast<uint8_t>(s[pos]) | static_cast<uint8_t>(s[pos + 1]) << 8 |
         static_cast<uint8_t>(s[pos + 2]) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[pos + 3])) << 24;
}

// One column value of a row image, cut out for the column target.
void column_seeds(const std::string& tag, const TableVersion& t, const RowsEvent& re) {
  if (!re.full_image()) return;
  ByteReader r(re.rows);
  const size_t n = t.columns.size();
  Arena arena;
  for (int image = 0; image < 4 && r.remaining() > 0; ++image) {
    auto nulls = r.bytes((n + 7) / 8);
    if (!r.ok()) return;
    for (size_t col_idx = 0; col_idx < n; ++col_idx) {
      if (static_cast<uint8_t>(nulls[col_idx / 8]) >> (col_idx % 8) & 1) continue;
      const auto& c = t.columns[col_idx];
      const size_t start = r.offset();
      if (!decode_column(r, c, arena)) return;
      std::string seed;
      seed += static_cast<char>(c.type);
      seed += static_cast<char>(c.real_type);
      seed += static_cast<char>(c.meta & 0xff);
      seed += static_cast<char>(c.meta >> 8);
      seed += static_cast<char>((c.is_unsigned ? 1 : 0) | charset_flags(c.charset) |
                                (c.json_text ? 0x10 : 0));
      seed += static_cast<char>(c.labels.size());
      seed += std::string(as_chars(re.rows.subspan(start, r.offset() - start)));
      write_seed(
          "column",
          tag + ".col" + std::to_string(col_idx) + "." + std::string(column_type_name(c.real_type)),
          seed);
    }
  }
}

void binlog_seeds(const fs::path& root, const std::string& rel) {
  std::ifstream in(root / rel, std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (file.size() < 4) {
    std::fprintf(stderr, "missing fixture %s\n", rel.c_str());
    std::exit(1);
  }
  const std::string base = fs::path(rel).parent_path().filename().string() == "30_write_rows_v2"
                               ? "boxercrab-30_write_rows_v2"
                               : fs::path(rel).filename().string();
  // The whole file (magic included) as one stream, CRC fix-up on (mode 1).
  write_seed("binlog_stream", base + ".whole", std::string("\x01", 1) + file);

  DecodeContext ctx = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mysql);
  TableMapCache tables;
  std::map<uint64_t, TableVersionPtr> unnamed;
  std::string fde_raw;
  std::map<uint64_t, std::string> table_map_raw;
  size_t pos = 4;
  while (pos + kEventHeaderLength <= file.size()) {
    const uint32_t size = u32_at(file, pos + 9);
    if (size < kEventHeaderLength || pos + size > file.size()) break;
    const std::string raw = file.substr(pos, size);
    const auto span = as_bytes(raw);
    const std::string tag = base + "@" + std::to_string(pos);
    pos += size;
    const uint8_t type = static_cast<uint8_t>(raw[4]);
    const std::string tname(event_type_name(type));
    const char flavor_bit = ctx.flavor == Flavor::mariadb ? 1 : 0;
    const char crc_bit = ctx.checksum == ChecksumAlg::crc32 ? 2 : 0;
    // binlog_event, raw mode: the whole event.
    write_seed("binlog_event", tag + "." + tname + ".raw",
               std::string(1, static_cast<char>(4 | flavor_bit | crc_bit)) + raw);
    auto ev = decode_event(span, ctx);
    if (!ev) continue;
    if (auto* fde = std::get_if<FormatDescriptionEvent>(&ev->body)) {
      ctx = fde->to_context();
      fde_raw = raw;
      continue;
    }
    // binlog_event, body mode: type + body without header and CRC.
    const size_t trailer = ctx.checksum == ChecksumAlg::crc32 ? 4 : 0;
    const std::string body =
        raw.substr(ctx.header_length, raw.size() - ctx.header_length - trailer);
    write_seed("binlog_event", tag + "." + tname + ".body",
               std::string(1, ctx.flavor == Flavor::mariadb ? 1 : 0) +
                   std::string(1, static_cast<char>(type)) + body);
    if (auto* tm = std::get_if<TableMapEvent>(&ev->body)) {
      table_map_raw[tm->table_id] = raw;
      if (!tm->has_column_names) {
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
      } else if (auto v = tables.apply(*tm)) {
        unnamed.erase(tm->table_id);
        write_seed("schema", tag + ".schema", state::encode_schema(*(*v)->schema));
        write_seed("schema", tag + ".entry",
                   state::encode_schema_entry(
                       MysqlPosition{position_in(base, ev->header.start_offset()), "", 0, 0},
                       *(*v)->schema));
      }
    }
    if (auto* re = std::get_if<RowsEvent>(&ev->body)) {
      // The smallest stream that reaches row decoding: FDE, TABLE_MAP, the row event.
      if (!fde_raw.empty() && table_map_raw.count(re->table_id)) {
        write_seed("binlog_stream", tag + "." + tname,
                   std::string("\x01", 1) + fde_raw + table_map_raw[re->table_id] + raw);
      }
      auto t = unnamed.count(re->table_id) ? unnamed[re->table_id] : tables.find(re->table_id);
      if (t && t->columns.size() == re->column_count) column_seeds(tag, *t, *re);
    }
    if (auto* tp = std::get_if<TransactionPayloadEvent>(&ev->body)) {
      // The inner events (no checksum) as body seeds, and the payload stored uncompressed.
      auto events = decompress_transaction_payload(*tp, uint64_t{1} << 20);
      if (!events) continue;
      PayloadEventReader reader(*events);
      while (true) {
        auto next = reader.next();
        if (!next || !next->has_value()) break;
        const std::string inner(as_chars(**next));
        const uint8_t inner_type = static_cast<uint8_t>(inner[4]);
        write_seed("binlog_event",
                   tag + ".inner" + std::to_string(reader.index() - 1) + "." +
                       std::string(event_type_name(inner_type)) + ".body",
                   std::string(1, 0) + std::string(1, static_cast<char>(inner_type)) +
                       inner.substr(ctx.header_length));
      }
      std::string none;
      // Fields as type, length, net_field_length value: compression (2) = 255 (NONE), payload
      // size (1) = the uncompressed events' size; then the end mark (0).
      none += '\x02';
      none += std::string("\x03\xfc\xff\x00", 4);
      none += '\x01';
      none += std::string("\x03\xfc", 2);
      none += static_cast<char>(events->size() & 0xff);
      none += static_cast<char>(events->size() >> 8);
      none += '\x00';
      none += std::string(as_chars(*events));
      write_seed("binlog_event", tag + ".TRANSACTION_PAYLOAD.none.body",
                 std::string(1, 0) + std::string(1, static_cast<char>(40)) + none);
    }
    if (auto* pg = std::get_if<PreviousGtidsEvent>(&ev->body)) {
      write_seed("gtid_set", tag + ".previous_gtids", pg->to_gtid_set());
    }
    if (auto* gl = std::get_if<GtidListEvent>(&ev->body)) {
      std::string s;
      for (const auto& g : gl->gtids) s += (s.empty() ? "" : ",") + to_string(g);
      write_seed("gtid_set", tag + ".gtid_list", s);
    }
    if (auto* g = std::get_if<MysqlGtidEvent>(&ev->body)) {
      if (!g->anonymous) write_seed("gtid_set", tag + ".gtid", g->gtid());
    }
  }
}

void handmade_seeds() {
  // Column types the fixtures lack: a plausible meta and 24 bytes of value for each.
  const struct {
    uint8_t type;
    uint16_t meta;
    const char* name;
  } types[] = {
      {0, 0, "DECIMAL"},        {1, 0, "TINY"},          {2, 0, "SHORT"},
      {3, 0, "LONG"},           {4, 4, "FLOAT"},         {5, 8, "DOUBLE"},
      {6, 0, "NULL"},           {7, 0, "TIMESTAMP"},     {8, 0, "LONGLONG"},
      {9, 0, "INT24"},          {10, 0, "DATE"},         {11, 0, "TIME"},
      {12, 0, "DATETIME"},      {13, 0, "YEAR"},         {15, 64, "VARCHAR"},
      {16, 0x0107, "BIT"},      {17, 3, "TIMESTAMP2"},   {18, 6, "DATETIME2"},
      {19, 2, "TIME2"},         {245, 4, "JSON"},        {246, 0x0a02, "NEWDECIMAL"},
      {247, 1, "ENUM"},         {248, 2, "SET"},         {252, 2, "BLOB"},
      {253, 300, "VAR_STRING"}, {254, 0xfe20, "STRING"}, {255, 4, "GEOMETRY"},
      {242, 4, "VECTOR"},
  };
  for (const auto& t : types) {
    std::string seed;
    seed += static_cast<char>(t.type);
    seed += static_cast<char>(t.type);
    seed += static_cast<char>(t.meta & 0xff);
    seed += static_cast<char>(t.meta >> 8);
    seed += '\x02';  // the first charset of the table (armscii8)
    seed += '\x03';  // 3 labels
    seed += std::string(
        "\x02\x00\x80\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
        "\x10\x11\x12\x13\x14\x15",
        24);
    write_seed("column", std::string("handmade.") + t.name, seed);
  }
  // An event of a type sluice does not know with LOG_EVENT_IGNORABLE_F (decode_event, mode 4).
  std::string ignorable = {'\x04', '\x00', '\xf1', '\x53', '\x65', '\xc8', '\x01',
                           '\x00', '\x00', '\x00', '\x1d', '\x00', '\x00', '\x00',
                           '\x05', '\x04', '\x00', '\x00', '\x80', '\x00'};
  ignorable += std::string(10, '\x5a');
  write_seed("binlog_event", "handmade.IGNORABLE_200.raw", ignorable);
  // MySQL 8.3+ tagged GTIDs (no MySQL 8.4 fixture here): GTID_TAGGED as Percona Server 8.4.11
  // wrote it (tests/unit/mysql/binlog/tagged_gtid_test.cpp), and a tagged PREVIOUS_GTIDS of
  // one uuid with the tag "blue", 1-2; body mode.
  write_seed("binlog_event", "handmade.GTID_TAGGED.body",
             std::string("\x00\x2a"
                         "\x02\x7c\x00\x00\x02\x02\xee\x45\x03\x41\x02\x58\x02\x69\x03\x22"
                         "\xc5\x03\x69\x02\x82\x41\x02\x35\x02\xdc\xbe\xdc\x35\x02\x04\x04"
                         "\x06\x10test_tag\x08\x00\x0a\x04\x0c\x7f"
                         "\x00\x3e\x89\x00\xfa\x5b\x06\x10\x45\x05\x12\xdb\xd0\x09",
                         64));
  write_seed(
      "binlog_event", "handmade.PREVIOUS_GTIDS_TAGGED.body",
      std::string("\x00\x23\x01\x01\x00\x00\x00\x00\x00\x01", 10) +
          std::string("\x77\xd1\x90\x2c\x01\xda\x11\xf1\x9a\x41\x90\x8d\x6e\x5f\x6e\x8d", 16) +
          std::string("\x08"
                      "blue",
                      5) +
          std::string("\x01\x00\x00\x00\x00\x00\x00\x00"
                      "\x01\x00\x00\x00\x00\x00\x00\x00"
                      "\x03\x00\x00\x00\x00\x00\x00\x00",
                      24));
  // DELETE_FILE (a failed LOAD DATA's file dropped; no fixture holds one): file id 3, body mode.
  write_seed("binlog_event", "handmade.DELETE_FILE.body",
             std::string("\x01\x0b\x03\x00\x00\x00", 6));
  // VARCHAR values in charsets converted each way (tables, MySQL's multi-byte tables, iconv,
  // UTF-8 checks), each ending in an invalid sequence; "_replace": charset.invalid: replace.
  const struct {
    const char* charset;
    std::string text;
    bool replace;
  } texts[] = {
      {"big5", "\xb9\xcf\xa7\xce\xbd\x58\xff", false},
      {"ujis", "\xc6\xfc\x8e\xb1\x8f\xb0\xa1\xc6", false},
      {"utf16", std::string("\x04\x16\xd8\x3d\xde\x00\xd8\x3d", 8), false},
      {"gbk", "\xd6\xd0\xce\xc4\xff", true},
      {"utf8mb3", "\xe2\x82\xac\xf0\x9f\x98\x80", true},
      {"cp1250", "\xa3\xf3\x64\x9f\x81", false},
  };
  for (const auto& t : texts) {
    std::string seed = {'\x0f', '\x0f', '\x40', '\x00'};
    seed += static_cast<char>(charset_flags(charset_named(t.charset)));
    seed += static_cast<char>(t.replace ? 0x80 : 0);
    seed += static_cast<char>(t.text.size());
    seed += t.text;
    write_seed("column",
               std::string("handmade.VARCHAR_") + t.charset + (t.replace ? "_replace" : ""), seed);
  }

  for (const char* s :
       {"", "0-1-100", "0-1-100,1-2-7", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7",
        "0-1-5,3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3,ab:4"}) {
    write_seed("gtid_set", "handmade." + std::to_string(g_seen["gtid_set"].size()), s);
  }

  // JSON diffs applied to a before document (json_diff target: u16 length, document, diffs).
  const std::pair<const char*, std::string> diffs[] = {
      {"replace_member", std::string("\x0d\x00\x00\x01\x00\x0c\x00\x0b\x00\x01\x00\x05\x01\x00\x61"
                                     "\x00\x03\x24\x2e\x61\x03\x05\x05\x00",
                                     24)},
      {"insert_remove",
       std::string(
           "\x1f\x00\x00\x02\x00\x1e\x00\x12\x00\x01\x00\x13\x00\x01\x00\x05\x01\x00\x02\x14\x00"
           "\x61\x62\x02\x00\x0a\x00\x05\x01\x00\x05\x02\x00\x01\x06\x24\x2e\x62\x5b\x31\x5d\x03"
           "\x0c\x01\x78\x02\x03\x24\x2e\x61\x01\x03\x24\x2e\x63\x02\x04\x01",
           58)},
      {"quoted_last",
       std::string(
           "\x1f\x00\x00\x02\x00\x1e\x00\x12\x00\x01\x00\x13\x00\x01\x00\x05\x01\x00\x02\x14\x00"
           "\x61\x62\x02\x00\x0a\x00\x05\x01\x00\x05\x02\x00\x00\x0b\x24\x2e\x22\x62\x22\x5b\x6c"
           "\x61\x73\x74\x5d\x02\x04\x00\x02\x0b\x24\x2e\x62\x5b\x6c\x61\x73\x74\x2d\x31\x5d",
           62)},
      {"rejected_missing", std::string("\x0d\x00\x00\x01\x00\x0c\x00\x0b\x00\x01\x00\x05\x01\x00"
                                       "\x61\x00\x04\x24\x2e\x7a\x7a\x02\x04\x01",
                                       24)},
  };
  for (const auto& [name, bytes] : diffs) write_seed("json_diff", name, bytes);
  // A PARTIAL_UPDATE_ROWS body (INT, JSON; the JSON column updated by a REPLACE diff).
  write_seed(
      "binlog_event", "handmade.PARTIAL_UPDATE_ROWS.body",
      std::string("\x00\x27\x01\x00\x00\x00\x00\x00\x00\x00\x02\x00\x02\x03\x03\x00\x07\x00\x00\x00"
                  "\x0d\x00\x00\x00\x00\x01\x00\x0c\x00\x0b\x00\x01\x00\x05\x01\x00\x61\x01\x01\x00"
                  "\x07\x00\x00\x00\x09\x00\x00\x00\x00\x03\x24\x2e\x61\x03\x05\x05\x00",
                  57));

  const MysqlPosition m{{"mysql-bin.000042", 1337}, "0-1-100,1-2-7", 3, 12};
  // A snapshot read up to a composite key, resumed once (two segments).
  const std::vector<Value> key{Value::int64(7), Value::string("k'7")};
  SnapshotPosition snap;
  snap.segments = {{"app_db", "items", "", MysqlPosition{{"mysql-bin.000041", 400}, "", 0, 0}},
                   {"app_db", "orders", snapshot::encode_key(key), m}};
  snap.db = "app_db";
  snap.table = "orders";
  snap.after_key = snapshot::encode_key(key);
  // Read by two connections: one split done, two under way (one of them not yet started).
  const Value split_at = Value::int64(5000), last = Value::int64(812);
  SnapshotPosition parallel;
  parallel.segments = snap.segments;
  parallel.db.clear();
  parallel.table.clear();
  parallel.after_key.clear();
  parallel.splits = {{"app_db", "orders", "", snapshot::encode_key({&split_at, 1}),
                      snapshot::encode_key({&last, 1})},
                     {"app_db", "orders", snapshot::encode_key({&split_at, 1}), "", ""}};
  const Position positions[] = {Position{}, DatagenPosition{99},
                                m,          PostgresPosition{Lsn{0x16B374D848}, Lsn{0x16B374D900}},
                                snap,       parallel};
  const char* const names[] = {"none",     "datagen",  "mysql",
                               "postgres", "snapshot", "snapshot_parallel"};
  write_seed("snapshot_key", "composite", snapshot::encode_key(key));
  for (size_t i = 0; i < std::size(positions); ++i) {
    write_seed("position", names[i], encode_position(positions[i]));
    write_seed("checkpoint", names[i],
               state::encode_checkpoint(CheckpointRecord{.id = 7 + i,
                                                         .position = positions[i],
                                                         .sink_state = i % 2 ? "kafka:txn=3" : "",
                                                         .wall_time_ms = 1700000000000}));
  }

  TableSchema s;
  s.id = {"app_db", "orders"};
  s.version = 3;
  Column id;
  id.name = "id";
  id.source_type = "bigint(20) unsigned";
  id.kind = ValueKind::uint64;
  id.nullable = false;
  id.is_unsigned = true;
  Column status;
  status.name = "status";
  status.source_type = "enum('new','paid')";
  status.kind = ValueKind::enum_label;
  status.charset = "utf8mb4";
  status.labels = {"new", "paid"};
  status.default_value = "new";
  Column amount;
  amount.name = "amount";
  amount.source_type = "decimal(10,2)";
  amount.kind = ValueKind::decimal;
  amount.precision = 10;
  amount.scale = 2;
  s.columns = {id, status, amount};
  s.primary_key = {0};
  write_seed("schema", "handmade.schema", state::encode_schema(s));
  write_seed("schema", "handmade.entry", state::encode_schema_entry(Position{m}, s));
  write_seed("schema", "handmade.empty", state::encode_schema(TableSchema()));
}

// pgoutput seeds: a flag byte (bit 0 in a stream, bit 1 CopyData framing) and a message: every
// hand-built sample, each also inside an XLogData, and the captured postgrex_wal messages.
void pgoutput_seeds(const fs::path& root) {
  for (const auto& m : postgres::testing::sample_messages()) {
    const char flag = m.in_stream ? 1 : 0;
    write_seed("pgoutput", m.name, std::string(1, flag) + m.bytes);
    const std::string xlog =
        postgres::testing::PgBytes('w').u64(0x16B3748).u64(0x16B4000).u64(1).raw(m.bytes).bytes();
    write_seed("pgoutput", m.name + ".xlogdata",
               std::string(1, static_cast<char>(flag | 2)) + xlog);
  }
  write_seed("pgoutput", "keepalive",
             "\x02" + postgres::testing::PgBytes('k').u64(0x16B4000).u64(1).u8(1).bytes());
  std::ifstream in(root / "tests/fixtures/postgres/postgrex_wal/insert.messages.json");
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string key = "\"hex\": \"";
  int n = 0;
  for (size_t at = json.find(key); at != std::string::npos; at = json.find(key, at + 1)) {
    const size_t start = at + key.size();
    const std::string hex = json.substr(start, json.find('"', start) - start);
    std::string bytes(1, '\0');
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    write_seed("pgoutput", "postgrex_insert_" + std::to_string(n++), bytes);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <repo root> <out dir>\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  g_out = argv[2];
  for (const char* f : kFixtures) binlog_seeds(root, f);
  handmade_seeds();
  pgoutput_seeds(root);
  for (const auto& [target, seeds] : g_seen) {
    std::printf("%-14s %zu seeds\n", target.c_str(), seeds.size());
  }
  return 0;
}
