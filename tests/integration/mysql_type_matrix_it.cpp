// The type matrix on the real MariaDB 10.11: every column type the server has, each with its
// edge values (min, max, zero, NULL, unsigned max, 65-digit decimals, fsp 0..6, negative TIME,
// 4-byte UTF-8, latin1, empty and 16 MB blobs, nested JSON, every ENUM/SET label, BIT(64) all
// ones), inserted, updated and deleted, streamed by MysqlSource and compared value by value
// with what the server itself returns for a SELECT of the same rows.
//
// The comparison renders each binlog Value the way the server prints it (the text protocol)
// and asks the server for a form that is exact where its default text is not. Per-type rules:
//   integers, YEAR (4 digits), DECIMAL (all scale digits), strings (UTF-8; the server converts
//   latin1 etc. to the utf8mb4 connection charset as sluice's decoder does), JSON text,
//   ENUM/SET labels, DATE/TIME/DATETIME (append_date/time/datetime of value_json.h, the
//   renderers every encoder uses), TIMESTAMP (append_timestamp in UTC; session time_zone +00:00):
//   the server's own text, byte for byte.
//   FLOAT: the server prints 6 significant digits; it is asked for CAST(f AS DOUBLE) (17
//   digits of the widened float) and both sides are compared as doubles. DOUBLE: shortest
//   round-trip text, compared as doubles (so -0.0 equals the server's "0").
//   binary strings, BLOBs: HEX(col) against the hex of the bytes. BIT: col+0 (the number).
//   ENUM/SET: the label text and col+0 (index / bitmap).
//   GEOMETRY: HEX(ST_AsBinary(col)) against the WKB, ST_SRID(col) against the SRID and
//   ST_AsText(col) against sluice's WKT of the WKB (wkb_to_wkt, geometry.format: wkt).
//   UUID, INET6, INET4: the binlog carries only the stored bytes (TABLE_MAP names no data type
//   plugin), so sluice emits bytes; compared with HEX of the stored form.
#include <doctest/doctest.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cdc/core/json/value_json.h"
#include "cdc/core/wkb_to_wkt.h"
#include "cdc/mysql/mysql_source.h"
#include "tests/integration/type_matrix_columns.h"
#include "tests/support/collect_events.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/mysql_source_options.h"

namespace cdc::mysql {
namespace {

using cdc::testing::collect;
using cdc::testing::Collected;
using cdc::testing::MariaDbSession;
using Text = std::optional<std::string>;

std::string hex(std::string_view bytes) {
  static const char* const kDigits = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
  return s;
}

std::string real_text(double d) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", d == 0 ? 0.0 : d);
  return buf;
}

// The binlog Value as the server would print it for `render` (see the file comment).
Text render(const Value& v, Render how) {
  if (v.is_null()) return std::nullopt;
  std::string out;
  switch (how) {
    case Render::hex:
      return v.kind == ValueKind::bytes || v.kind == ValueKind::geometry
                 ? hex(v.text)
                 : "<" + std::string(to_string(v.kind)) + " is not bytes>";
    case Render::real: return real_text(v.d);
    case Render::number:
      switch (v.kind) {
        case ValueKind::bit:
        case ValueKind::enum_label:
        case ValueKind::set_labels: return std::to_string(v.u);
        default: return "<" + std::string(to_string(v.kind)) + " has no number>";
      }
    case Render::label: return std::string(v.text);
    case Render::geometry_srid:
      return v.kind == ValueKind::geometry ? std::to_string(v.aux) : "<not a geometry>";
    case Render::wkt: {
      if (v.kind != ValueKind::geometry) return "<not a geometry>";
      if (Status st = wkb_to_wkt(v.text, out); !st) return "<" + st.error().to_string() + ">";
      return out;
    }
    case Render::server_text: break;
  }
  switch (v.kind) {
    case ValueKind::boolean:
    case ValueKind::int64: return std::to_string(v.i);
    case ValueKind::uint64: return std::to_string(v.u);
    case ValueKind::year: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%04" PRId64, v.i);
      return buf;
    }
    case ValueKind::decimal:
    case ValueKind::string:
    case ValueKind::json:
    case ValueKind::enum_label:
    case ValueKind::set_labels: return std::string(v.text);
    case ValueKind::date: json::append_date(out, v.i); return out;
    case ValueKind::time: json::append_time(out, v.i, v.fsp); return out;
    case ValueKind::datetime: json::append_datetime(out, v.i, v.aux, v.fsp, ' '); return out;
    case ValueKind::timestamp: json::append_timestamp(out, v.i, v.fsp, ' ', false); return out;
    default: return "<" + std::string(to_string(v.kind)) + " has no server text>";
  }
}

