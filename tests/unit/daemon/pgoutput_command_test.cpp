// `sluice pgoutput`: the postgrex_wal fixture's captured messages (tests/fixtures/postgres) as
// hex lines, decoded to the exact JSON lines; a bad line stops with its number.
#include "cdc/daemon/pgoutput_command.h"

#include <doctest/doctest.h>

#include <sstream>

using namespace cdc::daemon;

namespace {

// The four messages of tests/fixtures/postgres/postgrex_wal/insert.messages.json.
constexpr const char* kBegin = "420000000002e34ae0000292492d0f8ae600000de4";
constexpr const char* kRelation =
    "52000059677075626c6963007573657273006400070169640000000014ffffffff006e616d650000000413ffff"
    "ffff006167650000000017ffffffff00656d61696c0000000413ffffffff0070617373776f72645f6469676573"
    "740000000413ffffffff0073616c61727900000006a400060006007365780000000010ffffffff";
constexpr const char* kInsert =
    "49000059674e000774000000093938303139313234337400000003616263740000000232326e6e6e6e";
constexpr const char* kCommit = "43000000000002e34ae00000000002e34b10000292492d0f8ae6";

}  // namespace

TEST_CASE("sluice pgoutput: captured messages as JSON lines") {
  std::istringstream in(std::string("# postgrex_wal insert.exs\n0/2E34A00 ") + kBegin + "\n" +
                        kRelation + "\n\n" + kInsert + "\n" + kCommit + "\n");
  std::ostringstream out, err;
  REQUIRE(decode_pgoutput_lines(in, out, err) == 0);
  CHECK(err.str().empty());
  std::istringstream lines(out.str());
  std::string begin, relation, insert, commit, extra;
  std::getline(lines, begin);
  std::getline(lines, relation);
  std::getline(lines, insert);
  std::getline(lines, commit);
  CHECK_FALSE(std::getline(lines, extra));
  CHECK(
      begin ==
      R"({"lsn":"0/2E34A00","type":"Begin","final_lsn":"0/2E34AE0","commit_time_ms":1670477739682,"xid":3556})");
  CHECK(
      relation ==
      R"({"lsn":"0/0","type":"Relation","relation_id":22887,"namespace":"public","name":"users",)"
      R"("replica_identity":"d","columns":[{"name":"id","key":true,"type_oid":20,"type_modifier":-1},)"
      R"({"name":"name","key":false,"type_oid":1043,"type_modifier":-1},)"
      R"({"name":"age","key":false,"type_oid":23,"type_modifier":-1},)"
      R"({"name":"email","key":false,"type_oid":1043,"type_modifier":-1},)"
      R"({"name":"password_digest","key":false,"type_oid":1043,"type_modifier":-1},)"
      R"({"name":"salary","key":false,"type_oid":1700,"type_modifier":393222},)"
      R"({"name":"sex","key":false,"type_oid":16,"type_modifier":-1}]})");
  CHECK(
      insert ==
      R"({"lsn":"0/0","type":"Insert","relation_id":22887,"new":["980191243","abc","22",null,null,null,null]})");
  CHECK(
      commit ==
      R"({"lsn":"0/0","type":"Commit","flags":0,"commit_lsn":"0/2E34AE0","end_lsn":"0/2E34B10","commit_time_ms":1670477739682})");
}

TEST_CASE("sluice pgoutput: a bad line stops with its number and the decoder's reason") {
  std::istringstream in(std::string(kBegin) + "\n0/10 " + std::string(kInsert).substr(0, 20) +
                        "\n" + kCommit + "\n");
  std::ostringstream out, err;
  CHECK(decode_pgoutput_lines(in, out, err) == 1);
  CHECK(out.str().find("\"type\":\"Begin\"") != std::string::npos);
  CHECK(out.str().find("Commit") == std::string::npos);
  CHECK(err.str().rfind("line 2: pgoutput Insert message (type 0x49) at 0/10: ", 0) == 0);
  std::istringstream odd("0/1 4");
  std::ostringstream out2, err2;
  CHECK(decode_pgoutput_lines(odd, out2, err2) == 1);
  CHECK(err2.str() == "line 1: not an even number of hex digits\n");
}
