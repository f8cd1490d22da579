// The statement-based events (statement_events.h): hand-built bodies of each type, field by
// field, with every truncated prefix refused; then the events of two captured binlogs that
// hold them (MariaDB 10.11 recorded here: tests/fixtures/mysql/mariadb-statement; MySQL 5.7.30
// from boxercrab: 14_user_var) with the values their mariadb-binlog decodes show.
#include "cdc/mysql/binlog/statement_events.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "cdc/mysql/binlog/binlog_event.h"
#include "cdc/mysql/binlog/event_type.h"
#include "tests/unit/mysql/binlog_bytes.h"
#include "tests/unit/mysql/binlog_test_util.h"

namespace cdc::mysql {
namespace {

using namespace testing;

const DecodeContext kCtx = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mariadb);

// Every prefix of `body` shorter than `required` is refused as truncated or malformed.
void refuses_prefixes(uint8_t type, const Bytes& body, size_t required) {
  for (size_t len = 0; len < required; ++len) {
    CAPTURE(len);
    auto r = decode_event_body(type, std::span(body).first(len), kCtx);
    REQUIRE_FALSE(r);
    CHECK((r.error().code == Errc::truncated || r.error().code == Errc::malformed));
  }
}

std::string text(std::span<const std::byte> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

TEST_CASE("INTVAR: kind and value; an unknown kind and every prefix refused") {
  Bytes body{std::byte{2}};
  put_int(body, 4, 8);
  auto r = decode_intvar(body, kCtx);
  REQUIRE(r);
  CHECK(r->kind == IntvarEvent::insert_id);
  CHECK(r->value == 4);
  refuses_prefixes(code(EventType::intvar), body, body.size());
  body[0] = std::byte{3};
  CHECK(decode_intvar(body, kCtx).error().message == "INTVAR of unknown kind 3");
  body.push_back(std::byte{0});
  CHECK_FALSE(decode_intvar(body, kCtx));  // trailing bytes
}

TEST_CASE("RAND: two seeds; every prefix refused") {
  Bytes body;
  put_int(body, 1056636113, 8);
  put_int(body, 596987212, 8);
  auto r = decode_rand(body, kCtx);
  REQUIRE(r);
  CHECK(r->seed1 == 1056636113);
  CHECK(r->seed2 == 596987212);
  refuses_prefixes(code(EventType::rand), body, body.size());
}

TEST_CASE("USER_VAR: string, NULL and unsigned INT values; every required prefix refused") {
  Bytes body;
  put_int(body, 3, 4);
  put_str(body, "who");
  body.push_back(std::byte{0});  // not NULL
  body.push_back(std::byte{0});  // STRING_RESULT
  put_int(body, 45, 4);          // utf8mb4_general_ci
  put_int(body, 3, 4);
  put_str(body, "ann");
  const size_t required = body.size();
  body.push_back(std::byte{0});  // flags
  auto r = decode_user_var(body, kCtx);
  REQUIRE(r);
  CHECK(r->name == "who");
  CHECK_FALSE(r->is_null);
  CHECK(r->value_type == 0);
  CHECK(r->charset == 45);
  CHECK(text(r->value) == "ann");
  refuses_prefixes(code(EventType::user_var), body, required);
  // Without the flags byte (servers before MySQL 5.6 / MariaDB 10.0) it is whole too.
  CHECK(decode_user_var(std::span(body).first(required), kCtx));

  Bytes null_var;
  put_int(null_var, 1, 4);
  put_str(null_var, "x");
  null_var.push_back(std::byte{1});
  auto n = decode_user_var(null_var, kCtx);
  REQUIRE(n);
  CHECK(n->is_null);
  CHECK(n->value.empty());
  refuses_prefixes(code(EventType::user_var), null_var, null_var.size());

  Bytes int_var;
  put_int(int_var, 1, 4);
  put_str(int_var, "u");
  int_var.push_back(std::byte{0});
  int_var.push_back(std::byte{2});  // INT_RESULT
  put_int(int_var, 63, 4);
  put_int(int_var, 8, 4);
  put_int(int_var, 18446744073709551615ULL, 8);
  int_var.push_back(std::byte{1});  // UNSIGNED_F
  auto u = decode_user_var(int_var, kCtx);
  REQUIRE(u);
  CHECK(u->value_type == 2);
  CHECK(u->value.size() == 8);
  CHECK(u->flags == 1);

  Bytes nameless;
  put_int(nameless, 0, 4);
  nameless.push_back(std::byte{1});
  CHECK(decode_user_var(nameless, kCtx).error().message == "USER_VAR without a variable name");
  Bytes huge_name;
  put_int(huge_name, 0xffffffff, 4);  // a length beyond the event
  huge_name.push_back(std::byte{1});
  CHECK(decode_user_var(huge_name, kCtx).error().code == Errc::truncated);
}

TEST_CASE("BEGIN_LOAD_QUERY, APPEND_BLOCK, DELETE_FILE: file id and block") {
  for (EventType t : {EventType::begin_load_query, EventType::append_block}) {
    Bytes body;
    put_int(body, 3, 4);
    put_str(body, "1,alpha\n");
    auto r = decode_load_block(code(t), body, kCtx);
    REQUIRE(r);
    CHECK(r->file_id == 3);
    CHECK(text(r->data) == "1,alpha\n");
    refuses_prefixes(code(t), body, 4);
  }
  Bytes del;
  put_int(del, 3, 4);
  auto d = decode_event_body(code(EventType::delete_file), del, kCtx);
  REQUIRE(d);
  CHECK(std::get<LoadBlockEvent>(*d).file_id == 3);
  refuses_prefixes(code(EventType::delete_file), del, del.size());
  del.push_back(std::byte{0});
  CHECK_FALSE(decode_event_body(code(EventType::delete_file), del, kCtx));
}

TEST_CASE("EXECUTE_LOAD_QUERY: the QUERY fields, the file id and the file name's place") {
  const std::string sql = "LOAD DATA INFILE '/tmp/SQL_LOAD-1-2' INTO TABLE `items`";
  const size_t name_at = sql.find('\'');
  Bytes body;
  put_int(body, 17, 4);          // thread id
  put_int(body, 0, 4);           // exec time
  body.push_back(std::byte{7});  // db length
  put_int(body, 0, 2);           // error code
  put_int(body, 0, 2);           // status variables length
  put_int(body, 2, 4);           // file id
  put_int(body, name_at, 4);
  put_int(body, name_at + 19, 4);
  body.push_back(std::byte{1});  // LOAD_DUP_IGNORE
  put_str(body, "stmt_fx");
  body.push_back(std::byte{0});
  put_str(body, sql);
  auto r = decode_execute_load_query(body, kCtx);
  REQUIRE_MESSAGE(r, r.error().to_string());
  CHECK(r->query.thread_id == 17);
  CHECK(r->query.db == "stmt_fx");
  CHECK(r->query.statement == sql);
  CHECK(r->file_id == 2);
  CHECK(r->query.statement.substr(r->fn_pos_start, r->fn_pos_end - r->fn_pos_start) ==
        "'/tmp/SQL_LOAD-1-2'");
  CHECK(r->dup_handling == 1);
  // A prefix that cuts the statement before the file name's end is refused too.
  refuses_prefixes(code(EventType::execute_load_query), body,
                   body.size() - sql.size() + name_at + 19);
}

// Every event of a captured file, decoded with the context its FORMAT_DESCRIPTION gives.
std::vector<BinlogEvent> decode_file(const Bytes& file) {
  std::vector<BinlogEvent> out;
  DecodeContext ctx = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mysql);
  for (const auto& raw : split_events(file)) {
    CAPTURE(raw.offset);
    auto ev = decode_event(raw.bytes, ctx);
    REQUIRE_MESSAGE(ev, ev.error().to_string());
    if (auto* fde = std::get_if<FormatDescriptionEvent>(&ev->body)) ctx = fde->to_context();
    out.push_back(std::move(*ev));
  }
  return out;
}

TEST_CASE("MariaDB 10.11 statement-based binlog: every event decodes, values as recorded") {
  const Bytes file = load_fixture("mysql/mariadb-statement/mysql-bin.000004");
  const auto events = decode_file(file);
  std::map<std::string, int> count;
  std::vector<uint64_t> insert_ids;
  std::vector<std::string> user_vars, loads, blocks;
  for (const auto& e : events) {
    ++count[std::string(event_type_name(e.header.type))];
    if (const auto* iv = std::get_if<IntvarEvent>(&e.body)) {
      insert_ids.push_back(iv->kind * 100 + iv->value);  // kind 1 LAST_INSERT_ID, 2 INSERT_ID
    } else if (const auto* rnd = std::get_if<RandEvent>(&e.body)) {
      CHECK(rnd->seed1 == 1056636113);
      CHECK(rnd->seed2 == 596987212);
    } else if (const auto* uv = std::get_if<UserVarEvent>(&e.body)) {
      user_vars.push_back(std::string(uv->name) + "=" + std::to_string(uv->value_type) + ":" +
                          std::to_string(uv->value.size()));
    } else if (const auto* lq = std::get_if<ExecuteLoadQueryEvent>(&e.body)) {
      loads.push_back(std::string(
          lq->query.statement.substr(lq->fn_pos_start, lq->fn_pos_end - lq->fn_pos_start)));
    } else if (const auto* lb = std::get_if<LoadBlockEvent>(&e.body)) {
      blocks.push_back(std::to_string(lb->file_id) + ":" + std::to_string(lb->data.size()));
    }
  }
  CHECK(count["INTVAR"] == 5);
  CHECK(count["RAND"] == 1);
  CHECK(count["USER_VAR"] == 2);
  CHECK(count["BEGIN_LOAD_QUERY"] == 2);
  CHECK(count["APPEND_BLOCK"] == 3);
  CHECK(count["EXECUTE_LOAD_QUERY"] == 2);
  // SET INSERT_ID=1, 2, 3; SET LAST_INSERT_ID=3, INSERT_ID=4 (mariadb-binlog's decode).
  CHECK(insert_ids == std::vector<uint64_t>{201, 202, 203, 103, 204});
  // @who = 'ann' a string, @n = 42 an INT (8 bytes), in the order the INSERT reads them.
  CHECK(user_vars == std::vector<std::string>{"who=0:3", "n=2:8"});
  // The statement keeps the client's file name; fn_pos_start/end span the clause around it
  // that mariadb-binlog rewrites to its own temporary file.
  CHECK(loads == std::vector<std::string>{" LOCAL INFILE '/tmp/rowimg-load.csv' IGNORE INTO",
                                          " LOCAL INFILE '/tmp/rowimg-big.csv' IGNORE INTO"});
  CHECK(blocks == std::vector<std::string>{"2:15", "3:4096", "3:4096", "3:4096", "3:812"});
}

TEST_CASE("MySQL 5.7 USER_VAR events (boxercrab 14_user_var)") {
  // The events view the file's bytes: they must outlive the loop.
  const auto file = load_fixture("mysql/boxercrab/14_user_var/log.bin");
  const auto events = decode_file(file);
  std::vector<std::string> vars;
  for (const auto& e : events) {
    if (const auto* uv = std::get_if<UserVarEvent>(&e.body)) {
      vars.push_back(std::string(uv->name) + " type " + std::to_string(uv->value_type) +
                     " charset " + std::to_string(uv->charset) + " " +
                     std::to_string(uv->value.size()) + " bytes");
      if (uv->name == "val_s") CHECK(text(uv->value) == "test blog");
    }
  }
  // sql.sql: SET @val_s := "test blog"; @val_i := 100; @val_d := 1.00 (DECIMAL: precision,
  // scale, then the binary decimal).
  CHECK(vars.size() == 3);
  CHECK(vars[0].starts_with("val_s type 0 charset "));
  CHECK(vars[1] == "val_i type 2 charset 33 8 bytes");
  CHECK(vars[2].starts_with("val_d type 4 "));
}

}  // namespace
}  // namespace cdc::mysql
