// The character-set matrix on the real MariaDB 10.11: one table per character set the server
// has (information_schema.CHARACTER_SETS, binary aside), each with CHAR, VARCHAR, TEXT, ENUM and
// SET columns in that charset, holding text outside ASCII that the charset can represent (the
// server decides: every candidate below that survives CONVERT to the charset and back is used,
// so CJK charsets get CJK, Cyrillic ones Cyrillic, the Unicode ones all of it). Rows are
// inserted, updated and deleted while MysqlSource streams; every value of every image must equal
// the server's CONVERT(col USING utf8mb4) of the same row, byte for byte; and so must every
// value `sluice binlog` prints from the binlog file the server wrote. Also: a byte the
// charset does not define (cp1250 0x81, which the server stores without complaint) stops the
// source naming the table and the column, or becomes U+FFFD with charset.invalid: replace.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <simdjson.h>

#include "cdc/mysql/mysql_source.h"
#include "tests/support/child_process.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/mysql_source_options.h"
#include "tests/support/services_env.h"

namespace cdc::mysql {
namespace {

using cdc::testing::MariaDbSession;
using Text = std::optional<std::string>;

// Text in many scripts; each charset gets the ones it can represent.
const std::vector<std::string> kCandidates = {
    "圖形碼", "中文字", "简体", "日本語", "ｱｲｳ",  "한국어",  "Привет",   "Ґанок",
    "Łódź",   "Ελλάδα", "שלום", "ไทย",    "سلام", "Ąžuolas", "İstanbul", "Café",
    "Ñandú",  "Čá",     "ახ",   "Աո",     "Äå",   "€",       "😀",        "plain",
};

const char* const kKinds[] = {"c", "v", "t", "e", "s"};

// A quoted literal (the session's character set is utf8mb4).
std::string quoted(const std::string& utf8) {
  std::string out = "'";
  for (char c : utf8) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// The same as an expression that is utf8mb4 whatever the session says (not allowed in DDL).
std::string sql_text(const std::string& utf8) { return "_utf8mb4" + quoted(utf8); }

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

struct CharsetTable {
  std::string charset;
  std::string table;                // cs_<charset>
  std::vector<std::string> pieces;  // candidates the charset represents
  std::string text1;
  std::string text2;
};

CharsetTable plan(MariaDbSession& sql, const std::string& charset) {
  std::string q = "SELECT ";
  for (size_t i = 0; i < kCandidates.size(); ++i) {
    const std::string lit = sql_text(kCandidates[i]);
    q += (i ? ", " : "") + std::string("CONVERT(CONVERT(") + lit + " USING " + charset +
         ") USING utf8mb4) = " + lit + " COLLATE utf8mb4_bin";
  }
  const auto rows = sql.query(q);
  REQUIRE(rows.size() == 1);
  CharsetTable t{charset, "cs_" + charset, {}, {}, {}};
  bool non_ascii = false;
  for (size_t i = 0; i < kCandidates.size(); ++i) {
    if (rows[0][i] && *rows[0][i] == "1") {
      t.pieces.push_back(kCandidates[i]);
      for (unsigned char ch : kCandidates[i]) non_ascii |= ch >= 0x80;
    }
  }
  INFO("charset " << charset << " represents: " << join(t.pieces, " "));
  CHECK((non_ascii || charset == "ascii"));
  REQUIRE(!t.pieces.empty());
  t.text1 = join(t.pieces, " ");
  std::vector<std::string> reversed(t.pieces.rbegin(), t.pieces.rend());
  t.text2 = join(reversed, "-") + "!";
  return t;
}

void create(MariaDbSession& sql, const CharsetTable& t) {
  std::string set_members;
  for (const auto& p : t.pieces) set_members += (set_members.empty() ? "" : ",") + quoted(p);
  sql.run("DROP TABLE IF EXISTS sluice_it." + t.table);
  sql.run("CREATE TABLE sluice_it." + t.table +
          " (id INT PRIMARY KEY, c CHAR(200), v VARCHAR(300), t TEXT, e ENUM(" + quoted(t.text1) +
          ", " + quoted(t.text2) + "), s SET(" + set_members +
          ")) ENGINE=InnoDB DEFAULT CHARSET=" + t.charset);
}

std::string values(const std::string& text, const std::string& set_value) {
  const std::string lit = sql_text(text);
  return lit + ", " + lit + ", " + lit + ", " + lit + ", " + sql_text(set_value);
}

// The server's rows of one table, keyed by id: CONVERT(col USING utf8mb4) per column kind.
using Snapshot = std::map<int64_t, std::vector<Text>>;

Snapshot snapshot(MariaDbSession& sql, const CharsetTable& t) {
  std::string q = "SELECT id";
  for (const char* k : kKinds) q += std::string(", CONVERT(") + k + " USING utf8mb4)";
  Snapshot out;
  for (auto& row : sql.query(q + " FROM sluice_it." + t.table + " ORDER BY id")) {
    const int64_t id = std::stoll(*row[0]);
    row.erase(row.begin());
    out[id] = std::move(row);
  }
  return out;
}

size_t compare(const RowImage& image, const std::vector<Text>& server, const std::string& what) {
  REQUIRE(image.present);
  size_t compared = 0;
  for (size_t k = 0; k < 5; ++k) {
    const Value& v = image[k + 1];
    INFO(what << " column " << kKinds[k] << " kind " << to_string(v.kind));
    CHECK(v.kind != ValueKind::bytes);
    const Text got = v.is_null() ? Text() : Text(std::string(v.text));
    CHECK_MESSAGE(got == server[k],
                  "server " << server[k].value_or("NULL") << " sluice " << got.value_or("NULL"));
    ++compared;
  }
  return compared;
}

struct Polled {
  std::vector<std::unique_ptr<Batch>> batches;
  std::map<std::string, std::vector<const ChangeEvent*>> by_table;
  size_t count = 0;
};

void poll_until(MysqlSource& src, Polled& out, size_t n, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.count < n && std::chrono::steady_clock::now() < deadline) {
    auto b = src.poll(std::chrono::milliseconds(200));
    REQUIRE_MESSAGE(b, (b ? std::string() : b.error().to_string()));
    if (!*b) continue;
    for (const auto& e : (*b)->events) {
      if (e.op == Op::schema_change || !e.schema->id.table.starts_with("cs_")) continue;
      out.by_table[e.schema->id.table].push_back(&e);
      ++out.count;
    }
    out.batches.push_back(std::move(*b));
  }
  REQUIRE(out.count == n);
}

// One row image of `sluice binlog`'s debezium-json: the five text columns (null as nullopt).
std::vector<Text> json_image(simdjson::dom::element image) {
  std::vector<Text> out;
  for (const char* k : kKinds) {
    simdjson::dom::element v;
    REQUIRE(image[k].get(v) == simdjson::SUCCESS);
    if (v.is_null()) {
      out.emplace_back();
    } else {
      std::string_view text;
      REQUIRE(v.get_string().get(text) == simdjson::SUCCESS);
      out.emplace_back(std::string(text));
    }
  }
  return out;
}

TEST_CASE(
    "every MariaDB character set: text equals CONVERT(col USING utf8mb4), "
    "insert/update/delete") {
  MariaDbSession root(MariaDbSession::As::root);
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_it");
  std::vector<CharsetTable> tables;
  for (const auto& row : sql.query("SELECT CHARACTER_SET_NAME FROM "
                                   "information_schema.CHARACTER_SETS WHERE CHARACTER_SET_NAME "
                                   "<> 'binary' ORDER BY 1")) {
    tables.push_back(plan(sql, *row[0]));
  }
  REQUIRE(tables.size() == 39);  // MariaDB 10.11: SHOW CHARACTER SET has 40 rows, binary aside
  for (const auto& t : tables) create(sql, t);

  auto opts = cdc::testing::services_mysql_source_options(54111, "charset-matrix");
  opts.table_include = {"sluice_it\\.cs_.*"};
  MysqlSource src(opts);
  REQUIRE_MESSAGE(src.open(Position{}), "open");

  root.run("FLUSH BINARY LOGS");  // a fresh file holds every row event of the test
  const auto start = root.query("SHOW MASTER STATUS");
  REQUIRE(start.size() == 1);
  std::map<std::string, Snapshot> inserted, updated;
  for (const auto& t : tables) {
    const std::string into = "INSERT INTO sluice_it." + t.table + " VALUES ";
    sql.run(into + "(1, " + values(t.text1, join(t.pieces, ",")) + "), (2, " +
            values(t.text2, t.pieces.front()) + ")");
    inserted[t.table] = snapshot(sql, t);
    sql.run("UPDATE sluice_it." + t.table + " SET c = " + sql_text(t.text2) +
            ", v = " + sql_text(t.text2) + ", t = " + sql_text(t.text2) +
            ", e = " + sql_text(t.text2) + ", s = " + sql_text(t.pieces.back()) + " WHERE id = 1");
    sql.run("UPDATE sluice_it." + t.table + " SET c = '', v = NULL, t = " + sql_text(t.text1) +
            ", e = " + sql_text(t.text1) + ", s = '' WHERE id = 2");
    updated[t.table] = snapshot(sql, t);
    sql.run("DELETE FROM sluice_it." + t.table);
  }

  const auto end = root.query("SHOW MASTER STATUS");
  root.run("FLUSH BINARY LOGS");  // closes the file: complete on disk for sluice binlog
  const auto base = root.query("SELECT @@log_bin_basename");
  const std::string path = base[0][0]->substr(0, base[0][0]->rfind('/') + 1) + *start[0][0];

  Polled got;
  poll_until(src, got, tables.size() * 6, std::chrono::seconds(60));
  size_t compared = 0;
  for (const auto& t : tables) {
    INFO("charset " << t.charset);
    const auto& ev = got.by_table[t.table];
    REQUIRE(ev.size() == 6);
    for (size_t k = 0; k < 2; ++k) {
      REQUIRE(ev[k]->op == Op::insert);
      const int64_t id = ev[k]->after[0].i;
      compared += compare(ev[k]->after, inserted[t.table].at(id), "insert " + std::to_string(id));
    }
    for (size_t k = 2; k < 4; ++k) {
      REQUIRE(ev[k]->op == Op::update);
      const int64_t id = ev[k]->after[0].i;
      compared += compare(ev[k]->before, inserted[t.table].at(id), "update before");
      compared += compare(ev[k]->after, updated[t.table].at(id), "update after");
    }
    for (size_t k = 4; k < 6; ++k) {
      REQUIRE(ev[k]->op == Op::erase);
      const int64_t id = ev[k]->before[0].i;
      compared += compare(ev[k]->before, updated[t.table].at(id), "delete");
    }
    CHECK(ev[0]->schema->columns[1].charset == t.charset);
  }
  CHECK(compared == tables.size() * 8 * 5);
  MESSAGE("charsets: " << tables.size() << ", values compared: " << compared);
  src.close();

  // The same from the file: `sluice binlog` (debezium-json lines, one per row).
  auto r = cdc::testing::run_command({cdc::testing::sluice_binary(), "binlog", "--start-position",
                                      *start[0][1], "--stop-position", *end[0][1], path},
                                     std::chrono::seconds(60));
  CHECK(r.err == "");
  REQUIRE(r.exit_code == 0);
  std::map<std::string, std::vector<std::pair<std::string, simdjson::dom::element>>> lines;
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers;  // each keeps its document
  size_t pos = 0;
  while (pos < r.out.size()) {
    const size_t nl = r.out.find('\n', pos);
    const std::string line = r.out.substr(pos, nl - pos);
    pos = nl == std::string::npos ? r.out.size() : nl + 1;
    parsers.push_back(std::make_unique<simdjson::dom::parser>());
    simdjson::dom::element doc;
    REQUIRE(parsers.back()->parse(line).get(doc) == simdjson::SUCCESS);
    std::string_view table, op;
    REQUIRE(doc["source"]["table"].get_string().get(table) == simdjson::SUCCESS);
    REQUIRE(doc["op"].get_string().get(op) == simdjson::SUCCESS);
    lines[std::string(table)].emplace_back(std::string(op), doc);
  }
  size_t from_file = 0;
  for (const auto& t : tables) {
    INFO("sluice binlog, charset " << t.charset);
    const auto& ev = lines[t.table];
    REQUIRE(ev.size() == 6);
    for (size_t k = 0; k < 6; ++k) {
      const auto& [op, doc] = ev[k];
      CHECK(op == (k < 2 ? "c" : k < 4 ? "u" : "d"));
      simdjson::dom::element image;
      REQUIRE(doc[k < 4 ? "after" : "before"].get(image) == simdjson::SUCCESS);
      int64_t id = 0;
      REQUIRE(image["id"].get_int64().get(id) == simdjson::SUCCESS);
      CHECK(json_image(image) == (k < 2 ? inserted : updated)[t.table].at(id));
      from_file += 5;
      if (k >= 2 && k < 4) {
        simdjson::dom::element before;
        REQUIRE(doc["before"].get(before) == simdjson::SUCCESS);
        CHECK(json_image(before) == inserted[t.table].at(id));
        from_file += 5;
      }
    }
  }
  CHECK(from_file == tables.size() * 8 * 5);
  MESSAGE("values compared from sluice binlog: " << from_file);
}

TEST_CASE("a byte the column's charset does not define stops the source naming the column") {
  MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS sluice_it");
  sql.run("DROP TABLE IF EXISTS sluice_it.cs_invalid");
  sql.run(
      "CREATE TABLE sluice_it.cs_invalid (id INT PRIMARY KEY, "
      "c VARCHAR(10) CHARACTER SET cp1250) ENGINE=InnoDB");

  auto opts = cdc::testing::services_mysql_source_options(54112, "charset-invalid");
  opts.table_include = {"sluice_it\\.cs_invalid"};
  MysqlSource failing(opts);
  REQUIRE(failing.open(Position{}));
  opts.server_id = {54113, 54113};
  opts.charset_invalid = CharsetInvalid::replace;
  MysqlSource replacing(opts);
  REQUIRE(replacing.open(Position{}));

  // cp1250 leaves 0x81 undefined; the server stores it (8-bit charsets are not checked) and
  // its own CONVERT shows '?'.
  sql.run(
      "INSERT INTO sluice_it.cs_invalid VALUES (1, CAST(x'41814C' AS CHAR CHARACTER SET "
      "cp1250))");
  REQUIRE(sql.query("SELECT HEX(c) FROM sluice_it.cs_invalid")[0][0] == "41814C");

  std::optional<Error> error;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!error && std::chrono::steady_clock::now() < deadline) {
    auto b = failing.poll(std::chrono::milliseconds(200));
    if (!b) error = b.error();
  }
  REQUIRE(error);
  CHECK(error->code == Errc::malformed);
  INFO(error->message);
  CHECK(error->message.find("sluice_it.cs_invalid") != std::string::npos);
  CHECK(error->message.find("column 2 (c): invalid cp1250 byte sequence at byte 1 of 3 (81 4C)") !=
        std::string::npos);
  failing.close();

  Polled got;
  poll_until(replacing, got, 1, std::chrono::seconds(15));
  const auto& e = *got.by_table["cs_invalid"][0];
  CHECK(e.after[1] == Value::string("A\xEF\xBF\xBDL"));
  replacing.close();
}

}  // namespace
}  // namespace cdc::mysql
