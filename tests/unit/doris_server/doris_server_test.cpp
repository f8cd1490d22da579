#include "tests/fakes/doris/doris_server.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <thread>

using namespace cdc::testing::doris;

namespace {

constexpr const char* kAuth = "Basic cm9vdDpwdw==";  // root:pw

struct Fixture {
  DorisServer server{[] {
    ServerOptions o;
    o.password = "pw";
    o.be_port = 8040;
    o.precommit_timeout = std::chrono::milliseconds(200);
    o.publish_delay = std::chrono::milliseconds(100);
    return o;
  }()};

  Fixture() {
    server.catalog_for_test().ensure_database("db");
    sql("CREATE TABLE t (id INT NOT NULL, v VARCHAR(4)) UNIQUE KEY(id) DISTRIBUTED BY HASH(id) "
        "BUCKETS 1");
  }

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
  std::string load(std::map<std::string, std::string> headers, std::string body) {
    headers.emplace("format", "json");
    headers.emplace("read_json_by_line", "true");
    const HttpRequest r =
        request("PUT", "/api/db/t/_stream_load", std::move(headers), std::move(body));
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
  std::string rows() {
    const std::string out = sql("SELECT * FROM t ORDER BY id");
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
  CHECK(f.server.control("stats") == "ok loads 2 visible 2 aborted 0 precommitted 0 max_commits 1");
  CHECK(f.server.control("bogus").starts_with("error"));
}