// The server's answer normalised for `render`: REAL is parsed and reprinted; a number the
// server printed negative is a 64-bit SET bitmap that `col+0` gives as a signed BIGINT (MariaDB
// prints SET('m1'..'m64') with every member as -1), reinterpreted as unsigned.
Text normalise(const Text& server, Render how) {
  if (!server) return server;
  if (how == Render::real) return real_text(std::strtod(server->c_str(), nullptr));
  if (how == Render::number && server->starts_with("-")) {
    return std::to_string(static_cast<uint64_t>(std::stoll(*server)));
  }
  return server;
}

// The server's rows of the table keyed by id: one text per (column, check), in matrix order.
using Snapshot = std::map<int64_t, std::vector<Text>>;

Snapshot snapshot(MariaDbSession& sql, const std::vector<ColumnSpec>& cols) {
  std::string q = "SELECT id";
  for (const auto& c : cols) {
    for (const auto& ch : c.checks) q += ", " + replace_all(ch.expr, "{}", "`" + c.name + "`");
  }
  q += " FROM sluice_it.matrix ORDER BY id";
  Snapshot out;
  for (auto& row : sql.query(q)) {
    const int64_t id = std::stoll(*row[0]);
    row.erase(row.begin());
    out[id] = std::move(row);
  }
  return out;
}

// Compares one row image with the server's row, every column and check; counts comparisons and
// appends sluice's rendering of each value to `rendered`.
void compare_row(const RowImage& image, const TableSchema& schema, const std::vector<Text>& server,
                 const std::vector<ColumnSpec>& cols, const std::string& what, size_t& compared,
                 std::vector<Text>& rendered) {
  REQUIRE(image.present);
  size_t k = 0;
  for (const auto& c : cols) {
    const auto idx = schema.column_index(c.name);
    REQUIRE_MESSAGE(idx, c.name);
    const Value& v = image[*idx];
    for (const auto& ch : c.checks) {
      INFO(what << " column " << c.name << " (" << c.type << ") check " << ch.expr << " kind "
                << to_string(v.kind));
      const Text want = normalise(server[k++], ch.render);
      const Text got = render(v, ch.render);
      rendered.push_back(got);
      if (want && got && want->size() > 200) {
        CHECK(want->size() == got->size());
        CHECK((*want == *got));
      } else {
        CHECK_MESSAGE(want == got,
                      "server " << want.value_or("NULL") << " binlog " << got.value_or("NULL"));
      }
      ++compared;
    }
  }
}

void prepare_session(MariaDbSession& sql) {
  sql.run("SET time_zone = '+00:00'");
  // Strict, but zero dates allowed: they are edge values of the matrix.
  sql.run("SET sql_mode = 'STRICT_ALL_TABLES'");
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_it");
}

