// The Doris sink's recovery by label, driven through the Sink interface against the Doris test
// server (tests/fakes/doris) with datagen batches: no database, so each crash point is placed
// exactly rather than hit by a random kill (mysql_to_doris_it does those).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <prometheus/registry.h>

#include <prometheus/registry.h>

#include "sinks/doris/doris_sink.h"
#include "tests/integration/doris_process.h"
#include "tests/support/datagen_rows.h"

using namespace cdc;
using namespace cdc::testing;

namespace {

std::unique_ptr<Batch> rows(uint64_t from, uint64_t count) { return datagen_rows(from, count); }

std::unique_ptr<sinks::doris::DorisSink> sink_for(
    const DorisProcess& doris, std::shared_ptr<sinks::doris::DorisMetrics> metrics = {}) {
  sinks::doris::DorisOptions o;
  o.fenodes = "127.0.0.1:" + std::to_string(doris.fe_port());
  o.password = doris.password();
  o.label_prefix = "recovery";
  o.pipeline = "recovery";
  o.max_retries = 0;
  auto sink = sinks::doris::DorisSink::create(o, std::move(metrics));
  REQUIRE(sink);
  return std::move(*sink);
}

// Where `open(history)` resumes: the datagen position (rows before it are in Doris), 0 for
// "from the start".
uint64_t open_at(sinks::doris::DorisSink& sink, const std::vector<CheckpointRecord>& history) {
  auto resumed = sink.open(history);
  REQUIRE_MESSAGE(resumed, resumed.error().message);
  if (!resumed->has_value()) return 0;
  const auto* at = std::get_if<DatagenPosition>(&(*resumed)->position);
  REQUIRE(at != nullptr);
  return at->next_row;
}

// Prepares checkpoint `id` at `position`; the record the runner would write.
CheckpointRecord prepare(sinks::doris::DorisSink& sink, uint64_t id, uint64_t position) {
  auto state = sink.prepare(id, DatagenPosition{position});
  REQUIRE_MESSAGE(state, state.error().message);
  return {id, DatagenPosition{position}, *state, 0};
}

std::vector<std::string> ids(DorisProcess& doris) {
  std::vector<std::string> out;
  for (const auto& row : doris.sql("datagen", "SELECT id FROM datagen.t ORDER BY id")) {
    out.push_back(row.at(0).value_or("NULL"));
  }
  return out;
}

}  // namespace

TEST_CASE("doris sink: two BE restarts in a row between precommit and commit lose nothing") {
  DorisProcess doris;
  if (doris.external()) return;           // restart_be needs the test server's control port
  std::vector<CheckpointRecord> history;  // newest first, as the state store gives it
  prometheus::Registry registry;          // one DorisMetrics across the restarts, as in the daemon
  auto metrics = std::make_shared<sinks::doris::DorisMetrics>(registry, "recovery");

  // Checkpoint 1: rows 1..3, committed.
  auto first = sink_for(doris, metrics);
  CHECK(open_at(*first, history) == 0);
  REQUIRE(first->write(*rows(0, 3)));
  history.insert(history.begin(), prepare(*first, 1, 3));
  REQUIRE(first->commit(1));

  // Checkpoint 2: rows 4..6 precommitted and recorded; the BE restarts before the commit.
  CHECK(metrics->oldest_precommit.Value() == 0);
  const double before_load =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  REQUIRE(first->write(*rows(3, 3)));
  history.insert(history.begin(), prepare(*first, 2, 6));
  CHECK(metrics->oldest_precommit.Value() >= before_load - 0.001);
  CHECK(metrics->precommitted.Value() == 1);
  CHECK(doris.control("restart_be") == "ok aborted 1");
  CHECK_FALSE(first->commit(2));
  first->close();

  // The restart resends from checkpoint 1 (rows 4..6 again, and 7..9) under checkpoint 3's
  // labels, and the BE restarts again before their commit.
  auto second = sink_for(doris, metrics);
  uint64_t from = open_at(*second, history);
  CHECK(from == 3);
  REQUIRE(second->write(*rows(from, 9 - from)));
  history.insert(history.begin(), prepare(*second, 3, 9));
  CHECK(doris.control("restart_be") == "ok aborted 1");
  CHECK_FALSE(second->commit(3));
  second->close();

  // Checkpoint 2's loads are lost as well: resuming there (after rows 4..6) would skip them.
  auto third = sink_for(doris, metrics);
  from = open_at(*third, history);
  CHECK(from == 3);
  REQUIRE(third->write(*rows(from, 9 - from)));
  history.insert(history.begin(), prepare(*third, 4, 9));
  REQUIRE(third->commit(4));
  third->close();

  CHECK(ids(doris) == std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8", "9"});
  CHECK(doris.control("stats") ==
        "ok loads 4 visible 2 aborted 2 precommitted 0 max_commits 1 partial 0 flexible 0 "
        "sequence_kept 0");
  // Four loads of 3, 3, 6 and 6 rows; two commits (the BE restarts aborted the other two);
  // nothing precommitted left.
  CHECK(metrics->loads.Value() == 4);
  CHECK(metrics->load_failures.Value() == 0);
  CHECK(metrics->rows.Value() == 18);
  CHECK(metrics->commits.Value() == 2);
  CHECK(metrics->precommitted.Value() == 0);
  CHECK(metrics->oldest_precommit.Value() == 0);
  CHECK(metrics->load_seconds.Collect().histogram.sample_count == 4);
}

TEST_CASE("doris sink: when every retained checkpoint lost its loads, open says so") {
  DorisProcess doris;
  if (doris.external()) return;
  std::vector<CheckpointRecord> history;
  auto sink = sink_for(doris);
  CHECK(open_at(*sink, history) == 0);
  REQUIRE(sink->write(*rows(0, 2)));
  history.insert(history.begin(), prepare(*sink, 1, 2));
  CHECK(doris.control("restart_be") == "ok aborted 1");
  sink->close();

  auto again = sink_for(doris);
  auto resumed = again->open(history);
  REQUIRE_FALSE(resumed);
  CHECK(resumed.error().message.find("checkpoints 1..1 all hold loads Doris no longer has") !=
        std::string::npos);
}
