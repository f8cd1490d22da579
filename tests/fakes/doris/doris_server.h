// The Doris test server's FE and BE request handling, without sockets (server.cpp owns those):
// Stream Load with two-phase commit, labels, get_load_state, the HTTP SQL API, the precommit
// timeout and the fault knobs of the control port. Each behaviour cites the Doris rule it
// follows (docs: "Stream Load", "Transaction" / 2PC, "HTTP SQL API", "GET LABEL STATE").
// Thread-safe: one mutex around all state; handlers are called from connection threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/fakes/doris/catalog.h"
#include "tests/fakes/doris/http_message.h"
#include "tests/fakes/doris/journal.h"

namespace cdc::testing::doris {

using Clock = std::chrono::steady_clock;

struct ServerOptions {
  std::string user = "root";
  std::string password;
  // Doris FE `stream_load_default_precommit_timeout_second` (default 3600 s): a PRECOMMITTED
  // transaction older than this is aborted by the transaction manager.
  std::chrono::milliseconds precommit_timeout = std::chrono::seconds(3600);
  // How long a commit answered "Publish Timeout" stays COMMITTED before it becomes VISIBLE.
  std::chrono::milliseconds publish_delay = std::chrono::milliseconds(500);
  // A table's group_commit_interval_ms (Doris default 10 s): how long an async_mode group
  // commit load stays in the WAL before it is visible.
  std::chrono::milliseconds group_commit_interval = std::chrono::seconds(10);
  int be_port = 0;  // where the FE redirects loads (Location: http://127.0.0.1:<be_port>/...)
};

enum class TxnState { prepare, precommitted, committed, visible, aborted };
std::string_view to_string(TxnState s);

struct Txn {
  int64_t id = 0;
  std::string db;
  std::string table;
  std::string label;
  TxnState state = TxnState::prepare;
  bool two_phase = false;
  std::vector<RowChange> changes;
  Clock::time_point precommitted_at;
  Clock::time_point publish_at;
  std::string abort_reason;
  int commits = 0;  // times this txn was made visible: must never exceed 1
};

// What a handler tells the connection to do.
struct Reply {
  HttpResponse response;
  bool reset = false;  // close the connection without answering (a lost reply or a reset)
  std::chrono::milliseconds delay{0};
};

enum class Port { fe, be };

class DorisServer {
 public:
  explicit DorisServer(ServerOptions o) : o_(std::move(o)) {}

  // Keeps the state in `dir` (journal.h): replays what is there, then journals every change.
  // What a restart keeps follows Doris: committed loads (published now if they were not yet),
  // and PRECOMMITTED loads, still committable (the FE journals the precommit, the BE keeps the
  // rowsets; FE GlobalTransactionMgr.abortTxnWhenCoordinateBeRestart aborts only PREPARE
  // transactions, which the test server never journals: a load it was reading when killed
  // leaves nothing, and its label is free). Their precommit timeout counts from the restart.
  // Error logs (ErrorURL) are not kept. Call before serving.
  Status open_data_dir(const std::string& dir);

  // Decided on the head alone, before the body is read: an FE Stream Load is redirected
  // (the FE never reads the data; clients send `Expect: 100-continue` so that no body is sent
  // to it), a missing route or bad credentials are answered, and a `reset` fault closes the
  // connection before the body. nullopt: read the body and call handle().
  std::optional<Reply> on_head(Port port, const HttpRequest& req);
  Reply handle(Port port, const HttpRequest& req);

  // Aborts PRECOMMITTED transactions past the precommit timeout and publishes commits whose
  // "Publish Timeout" delay has passed. Runs before every request and on the server's timer.
  void on_timer() {
    std::lock_guard lock(mu_);
    tick(Clock::now());
  }

  // Control port: one command per line, one line answered ("ok ..." or "error ...").
  std::string control(std::string_view line);

  // For unit tests.
  Catalog& catalog_for_test() { return catalog_; }
  std::optional<Txn> txn_for_test(int64_t id);

 private:
  Reply stream_load(const HttpRequest& req, const std::string& db, const std::string& table);
  Reply two_phase(const HttpRequest& req, const std::string& db);
  Reply load_state(const HttpRequest& req, const std::string& db);
  Reply sql(const HttpRequest& req, const std::string& db);
  Reply error_log(const HttpRequest& req);
  bool authorized(const HttpRequest& req) const;
  void tick(Clock::time_point now);
  void make_visible(Txn& txn, Clock::time_point now, bool publish_timeout);
  void abort(Txn& txn, std::string reason);
  void publish(Txn& txn);  // applies a COMMITTED transaction's rows: VISIBLE
  // Appends a journal record (no-op without a data dir); a server that cannot keep what it is
  // about to acknowledge exits.
  void record(const std::string& line);
  Status replay(std::string_view line);
  static std::string load_record(const Txn& t, TxnState state);
  Txn* txn_by_label(const std::string& db, const std::string& label);

  ServerOptions o_;
  std::mutex mu_;
  Catalog catalog_;
  std::map<int64_t, Txn> txns_;
  // (db, label) -> the txn holding it. Doris: a label is unique within a database; the label
  // of an aborted load may be used again.
  std::map<std::pair<std::string, std::string>, int64_t> labels_;
  int64_t next_txn_ = 1000;
  std::map<std::string, std::string> error_logs_;  // file -> reasons
  // Faults (control port).
  std::chrono::milliseconds delay_{0};
  int fail_loads_ = 0;
  int reset_loads_ = 0;
  int lose_loads_ = 0;
  int publish_timeouts_ = 0;
  int fail_commits_ = 0;
  int64_t fe_loads_ = 0;       // Stream Load heads the FE answered (control "requests")
  int64_t be_loads_ = 0;       // Stream Load heads the BE took
  int64_t chunked_loads_ = 0;  // of those, accepted with Transfer-Encoding chunked
  int64_t partial_loads_ = 0, flexible_loads_ = 0;  // by update mode (see "requests")
  int64_t sequence_kept_ = 0;         // rows a table's sequence column kept out (see stats)
  std::unique_ptr<Journal> journal_;  // null without --data-dir, and while replaying
};

}  // namespace cdc::testing::doris