// Runs the matrix once: creates the table, streams inserts, updates and deletes, compares every
// value with the server's; returns sluice's renderings in event order (with the schema's column
// names and source types first), so two runs can be compared whole.
// `table_first`: the table exists when the source opens (the schema history reads it from
// information_schema); else the source opens first and learns it from the CREATE TABLE.
std::vector<Text> run_matrix(uint32_t server_id, const std::string& pipeline,
                             bool table_first = true) {
  std::vector<Text> rendered;
  MariaDbSession sql;
  prepare_session(sql);
  const auto cols = matrix();
  std::string ddl = "CREATE TABLE sluice_it.matrix (id INT NOT NULL PRIMARY KEY";
  for (const auto& c : cols) ddl += ", `" + c.name + "` " + c.type;
  ddl += ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
  auto opts = cdc::testing::services_mysql_source_options(server_id, pipeline);
  opts.table_include = {"sluice_it\\.matrix"};
  MysqlSource src(opts);
  if (!table_first) {
    sql.run("DROP TABLE IF EXISTS sluice_it.matrix");
    REQUIRE_MESSAGE(src.open(Position{}), "open");
  }
  sql.run("DROP TABLE IF EXISTS sluice_it.matrix");
  sql.run(ddl);
  if (table_first) REQUIRE_MESSAGE(src.open(Position{}), "open");

  for (size_t set = 0; set < kValueSets; ++set) {
    std::string q = "INSERT INTO sluice_it.matrix VALUES (" + std::to_string(set);
    for (const auto& c : cols) q += ", " + c.values[set];
    sql.run(q + ")");
  }
  const Snapshot inserted = snapshot(sql, cols);
  REQUIRE(inserted.size() == kValueSets);
  for (size_t set = 0; set < kValueSets; ++set) {
    std::string q = "UPDATE sluice_it.matrix SET ";
    for (size_t ci = 0; ci < cols.size(); ++ci) {
      q += (ci ? ", `" : "`") + cols[ci].name + "` = " + cols[ci].values[kUpdateTo[set]];
    }
    sql.run(q + " WHERE id = " + std::to_string(set));
  }
  const Snapshot updated = snapshot(sql, cols);
  sql.run("DELETE FROM sluice_it.matrix");

  Collected got;
  collect(src, got, 3 * kValueSets, "matrix", std::chrono::seconds(30), /*rows_only=*/true);
  size_t compared = 0;
  for (size_t k = 0; k < got.events.size(); ++k) {
    const ChangeEvent& e = *got.events[k];
    const auto& schema = *e.schema;
    if (k < kValueSets) {
      REQUIRE(e.op == Op::insert);
      const int64_t id = e.after[0].i;
      CHECK(id == static_cast<int64_t>(k));
      compare_row(e.after, schema, inserted.at(id), cols, "insert id " + std::to_string(id),
                  compared, rendered);
    } else if (k < 2 * kValueSets) {
      REQUIRE(e.op == Op::update);
      const int64_t id = e.after[0].i;
      compare_row(e.before, schema, inserted.at(id), cols, "update before id " + std::to_string(id),
                  compared, rendered);
      compare_row(e.after, schema, updated.at(id), cols, "update after id " + std::to_string(id),
                  compared, rendered);
    } else {
      REQUIRE(e.op == Op::erase);
      const int64_t id = e.before[0].i;
      compare_row(e.before, schema, updated.at(id), cols, "delete id " + std::to_string(id),
                  compared, rendered);
    }
  }
  size_t checks_per_row = 0;
  for (const auto& c : cols) checks_per_row += c.checks.size();
  CHECK(compared == 4 * kValueSets * checks_per_row);
  MESSAGE("columns: " << cols.size() << ", values compared: " << compared);
  REQUIRE(!got.events.empty());
  const TableSchema& schema = *got.events.front()->schema;
  for (const auto& c : schema.columns) {
    rendered.push_back(c.name + " " + c.source_type + " " + c.charset + " " +
                       std::string(to_string(c.kind)));
  }
  rendered.push_back("primary key " + std::to_string(schema.primary_key.size()));
  src.close();
  return rendered;
}

TEST_CASE(
    "every MariaDB column type: binlog values equal the server's SELECT, insert/update/delete") {
  run_matrix(54101, "matrix");
}

