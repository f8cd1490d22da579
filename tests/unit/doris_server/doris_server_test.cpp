#include "tests/fakes/doris/doris_server.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

using namespace cdc::testing::doris;

namespace {

constexpr const char* kAuth = "Basic cm9vdDpwdw==";  // root:pw

struct Fixture {
  // Without a data dir; with one, the state it holds is replayed instead of the table made.
  explicit Fixture(const std::string& data_dir = "") {
    if (!data_dir.empty()) {
      const auto opened = server.open_data_dir(data_dir);
      REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message));
      if (server.catalog_for_test().database("db") != nullptr) return;
      // Journaled, as the sink makes its databases.
      const std::string body = "{\"stmt\":\"CREATE DATABASE db\"}";
      server.handle(Port::fe,
                    request("POST", "/api/query/default_cluster/information_schema", {}, body));
    }
    server.catalog_for_test().ensure_database("db");
    sql("CREATE TABLE t (id INT NOT NULL, v VARCHAR(4)) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) "
        "BUCKETS 1");
  }

  DorisServer server{[] {
    ServerOptions o;
    o.password = "pw";
    o.be_port = 8040;
    o.precommit_timeout = std::chrono::milliseconds(200);
    o.publish_delay = std::chrono::milliseconds(100);
    o.group_commit_interval = std::chrono::milliseconds(200);
    return o;
  }()};

  static HttpRequest request(std::string method, std::string target,
                             std::map<std::string, std::string> headers = {},
                             std::string body = "") {
    HttpRequest r;
    r.method = std::move(method);
    split_target(target, r);
    r.headers = std::move(headers);
    if (!r.headers.contains("authorization")) r.headers["authorization"] = kAuth;
    r.body = std::move(body);
    return r;
  }

  // A Stream Load on the BE port; returns the response's JSON text.
  std::string load(std::map<std::string, std::string> headers, std::string body,
                   const std::string& table = "t") {
    headers.emplace("format", "json");
    headers.emplace("read_json_by_line", "true");
    if (!headers.contains("transfer-encoding")) {
      headers.emplace("content-length", std::to_string(body.size()));
    }
    const HttpRequest r =
        request("PUT", "/api/db/" + table + "/_stream_load", std::move(headers), std::move(body));
    REQUIRE_FALSE(server.on_head(Port::be, r));
    return server.handle(Port::be, r).response.body;
  }
  std::string two_pc(std::map<std::string, std::string> headers) {
    const HttpRequest r = request("PUT", "/api/db/_stream_load_2pc", std::move(headers));
    return server.handle(Port::be, r).response.body;
  }
  std::string state(const std::string& label) {
    return server.handle(Port::fe, request("GET", "/api/db/get_load_state?label=" + label))
        .response.body;
  }
  std::string sql(const std::string& stmt) {
    std::string body = "{\"stmt\":\"" + stmt + "\"}";
    return server.handle(Port::fe, request("POST", "/api/query/default_cluster/db", {}, body))
        .response.body;
  }
  std::string rows(const std::string& table = "t") {
    const std::string out = sql("SELECT * FROM " + table + " ORDER BY id");
    const size_t at = out.find("\"data\":[", out.find("\"meta\""));
    return out.substr(at + 7, out.find("],\"status\"") - at - 6);
  }
};

std::string field(const std::string& json, const char* name) {
  simdjson::dom::parser p;
  auto e = p.parse(json)[name];
  if (e.error()) return "<missing>";
  if (e.is_string()) return std::string(std::string_view(e.get_string()));
  return simdjson::minify(e.value());
}

}  // namespace

