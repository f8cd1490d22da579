// DorisSink: changes into Apache Doris Unique Key tables by Stream Load (README, "Doris
// sink"). Exactly-once (sink.enable-2pc, the default): every load of a checkpoint is
// precommitted (two_phase_commit) under a label derived from the pipeline, the table and the
// checkpoint id; prepare() returns those loads as the checkpoint's state; commit() commits
// them after the record is durable; open() finishes the newest record's loads (commit the
// precommitted ones) or, when one of them was aborted meanwhile (precommit timeout, BE
// restart), resumes from the checkpoint before it so that its changes are sent again under
// new labels. A label of a later checkpoint that already exists belongs to another instance
// of the pipeline (or a newer state dir) and stops the sink with Errc::fenced. Called from the
// pipeline thread only.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cdc/core/sink.h"
#include "sinks/common/partial_rows.h"
#include "sinks/doris/doris_client.h"
#include "sinks/doris/doris_metrics.h"
#include "sinks/doris/doris_options.h"
#include "sinks/doris/load_body.h"
#include "sinks/doris/load_record.h"

namespace cdc::sinks::doris {

// The label of load `n` of table db.table in checkpoint `checkpoint`:
// <prefix>_<db>_<table>_<checkpoint>_<n><suffix>. When db or table hold characters outside
// Doris's label alphabet ([-_A-Za-z0-9:]) or the label would exceed 128 characters, db_table
// is replaced by "t" + 16 hex digits of its FNV-1a hash (deterministic across restarts).
// `suffix` is empty in exactly-once mode.
std::string make_label(const std::string& prefix, const std::string& db, const std::string& table,
                       uint64_t checkpoint, uint32_t n, const std::string& suffix = "");

// The Doris database and table `table.identifier` names for a source table ({db}, {table}).
Result<std::pair<std::string, std::string>> resolve_identifier(const std::string& identifier,
                                                               const TableId& id);

class DorisSink final : public Sink {
 public:
  // `metrics` may be null (tests, validate).
  static Result<std::unique_ptr<DorisSink>> create(const DorisOptions& options,
                                                   std::shared_ptr<DorisMetrics> metrics = {});

  Result<std::optional<CheckpointRecord>> open(std::span<const CheckpointRecord> history) override;
  Status write(const Batch& batch) override;
  Result<std::string> prepare(uint64_t id, const Position& position) override;
  Status commit(uint64_t id) override;
  Status on_idle(const Position& written) override;
  bool exactly_once() const override { return o_.enable_2pc; }
  // The DDL of a schema change names renamed columns (schema_plan.h).
  bool wants_schema_changes() const override { return true; }

 private:
  struct Buffer {
    std::string db;
    std::string table;
    LoadBody body;  // JSON lines
    uint64_t rows = 0;
    uint32_t next_load = 0;  // n of the next label in the checkpoint being built
    TableSchemaPtr schema;   // the version the buffered rows and the Doris table follow
    // Columns the buffered rows leave out (a partial column update), in schema order; empty:
    // every column.
    std::vector<uint32_t> omitted;
    std::chrono::steady_clock::time_point first_row;
  };

  DorisSink(DorisOptions o, std::shared_ptr<DorisMetrics> metrics)
      : o_(std::move(o)),
        metrics_(std::move(metrics)),
        partial_inserts_(o_.partial_rows, "the Doris sink", "sink.doris") {}
  // The columns `e`'s line leaves out (a partial column update): an update's unchanged and
  // absent ones, a delete's absent ones. A view of the event or of omit_.
  std::span<const uint32_t> omitted_columns(const ChangeEvent& e);
  // Publishes the count and age of the loads precommitted and not yet committed.
  void publish_precommitted();
  Result<Buffer*> buffer_for(const TableSchema& schema);
  Status follow_schema(Buffer& b, const ChangeEvent& e);
  Status truncate(Buffer& b);
  Status flush(Buffer& b);
  Status flush_all();
  Status commit_label(const LoadRef& load);
  Status abort_label(const std::string& db, const std::string& label);

  DorisOptions o_;
  std::shared_ptr<DorisMetrics> metrics_;
  // A new row takes Doris's defaults for the columns its load leaves out, not the source's:
  // an insert with absent columns follows row-image.partial.
  PartialRows partial_inserts_;
  std::vector<bool> skipped_;    // of the batch being written: by partial_inserts_
  std::vector<uint32_t> omit_;   // scratch of omitted_columns()
  double oldest_precommit_ = 0;  // Unix time of the oldest load in pending_/prepared_, 0 if none
  std::unique_ptr<DorisClient> client_;
  std::map<TableId, Buffer> buffers_;  // by source table (after routing)
  std::vector<LoadRef> pending_;       // precommitted since the last prepare
  std::vector<LoadRef> prepared_;      // of the checkpoint between prepare and commit
  uint64_t building_ = 1;              // id of the checkpoint being built
  // Labels of this checkpoint id may have been precommitted by an earlier attempt of this
  // pipeline that never recorded it (a crash between a load and the record): they are ours
  // to abort. Any other existing label is another instance's.
  uint64_t recovery_id_ = 1;
  std::set<std::string> attempted_;  // labels this instance sent in the current checkpoint
  std::string attempt_suffix_;       // at-least-once: "_<ms of open>", see open()
  std::string line_;                 // one change's JSON lines, before they join a body
  // `sink.properties.group_commit` sync_mode or async_mode (at-least-once only): loads carry
  // no label, which Doris refuses with group commit.
  bool group_commit_ = false;
  bool flexible_ = false;  // flexible_updates(): no load per set of omitted columns
};

}  // namespace cdc::sinks::doris
