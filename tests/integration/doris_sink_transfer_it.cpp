// How the Doris sink's loads travel, driven through the Sink interface against the Doris test
// server with datagen batches: chunked bodies through the FE's redirect, `benodes` (straight
// to a BE, with a dead BE skipped), and group commit in at-least-once mode, whose loads carry
// no label: a load whose answer is lost is sent again and applied twice.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sinks/doris/doris_sink.h"
#include "tests/integration/doris_process.h"
#include "tests/support/datagen_rows.h"

using namespace cdc;
using namespace cdc::testing;

namespace {

sinks::doris::DorisOptions options_for(const DorisProcess& doris) {
  sinks::doris::DorisOptions o;
  o.fenodes = "127.0.0.1:" + std::to_string(doris.fe_port());
  o.password = doris.password();
  o.label_prefix = "transfer";
  o.pipeline = "transfer";
  return o;
}

std::unique_ptr<sinks::doris::DorisSink> open_sink(const sinks::doris::DorisOptions& o) {
  auto sink = sinks::doris::DorisSink::create(o);
  REQUIRE(sink);
  auto opened = (*sink)->open({});
  REQUIRE_MESSAGE(opened, opened.error().message);
  return std::move(*sink);
}

// Writes rows from+1 .. from+count and completes checkpoint `id`.
void checkpoint(sinks::doris::DorisSink& sink, uint64_t id, uint64_t from, uint64_t count) {
  REQUIRE(sink.write(*datagen_rows(from, count)));
  auto state = sink.prepare(id, DatagenPosition{from + count});
  REQUIRE_MESSAGE(state, state.error().message);
  auto committed = sink.commit(id);
  REQUIRE_MESSAGE(committed, committed.error().message);
}

// COUNT(*), MIN(id) and MAX(id) of datagen.t as "count min max".
std::string summary(DorisProcess& doris) {
  const auto count = doris.sql("datagen", "SELECT COUNT(*) FROM datagen.t");
  const auto ids = doris.sql("datagen", "SELECT id FROM datagen.t ORDER BY id");
  if (ids.empty()) return count.at(0).at(0).value_or("NULL");
  return count.at(0).at(0).value_or("NULL") + " " + ids.front().at(0).value_or("NULL") + " " +
         ids.back().at(0).value_or("NULL");
}

}  // namespace

TEST_CASE("doris sink: a load of several MiB goes chunked through the FE's redirect") {
  DorisProcess doris;
  if (doris.external()) return;  // counts the test server's requests
  auto o = options_for(doris);
  auto sink = open_sink(o);
  // 60000 rows with a 64-character column: about 5 MiB of JSON lines, several 1 MiB blocks.
  REQUIRE(
      sink->write(*datagen_rows(0, 60000, {{.name = "pad", .type = "varchar(64)", .length = 64}})));
  auto state = sink->prepare(1, DatagenPosition{60000});
  REQUIRE_MESSAGE(state, state.error().message);
  REQUIRE(sink->commit(1));
  CHECK(summary(doris) == "60000 1 60000");
  // One load: redirected by the FE, taken chunked by the BE.
  CHECK(doris.control("requests") == "ok fe_loads 1 be_loads 1 chunked 1");
  CHECK(doris.control("stats") ==
        "ok loads 1 visible 1 aborted 0 precommitted 0 max_commits 1 partial 0 flexible 0 "
        "sequence_kept 0");
}

TEST_CASE("doris sink: benodes loads go straight to a BE, past one that is down; 2PC via the FE") {
  DorisProcess doris;
  if (doris.external()) return;
  auto o = options_for(doris);
  // Port 1 on loopback refuses connections: the first load's attempt fails there and its retry
  // goes to the next BE in the list.
  o.benodes = "127.0.0.1:1, 127.0.0.1:" + std::to_string(doris.be_port());
  o.max_retries = 1;
  auto sink = open_sink(o);
  checkpoint(*sink, 1, 0, 5);
  checkpoint(*sink, 2, 5, 5);
  CHECK(summary(doris) == "10 1 10");
  // No load reached the FE; both were precommitted at the BE and committed through the FE.
  CHECK(doris.control("requests") == "ok fe_loads 0 be_loads 2 chunked 2");
  CHECK(doris.control("stats") ==
        "ok loads 2 visible 2 aborted 0 precommitted 0 max_commits 1 partial 0 flexible 0 "
        "sequence_kept 0");
}

TEST_CASE("doris sink: group commit loads carry no label, so a lost answer loads the rows twice") {
  DorisProcess doris;
  if (doris.external()) return;  // "lose" is the test server's control command
  auto o = options_for(doris);
  o.enable_2pc = false;
  o.sequence_from_position = true;
  o.stream_load_properties["group_commit"] = "async_mode";
  o.max_retries = 2;
  auto sink = open_sink(o);
  checkpoint(*sink, 1, 0, 4);
  // The next load is applied but its answer is lost: without a label nothing tells the retry
  // it was done, and Doris applies it again. The Unique Key (and the sequence column, since
  // group commit does not keep the order of loads) leave the table exact all the same.
  CHECK(doris.control("lose 1") == "ok");
  checkpoint(*sink, 2, 4, 4);
  CHECK(summary(doris) == "8 1 8");
  // Three loads of 4 rows, all visible; the repeat carried the same sequence values, which
  // replace (Doris keeps the larger or equal one), so no row was kept out.
  CHECK(doris.control("stats") ==
        "ok loads 3 visible 3 aborted 0 precommitted 0 max_commits 1 partial 0 flexible 0 "
        "sequence_kept 0");
  // Chunked loads (size unknown) switch async_mode to sync_mode: visible when answered, as
  // the checks above saw without waiting.
  CHECK(doris.control("requests") == "ok fe_loads 3 be_loads 3 chunked 3");
}