TEST_CASE("doris server: the FE redirects loads to the BE and both refuse missing credentials") {
  Fixture f;
  HttpRequest r = Fixture::request("PUT", "/api/db/t/_stream_load", {{"expect", "100-continue"}});
  auto early = f.server.on_head(Port::fe, r);
  REQUIRE(early);
  CHECK(early->response.status == 307);
  CHECK(early->response.headers.at(0) ==
        std::pair<std::string, std::string>{"Location",
                                            "http://127.0.0.1:8040/api/db/t/_stream_load"});
  // A client that does not send the credentials again after the redirect fails at the BE.
  r.headers.erase("authorization");
  early = f.server.on_head(Port::be, r);
  REQUIRE(early);
  CHECK(field(early->response.body, "Message") == "no valid Basic authorization");
  early = f.server.on_head(Port::fe, r);
  REQUIRE(early);
  CHECK(early->response.status == 401);
  r.headers["authorization"] = "Basic cm9vdDp3cm9uZw==";  // root:wrong
  CHECK(f.server.on_head(Port::fe, r)->response.status == 401);
}

TEST_CASE("doris server: a precommitted load is invisible until committed, and commits once") {
  Fixture f;
  const std::string r = f.load({{"label", "L1"}, {"two_phase_commit", "true"}},
                               "{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":\"b\"}\n");
  CHECK(field(r, "Status") == "Success");
  CHECK(field(r, "TwoPhaseCommit") == "true");
  CHECK(field(r, "NumberLoadedRows") == "2");
  const std::string txn = field(r, "TxnId");
  CHECK(field(f.state("L1"), "data") == "PRECOMMITTED");
  CHECK(f.rows() == "[]");
  CHECK(field(f.two_pc({{"txn_operation", "commit"}, {"txn_id", txn}}), "status") == "Success");
  CHECK(f.rows() == "[[1,\"a\"],[2,\"b\"]]");
  CHECK(field(f.state("L1"), "data") == "VISIBLE");
  const std::string again = f.two_pc({{"txn_operation", "commit"}, {"label", "L1"}});
  CHECK(field(again, "status") == "Fail");
  CHECK(field(again, "msg").find("is already visible, not pre-committed") != std::string::npos);
  CHECK(field(f.two_pc({{"txn_operation", "abort"}, {"label", "L1"}}), "msg")
            .find("could not abort") != std::string::npos);
  CHECK(f.server.txn_for_test(std::stoll(txn))->commits == 1);
}

TEST_CASE("doris server: labels are unique per database and reusable after an abort") {
  Fixture f;
  const std::string first =
      f.load({{"label", "L"}, {"two_phase_commit", "true"}}, "{\"id\":1,\"v\":\"a\"}\n");
  std::string dup =
      f.load({{"label", "L"}, {"two_phase_commit", "true"}}, "{\"id\":1,\"v\":\"b\"}\n");
  CHECK(field(dup, "Status") == "Label Already Exists");
  CHECK(field(dup, "ExistingJobStatus") == "RUNNING");
  CHECK(field(f.two_pc({{"txn_operation", "abort"}, {"label", "L"}}), "status") == "Success");
  CHECK(field(f.state("L"), "data") == "ABORTED");
  CHECK(field(f.two_pc({{"txn_operation", "commit"}, {"txn_id", field(first, "TxnId")}}), "msg")
            .find("is already aborted") != std::string::npos);
  const std::string reused = f.load({{"label", "L"}}, "{\"id\":1,\"v\":\"c\"}\n");
  CHECK(field(reused, "Status") == "Success");
  dup = f.load({{"label", "L"}}, "{\"id\":1,\"v\":\"d\"}\n");
  CHECK(field(dup, "ExistingJobStatus") == "FINISHED");
  CHECK(f.rows() == "[[1,\"c\"]]");
  CHECK(field(f.state("never"), "data") == "UNKNOWN");
  const std::string bad = f.load({{"label", "has space"}}, "{\"id\":1}\n");
  CHECK(field(bad, "Status") == "Fail");
  CHECK(field(bad, "Message").find("Label format error") != std::string::npos);
  CHECK(field(f.load({{"label", std::string(129, 'a')}}, "{\"id\":1}\n"), "Status") == "Fail");
  CHECK(field(f.load({{"label", std::string(128, 'a')}}, "{\"id\":9}\n"), "Status") == "Success");
}

