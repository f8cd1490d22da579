#include "sinks/doris/doris_answer.h"

#include <doctest/doctest.h>
#include <simdjson.h>

using namespace cdc;
using namespace cdc::sinks::doris;

TEST_CASE("doris answers: Stream Load fields, and answers that are not Doris's") {
  simdjson::dom::parser parser;
  auto ok = parse_load_answer(parser,
                              R"({"TxnId":1003,"Label":"l","TwoPhaseCommit":"true",)"
                              R"("Status":"Success","Message":"OK","NumberLoadedRows":3,)"
                              R"("NumberFilteredRows":1,"ErrorURL":"http://be/e"})",
                              "Stream Load into db.t");
  REQUIRE(ok);
  CHECK(ok->status == "Success");
  CHECK(ok->txn_id == 1003);
  CHECK(ok->message == "OK");
  CHECK(ok->loaded_rows == 3);
  CHECK(ok->filtered_rows == 1);
  CHECK(ok->error_url == "http://be/e");

  auto exists = parse_load_answer(
      parser, R"({"Status":"Label Already Exists","ExistingJobStatus":"RUNNING"})", "load");
  REQUIRE(exists);
  CHECK(exists->txn_id == -1);
  CHECK(exists->existing_job_status == "RUNNING");

  auto html = parse_load_answer(parser, "<html>502 Bad Gateway</html>", "Stream Load into db.t");
  REQUIRE_FALSE(html);
  CHECK(html.error().code == Errc::unavailable);
  CHECK(html.error().message ==
        "Stream Load into db.t: the answer is not Doris's JSON: <html>502 Bad Gateway</html>");
  auto no_status = parse_load_answer(parser, R"({"TxnId":1})", "load");
  REQUIRE_FALSE(no_status);
  CHECK(no_status.error().message == R"(load: no Status in {"TxnId":1})");
}

TEST_CASE("doris answers: 2PC and load state") {
  simdjson::dom::parser parser;
  auto commit = parse_txn_answer(parser, R"({"status":"Success","msg":"done"})", "commit");
  REQUIRE(commit);
  CHECK(commit->success);
  auto aborted =
      parse_txn_answer(parser, R"({"status":"Fail","msg":"is already aborted"})", "commit");
  REQUIRE(aborted);
  CHECK_FALSE(aborted->success);
  CHECK(aborted->message == "is already aborted");
  CHECK_FALSE(parse_txn_answer(parser, R"({"msg":"x"})", "commit"));

  auto state = parse_load_state_answer(parser, R"({"code":0,"data":"PRECOMMITTED"})", "state");
  REQUIRE(state);
  CHECK(*state == "PRECOMMITTED");
  auto refused = parse_load_state_answer(parser, R"({"code":1,"msg":"no db"})", "state");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::unavailable);
}

TEST_CASE("doris answers: SQL rows, DDL, refusals, and a malformed result is an error") {
  simdjson::dom::parser parser;
  auto rows = parse_sql_answer(
      parser, R"({"code":0,"data":{"type":"result_set","data":[[1,"a",null],[2,"b",3.5]]}})",
      "SELECT");
  REQUIRE(rows);
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0] == SqlRow{"1", "a", std::nullopt});
  CHECK((*rows)[1] == SqlRow{"2", "b", "3.5"});

  auto ddl =
      parse_sql_answer(parser, R"({"code":0,"data":{"type":"exec_status","status":{}}})", "DDL");
  REQUIRE(ddl);
  CHECK(ddl->empty());

  auto refused = parse_sql_answer(parser, R"({"code":1,"msg":"Unknown table 't'"})", "SELECT 1");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::invalid_config);
  CHECK(refused.error().message == "Doris refused SELECT 1: Unknown table 't'");

  // A row that is not an array was skipped before; now it stops the caller.
  auto bad_row = parse_sql_answer(parser, R"({"code":0,"data":{"data":[[1],{"id":2}]}})", "SEL");
  REQUIRE_FALSE(bad_row);
  CHECK(bad_row.error().code == Errc::unavailable);
  CHECK(bad_row.error().message.find("SEL: row 2 of the result is not an array") == 0);
  auto no_code = parse_sql_answer(parser, R"({"data":{"data":[]}})", "SEL");
  REQUIRE_FALSE(no_code);
  CHECK(no_code.error().code == Errc::unavailable);
}