// binlog_row_metadata=MINIMAL (MySQL 8's default): the TABLE_MAP carries types, signedness,
// charsets and geometry types but no names, ENUM/SET labels or key; the schema history supplies
// them, here from the binlog's CREATE TABLE (MariaDB's information_schema prints ENUM labels
// outside the BMP as '?', its metadata being utf8mb3; README says so). The matrix must come out
// exactly as with FULL.
TEST_CASE("every MariaDB column type with binlog_row_metadata=MINIMAL: identical to FULL") {
  const std::vector<Text> full = run_matrix(54103, "matrix-full");
  MariaDbSession root(MariaDbSession::As::root);
  REQUIRE(root.query("SELECT @@global.binlog_row_metadata")[0][0] == "FULL");
  root.run("SET GLOBAL binlog_row_metadata = MINIMAL");
  struct Restore {
    MariaDbSession& root;
    ~Restore() { root.run("SET GLOBAL binlog_row_metadata = FULL"); }
  } restore{root};
  const std::vector<Text> minimal = run_matrix(54104, "matrix-minimal", /*table_first=*/false);
  REQUIRE(full.size() == minimal.size());
  size_t differ = 0;
  for (size_t k = 0; k < full.size(); ++k) {
    if (full[k] != minimal[k]) {
      if (++differ <= 5) {
        MESSAGE("value " << k << ": FULL " << full[k].value_or("NULL").substr(0, 120) << " MINIMAL "
                         << minimal[k].value_or("NULL").substr(0, 120));
      }
    }
  }
  CHECK(differ == 0);
  MESSAGE("values compared FULL against MINIMAL: " << full.size());
}

TEST_CASE("16 MB BLOB and TEXT values stream whole: insert, update, delete") {
  MariaDbSession sql;
  prepare_session(sql);
  sql.run("DROP TABLE IF EXISTS sluice_it.big");
  sql.run(
      "CREATE TABLE sluice_it.big (id INT PRIMARY KEY, lb LONGBLOB, lt LONGTEXT) ENGINE=InnoDB");
  auto opts = cdc::testing::services_mysql_source_options(54102, "matrix-big");
  opts.table_include = {"sluice_it\\.big"};
  MysqlSource src(opts);
  REQUIRE(src.open(Position{}));
  constexpr size_t k16M = 16u << 20;
  // 16 MiB + 1: the row event exceeds one 16 MiB protocol packet (0xFFFFFF), so the stream
  // must reassemble continuation packets.
  sql.run("INSERT INTO sluice_it.big VALUES (1, CONCAT(REPEAT(x'A5', " + std::to_string(k16M) +
          "), x'00'), REPEAT('\xC3\xA9', 8 * 1024 * 1024))");
  sql.run("UPDATE sluice_it.big SET lb = REPEAT(x'5A', " + std::to_string(k16M) +
          "), lt = '' WHERE id = 1");
  sql.run("DELETE FROM sluice_it.big WHERE id = 1");
  Collected got;
  collect(src, got, 3, "big", std::chrono::seconds(30));
  const std::string first = std::string(k16M, '\xA5') + std::string(1, '\0');
  const std::string second(k16M, '\x5A');
  std::string e_acute;
  for (int k = 0; k < 8 * 1024 * 1024; ++k) e_acute += "\xC3\xA9";
  const auto& ins = *got.events[0];
  CHECK(ins.op == Op::insert);
  CHECK(ins.after[1].kind == ValueKind::bytes);
  CHECK(ins.after[1].text.size() == k16M + 1);
  CHECK((ins.after[1].text == first));
  CHECK(ins.after[2].kind == ValueKind::string);
  CHECK(ins.after[2].text.size() == k16M);
  CHECK((ins.after[2].text == e_acute));
  const auto& upd = *got.events[1];
  CHECK(upd.op == Op::update);
  CHECK((upd.before[1].text == first));
  CHECK((upd.after[1].text == second));
  CHECK(upd.after[2] == Value::string(""));
  const auto& del = *got.events[2];
  CHECK(del.op == Op::erase);
  CHECK((del.before[1].text == second));
  src.close();
}

}  // namespace
}  // namespace cdc::mysql