TEST_CASE("doris server: deletes by hidden delete sign, merge_type DELETE and MERGE") {
  Fixture f;
  f.load({}, "{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":\"b\"}\n{\"id\":3,\"v\":\"c\"}\n");
  // Without hidden_columns the delete sign is an unknown JSON key and is ignored.
  f.load({}, "{\"id\":1,\"v\":\"x\",\"__DORIS_DELETE_SIGN__\":1}\n");
  CHECK(f.rows() == "[[1,\"x\"],[2,\"b\"],[3,\"c\"]]");
  f.load({{"hidden_columns", "__DORIS_DELETE_SIGN__"}},
         "{\"id\":1,\"v\":\"x\",\"__DORIS_DELETE_SIGN__\":1}\n{\"id\":4,\"v\":\"d\",\"__DORIS_"
         "DELETE_SIGN__\":0}\n");
  CHECK(f.rows() == "[[2,\"b\"],[3,\"c\"],[4,\"d\"]]");
  f.load({{"merge_type", "DELETE"}}, "{\"id\":2}\n");
  CHECK(f.rows() == "[[3,\"c\"],[4,\"d\"]]");
  f.load({{"merge_type", "MERGE"}, {"delete", "v=del"}},
         "{\"id\":3,\"v\":\"del\"}\n{\"id\":5,\"v\":\"e\"}\n");
  CHECK(f.rows() == "[[4,\"d\"],[5,\"e\"]]");
  CHECK(field(f.load({{"merge_type", "MERGE"}}, "{\"id\":3}\n"), "Message")
            .find("Excepted DELETE ON clause") != std::string::npos);
}

TEST_CASE("doris server: rows that do not fit are filtered and max_filter_ratio decides") {
  Fixture f;
  const std::string r =
      f.load({{"label", "F"}},
             "{\"id\":1,\"v\":\"toolong\"}\n{\"id\":2,\"v\":\"ok\"}\n{\"v\":\"nokey\"}\n");
  CHECK(field(r, "Status") == "Fail");
  CHECK(field(r, "NumberFilteredRows") == "2");
  const std::string url = field(r, "ErrorURL");
  REQUIRE(url.find("/api/_load_error_log?file=") != std::string::npos);
  const HttpRequest get = Fixture::request("GET", url.substr(url.find("/api/")));
  const std::string log = f.server.handle(Port::be, get).response.body;
  CHECK(log.find("column(v) value is incorrect") != std::string::npos);
  CHECK(log.find("column(id) values is null while columns is not nullable") != std::string::npos);
  CHECK(f.rows() == "[]");
  const std::string tolerant = f.load({{"label", "F"}, {"max_filter_ratio", "0.7"}},
                                      "{\"id\":1,\"v\":\"toolong\"}\n{\"id\":2,\"v\":\"ok\"}\n");
  CHECK(field(tolerant, "Status") == "Success");
  CHECK(f.rows() == "[[2,\"ok\"]]");
  CHECK(field(f.load({{"format", "csv"}}, "1,a"), "Message").find("format json only") !=
        std::string::npos);
}

TEST_CASE("doris server: the precommit timeout and a BE restart abort precommitted loads") {
  Fixture f;
  f.load({{"label", "old"}, {"two_phase_commit", "true"}}, "{\"id\":1,\"v\":\"a\"}\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  f.load({{"label", "young"}, {"two_phase_commit", "true"}}, "{\"id\":2,\"v\":\"b\"}\n");
  CHECK(field(f.state("old"), "data") == "ABORTED");
  CHECK(field(f.two_pc({{"txn_operation", "commit"}, {"label", "old"}}), "msg")
            .find("timeout by txn manager") != std::string::npos);
  CHECK(f.server.control("restart_be") == "ok aborted 1");
  CHECK(field(f.state("young"), "data") == "ABORTED");
  CHECK(f.rows() == "[]");
}

TEST_CASE("doris server: the SQL API's session database must exist") {
  Fixture f;
  const HttpRequest r = Fixture::request("POST", "/api/query/default_cluster/nodb", {},
                                         "{\"stmt\":\"SELECT COUNT(*) FROM t\"}");
  CHECK(field(f.server.handle(Port::fe, r).response.body, "msg") ==
        "errCode = 2, detailMessage = Unknown database 'nodb'");
  const HttpRequest create =
      Fixture::request("POST", "/api/query/default_cluster/information_schema", {},
                       "{\"stmt\":\"CREATE DATABASE nodb\"}");
  CHECK(field(f.server.handle(Port::fe, create).response.body, "code") == "0");
  CHECK(field(f.server.handle(Port::fe, r).response.body, "msg").find("Unknown table 't'") !=
        std::string::npos);
}

TEST_CASE("doris server: fault knobs") {
  Fixture f;
  CHECK(f.server.control("fail 1") == "ok");
  CHECK(field(f.load({{"label", "a"}}, "{\"id\":1}\n"), "Status") == "Fail");
  CHECK(field(f.state("a"), "data") == "UNKNOWN");  // nothing was begun
  CHECK(f.server.control("lose 1") == "ok");
  {
    HttpRequest r = Fixture::request(
        "PUT", "/api/db/t/_stream_load",
        {{"label", "b"}, {"format", "json"}, {"read_json_by_line", "true"}}, "{\"id\":1}\n");
    CHECK(f.server.handle(Port::be, r).reset);
  }
  CHECK(field(f.state("b"), "data") == "VISIBLE");  // the load happened, only its answer was lost
  CHECK(f.server.control("reset 1") == "ok");
  CHECK(f.server.on_head(Port::be, Fixture::request("PUT", "/api/db/t/_stream_load"))->reset);
  CHECK(f.server.control("publish_timeout 1") == "ok");
  CHECK(field(f.load({{"label", "c"}}, "{\"id\":7,\"v\":\"p\"}\n"), "Status") == "Publish Timeout");
  CHECK(field(f.state("c"), "data") == "COMMITTED");
  CHECK(f.rows() == "[[1,null]]");
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  CHECK(f.rows() == "[[1,null],[7,\"p\"]]");
  CHECK(f.server.control("stats") ==
        "ok loads 2 visible 2 aborted 0 precommitted 0 max_commits 1 partial 0 flexible 0 "
        "sequence_kept 0");
  CHECK(f.server.control("bogus").starts_with("error"));
}

TEST_CASE("doris server: a sequence column keeps the row with the largest sequence value") {
  Fixture f;
  REQUIRE(field(f.sql("CREATE TABLE s (id INT NOT NULL, v VARCHAR(4)) UNIQUE KEY(id) DISTRIBUTED "
                      "BY HASH(id) BUCKETS 1 PROPERTIES ('function_column.sequence_type' = "
                      "'largeint')"),
                "code") == "0");
  const std::map<std::string, std::string> seq = {
      {"hidden_columns", "__DORIS_DELETE_SIGN__,__DORIS_SEQUENCE_COL__"},
      {"function_column.sequence_col", "__DORIS_SEQUENCE_COL__"}};
  const auto load = [&](std::string body) {
    return field(f.load(seq, std::move(body), "s"), "Status");
  };
  const auto line = [](int id, const char* v, const char* sequence, int remove = 0) {
    return "{\"id\":" + std::to_string(id) + ",\"v\":\"" + v +
           "\",\"__DORIS_DELETE_SIGN__\":" + std::to_string(remove) +
           ",\"__DORIS_SEQUENCE_COL__\":\"" + sequence + "\"}\n";
  };
  // Within one load the largest value wins, whatever the order of the lines; 2^127-1 and
  // 2^127-2 differ past a long double's precision.
  CHECK(load(line(1, "new", "170141183460469231731687303715884105727") +
             line(1, "old", "170141183460469231731687303715884105726") + line(2, "b", "5")) ==
        "Success");
  CHECK(f.rows("s") == "[[1,\"new\"],[2,\"b\"]]");
  // A later load with a smaller value is kept out; an equal value replaces (the later wins).
  CHECK(load(line(2, "old", "4")) == "Success");
  CHECK(f.rows("s") == "[[1,\"new\"],[2,\"b\"]]");
  CHECK(load(line(2, "eq", "5")) == "Success");
  CHECK(f.rows("s") == "[[1,\"new\"],[2,\"eq\"]]");
  // A delete with a smaller value is kept out too; one with a larger value deletes, and the
  // deleted key keeps its value: an older row does not bring it back.
  CHECK(load(line(2, "eq", "3", 1)) == "Success");
  CHECK(f.rows("s") == "[[1,\"new\"],[2,\"eq\"]]");
  CHECK(load(line(2, "eq", "9", 1)) == "Success");
  CHECK(load(line(2, "zomb", "8")) == "Success");
  CHECK(f.rows("s") == "[[1,\"new\"]]");
  CHECK(load(line(2, "back", "10")) == "Success");
  CHECK(f.rows("s") == "[[1,\"new\"],[2,\"back\"]]");
  CHECK(f.server.control("stats").ends_with(" sequence_kept 4"));
  // SHOW CREATE TABLE keeps the property; a value that is no LARGEINT is a filtered row.
  CHECK(f.sql("SHOW CREATE TABLE s").find("function_column.sequence_type") != std::string::npos);
  const std::string bad = f.load(seq, line(3, "x", "1e3"), "s");
  CHECK(field(bad, "Status") == "Fail");
  CHECK(field(bad, "NumberFilteredRows") == "1");
}

TEST_CASE("doris server: the sequence header without a sequence column, and the reverse, fail") {
  Fixture f;
  REQUIRE(field(f.sql("CREATE TABLE s (id INT NOT NULL, v VARCHAR(4)) UNIQUE KEY(id) DISTRIBUTED "
                      "BY HASH(id) BUCKETS 1 PROPERTIES ('function_column.sequence_type' = "
                      "'bigint')"),
                "code") == "0");
  std::string r = f.load({{"function_column.sequence_col", "__DORIS_SEQUENCE_COL__"},
                          {"hidden_columns", "__DORIS_SEQUENCE_COL__"}},
                         "{\"id\":1,\"v\":\"a\",\"__DORIS_SEQUENCE_COL__\":1}\n");
  CHECK(field(r, "Status") == "Fail");
  CHECK(field(r, "Message") ==
        "[ANALYSIS_ERROR]errCode = 2, detailMessage = There is no sequence column in the table t");
  r = f.load({}, "{\"id\":1,\"v\":\"a\"}\n", "s");
  CHECK(field(r, "Message") ==
        "[ANALYSIS_ERROR]errCode = 2, detailMessage = Table s has sequence column, need to "
        "specify the sequence column");
  // The named column must be one the load has.
  r = f.load({{"function_column.sequence_col", "__DORIS_SEQUENCE_COL__"}},
             "{\"id\":1,\"v\":\"a\",\"__DORIS_SEQUENCE_COL__\":1}\n", "s");
  CHECK(field(r, "Message").find("is not a column of the load") != std::string::npos);
  // Only integer and date/time types can be a sequence type.
  CHECK(f.sql("CREATE TABLE u (id INT NOT NULL) UNIQUE KEY(id) PROPERTIES "
              "('function_column.sequence_type' = 'varchar(3)')")
            .find("sequence type only support integer types and date types") != std::string::npos);
}

TEST_CASE("doris server: with a data dir, a restart keeps committed and precommitted loads") {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("doris-journal-" + std::to_string(::getpid())))
          .string();
  std::filesystem::remove_all(dir);
  std::string precommitted_txn;
  {
    Fixture f(dir);
    CHECK(field(f.load({{"label", "visible"}}, "{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":\"b\"}\n"),
                "Status") == "Success");
    const std::string c =
        f.load({{"label", "committed"}, {"two_phase_commit", "true"}}, "{\"id\":2,\"v\":\"c\"}\n");
    CHECK(field(f.two_pc({{"txn_operation", "commit"}, {"txn_id", field(c, "TxnId")}}), "status") ==
          "Success");
    precommitted_txn =
        field(f.load({{"label", "pre"}, {"two_phase_commit", "true"}}, "{\"id\":3,\"v\":\"d\"}\n"),
              "TxnId");
    f.load({{"label", "aborted"}, {"two_phase_commit", "true"}}, "{\"id\":4,\"v\":\"e\"}\n");
    CHECK(field(f.two_pc({{"txn_operation", "abort"}, {"label", "aborted"}}), "status") ==
          "Success");
    CHECK(field(f.load({{"label", "filtered"}}, "{\"id\":5,\"v\":\"too long\"}\n"), "Status") ==
          "Fail");
    f.sql("ALTER TABLE t ADD COLUMN w INT NULL");
    CHECK(f.rows() == "[[1,\"a\",null],[2,\"c\",null]]");
  }
  Fixture g(dir);  // the same data dir, as after a kill -9
  CHECK(g.rows() == "[[1,\"a\",null],[2,\"c\",null]]");
  CHECK(field(g.state("visible"), "data") == "VISIBLE");
  CHECK(field(g.state("committed"), "data") == "VISIBLE");
  CHECK(field(g.state("pre"), "data") == "PRECOMMITTED");
  CHECK(field(g.state("aborted"), "data") == "ABORTED");
  CHECK(field(g.state("filtered"), "data") == "ABORTED");
  // The precommitted load is still committable, once; the labels are still taken.
  CHECK(field(g.load({{"label", "committed"}}, "{\"id\":9,\"v\":\"x\"}\n"), "ExistingJobStatus") ==
        "FINISHED");
  CHECK(field(g.two_pc({{"txn_operation", "commit"}, {"txn_id", precommitted_txn}}), "status") ==
        "Success");
  CHECK(g.rows() == "[[1,\"a\",null],[2,\"c\",null],[3,\"d\",null]]");
  // New transactions take new ids; nothing was made visible twice.
  const std::string next = g.load({{"label", "after"}}, "{\"id\":6,\"v\":\"f\"}\n");
  CHECK(std::stoll(field(next, "TxnId")) > std::stoll(precommitted_txn));
  CHECK(g.server.control("stats") ==
        "ok loads 6 visible 4 aborted 2 precommitted 0 max_commits 1 partial 0 flexible 0 "
        "sequence_kept 0");
  // A journal line that is not the server's is refused with its place.
  std::ofstream(dir + "/journal", std::ios::app) << "{\"visible\": 999999}\n";
  DorisServer h{ServerOptions{}};
  const auto r = h.open_data_dir(dir);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("/journal:") != std::string::npos);
  CHECK(r.error().message.find("visible of unknown transaction 999999") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("doris server: a partial column update keeps the columns it does not name") {
  Fixture f;
  REQUIRE(field(f.sql("CREATE TABLE p (id INT NOT NULL, a VARCHAR(4) NULL, b VARCHAR(4) NOT NULL) "
                      "UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES "
                      "('enable_unique_key_merge_on_write' = 'true')"),
                "code") == "0");
  CHECK(field(f.load({},
                     "{\"id\":1,\"a\":\"a1\",\"b\":\"b1\"}\n{\"id\":2,\"a\":\"a2\",\"b\":\"b2\"}\n",
                     "p"),
              "Status") == "Success");
  const std::map<std::string, std::string> partial = {{"partial_columns", "true"},
                                                      {"columns", "id,a,__DORIS_DELETE_SIGN__"}};
  CHECK(field(f.load(partial,
                     "{\"id\":1,\"a\":\"x\",\"__DORIS_DELETE_SIGN__\":0}\n"
                     "{\"id\":2,\"a\":null,\"__DORIS_DELETE_SIGN__\":1}\n",
                     "p"),
              "Status") == "Success");
  CHECK(f.rows("p") == "[[1,\"x\",\"b1\"]]");
  // A new key needs a value or a default for every column the load leaves out.
  const std::string r = f.load(partial, "{\"id\":3,\"a\":\"y\"}\n", "p");
  CHECK(field(r, "Status") == "Fail");
  CHECK(field(r, "NumberFilteredRows") == "1");
  // Every key column, and a merge-on-write table.
  CHECK(field(f.load({{"partial_columns", "true"}, {"columns", "a"}}, "{\"a\":\"z\"}\n", "p"),
              "Message") ==
        "[ANALYSIS_ERROR]errCode = 2, detailMessage = Partial update should include all key "
        "columns, missing: id");
  CHECK(
      field(f.load({{"partial_columns", "true"}, {"columns", "id,v"}}, "{\"id\":1,\"v\":\"z\"}\n"),
            "Message") ==
      "[ANALYSIS_ERROR]errCode = 2, detailMessage = Partial update is only allowed on unique "
      "table with merge-on-write enabled.");
}

TEST_CASE("doris server: flexible partial updates: each row its own columns, Doris's limits") {
  Fixture f;
  REQUIRE(field(f.sql("CREATE TABLE fx (id INT NOT NULL, a VARCHAR(4) NULL, b VARCHAR(4) NOT "
                      "NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES "
                      "('enable_unique_key_merge_on_write' = 'true', "
                      "'enable_unique_key_skip_bitmap_column' = 'true')"),
                "code") == "0");
  CHECK(field(f.load({},
                     R"({"id":1,"a":"a1","b":"b1"})"
                     "\n"
                     R"({"id":2,"a":"a2","b":"b2"})"
                     "\n"
                     R"({"id":3,"a":"a3","b":"b3"})"
                     "\n",
                     "fx"),
              "Status") == "Success");
  const std::map<std::string, std::string> flexible = {
      {"unique_key_update_mode", "update_flexible_columns"}};
  // Row 1 sets a, row 2 sets b (a key that names no column is ignored), row 3 is deleted by
  // its own delete sign, row 4 is new with b (a takes NULL).
  CHECK(field(f.load(flexible,
                     R"({"id":1,"a":"x"})"
                     "\n"
                     R"({"id":2,"b":"y","nope":1})"
                     "\n"
                     R"({"id":3,"__DORIS_DELETE_SIGN__":1})"
                     "\n"
                     R"({"id":4,"b":"z"})"
                     "\n",
                     "fx"),
              "Status") == "Success");
  CHECK(f.rows("fx") == R"([[1,"x","b1"],[2,"a2","y"],[4,null,"z"]])");
  CHECK(f.server.control("stats").find(" partial 0 flexible 1 ") != std::string::npos);
  // A row without its key is filtered; a new key without a NOT NULL column's value too.
  std::string r = f.load(flexible,
                         R"({"a":"q"})"
                         "\n",
                         "fx");
  CHECK(field(r, "Status") == "Fail");
  CHECK(field(r, "NumberFilteredRows") == "1");
  r = f.load(flexible,
             R"({"id":5,"a":"q"})"
             "\n",
             "fx");
  CHECK(field(r, "NumberFilteredRows") == "1");
  // Parameters Doris refuses with it, a table without the skip bitmap, an unknown mode.
  for (const char* refused : {"columns", "hidden_columns", "merge_type"}) {
    CAPTURE(refused);
    auto headers = flexible;
    headers[refused] = "id";
    CHECK(field(f.load(headers,
                       R"({"id":1})"
                       "\n",
                       "fx"),
                "Message") ==
          std::string("[INVALID_ARGUMENT]Don't support flexible partial update when '") + refused +
              "' is specified");
  }
  REQUIRE(field(f.sql("CREATE TABLE nb (id INT NOT NULL) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) "
                      "BUCKETS 1 PROPERTIES ('enable_unique_key_merge_on_write' = 'true')"),
                "code") == "0");
  CHECK(field(f.load(flexible,
                     R"({"id":1})"
                     "\n",
                     "nb"),
              "Message")
            .find("Flexible partial update can only support table with skip bitmap hidden "
                  "column. But table nb doesn't have it.") != std::string::npos);
  CHECK(field(f.load(flexible, R"({"id":1})"
                               "\n"),
              "Message")
            .find("Flexible partial update is only supported in unique table MoW") !=
        std::string::npos);
  CHECK(field(f.load({{"unique_key_update_mode", "sometimes"}},
                     R"({"id":1})"
                     "\n",
                     "fx"),
              "Message")
            .rfind("[INVALID_ARGUMENT]Invalid unique_key_update_mode sometimes", 0) == 0);
}

TEST_CASE("doris server: a load's body is delimited by Content-Length or chunked, not both") {
  Fixture f;
  const auto head = [&](std::map<std::string, std::string> headers) {
    auto early = f.server.on_head(
        Port::be, Fixture::request("PUT", "/api/db/t/_stream_load", std::move(headers)));
    return early ? field(early->response.body, "Message") : std::string("none");
  };
  CHECK(head({}) ==
        "[INTERNAL_ERROR]content_length is empty and transfer-encoding!=chunked, please set "
        "content_length or transfer-encoding=chunked");
  CHECK(head({{"content-length", ""}, {"transfer-encoding", ""}}) ==
        "[INTERNAL_ERROR]content_length is empty and transfer-encoding!=chunked, please set "
        "content_length or transfer-encoding=chunked");
  CHECK(head({{"content-length", "0"}, {"transfer-encoding", "chunked"}}) ==
        "[INTERNAL_ERROR]please do not set both content_length and transfer-encoding");
  CHECK(head({{"content-length", "9"}}) == "none");
  CHECK(head({{"transfer-encoding", "chunked"}}) == "none");
  // A chunked load (its body de-chunked by the connection) loads like any other.
  CHECK(field(f.load({{"label", "c"}, {"transfer-encoding", "chunked"}}, "{\"id\":3}\n"),
              "Status") == "Success");
  CHECK(f.rows() == "[[3,null]]");
  CHECK(f.server.control("requests") == "ok fe_loads 0 be_loads 6 chunked 2");
}

TEST_CASE("doris server: group commit takes no label, skips 2PC loads, and async waits") {
  Fixture f;
  const std::string line = "{\"id\":1,\"v\":\"a\"}\n";
  CHECK(field(f.load({{"group_commit", "fast_mode"}}, line), "Message") ==
        "[INVALID_ARGUMENT]group_commit can only be [async_mode, sync_mode, off_mode]");
  CHECK(field(f.load({{"group_commit", "sync_mode"}, {"label", "l1"}}, line), "Message") ==
        "[INVALID_ARGUMENT]label and group_commit can't be set at the same time");
  // sync_mode: visible when answered, under a name Doris gives.
  std::string answer = f.load({{"group_commit", "SYNC_MODE"}}, line);
  CHECK(field(answer, "Status") == "Success");
  CHECK(field(answer, "Label").starts_with("group_commit_"));
  CHECK(answer.find("\"GroupCommit\":true") != std::string::npos);
  CHECK(f.rows() == "[[1,\"a\"]]");
  // A chunked load's label is dropped rather than refused.
  answer =
      f.load({{"group_commit", "sync_mode"}, {"label", "l2"}, {"transfer-encoding", "chunked"}},
             "{\"id\":2,\"v\":\"b\"}\n");
  CHECK(field(answer, "Label").starts_with("group_commit_"));
  CHECK(field(f.state("l2"), "data") == "UNKNOWN");
  // two_phase_commit: an ordinary load under its label, the header ignored.
  answer = f.load({{"group_commit", "async_mode"}, {"label", "l3"}, {"two_phase_commit", "true"}},
                  "{\"id\":3,\"v\":\"c\"}\n");
  CHECK(field(answer, "Label") == "l3");
  CHECK(answer.find("GroupCommit") == std::string::npos);
  CHECK(field(f.state("l3"), "data") == "PRECOMMITTED");
  // async_mode with a known length: answered from the WAL, visible after the interval.
  answer = f.load({{"group_commit", "async_mode"}}, "{\"id\":4,\"v\":\"d\"}\n");
  CHECK(field(answer, "Status") == "Success");
  CHECK(f.rows() == "[[1,\"a\"],[2,\"b\"]]");
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  CHECK(f.rows() == "[[1,\"a\"],[2,\"b\"],[4,\"d\"]]");
}
