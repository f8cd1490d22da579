// StateStore: the RocksDB-backed state of one state dir (ARCHITECTURE.md, "Checkpoints and
// resume"): checkpoint history, schema history, snapshot progress and small sink values, all keyed
// by pipeline name (key layout: state/state_keys.h). It owns the DB handle (RAII); every method is
// thread-safe. Every write is synced (WriteOptions::sync), so a write that returned OK survives
// power loss.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cdc/core/checkpoint.h"
#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace cdc::state {

struct Savepoint {
  std::string name;
  CheckpointRecord record;
};

// Empty when `name` may name a savepoint, else why not.
std::string savepoint_name_problem(std::string_view name);

enum class OpenMode : uint8_t {
  // The daemon: creates the dir if missing and takes RocksDB's LOCK file; one writer per dir.
  read_write,
  // `sluice checkpoints` while a daemon runs: a RocksDB *secondary* instance, which takes no
  // lock and is documented safe next to a live primary (OpenForReadOnly is documented as
  // undefined behaviour then). It sees the data as of open() (incl. the primary's WAL) and
  // newer data after refresh(). Its info log goes to a private temp dir, removed on close;
  // nothing is written to the state dir. Every write returns Errc::internal.
  read_only,
};

class StateStore {
  struct PrivateTag;  // defined in state_store.cpp: only open() can construct a StateStore

 public:
  // read_write: creates `dir` and its parents if missing. A dir held by another writer (another
  // process, or another StateStore in this one) is Errc::unavailable: "another sluice instance
  // holds the state dir <dir> (RocksDB lock <dir>/LOCK, by pid N)"; a refused open leaves the
  // dir untouched. read_only: a dir without a state store is Errc::invalid_config.
  // A store written with an unknown key layout is Errc::unsupported.
  static Result<std::unique_ptr<StateStore>> open(const std::string& dir,
                                                  OpenMode mode = OpenMode::read_write);
  StateStore(PrivateTag, std::string dir, OpenMode mode, std::unique_ptr<rocksdb::DB> db,
             std::string secondary_dir, std::string claimed_dir);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const std::string& dir() const { return dir_; }
  OpenMode mode() const { return mode_; }
  // read_only: catches up with what the writer has synced since open (or the last refresh).
  // read_write: nothing to do.
  Status refresh();

  // --- checkpoints (ARCHITECTURE.md, "Checkpoints and resume")
  // ------------------------------------------------------------- Writes the record and deletes the
  // pipeline's checkpoints beyond the `retained` newest (counting this one), in one synced
  // WriteBatch. Ids only grow: an id below the newest stored one is Errc::internal; the same id
  // again replaces that record (a re-committed checkpoint). `retained` must be >= 1
  // (Errc::invalid_config otherwise). The same batch prunes the schema history: versions below the
  // oldest retained checkpoint's position go, except each table's newest one below it (in force
  // there).
  Status put_checkpoint(std::string_view pipeline, const CheckpointRecord& record,
                        uint32_t retained);
  // Newest (highest id) first. A record that does not decode is Errc::malformed naming its key.
  Result<std::vector<CheckpointRecord>> checkpoints(std::string_view pipeline) const;
  Result<std::optional<CheckpointRecord>> latest_checkpoint(std::string_view pipeline) const;
  // The retained checkpoint `id`; nullopt when there is none, Errc::malformed naming it when it
  // does not decode.
  Result<std::optional<CheckpointRecord>> checkpoint(std::string_view pipeline, uint64_t id) const;
  // The retained checkpoints' ids, newest first, from the keys alone (records not decoded).
  Result<std::vector<uint64_t>> checkpoint_ids(std::string_view pipeline) const;
  // `sluice run --from-checkpoint ID`: deletes the pipeline's checkpoints newer than `id`,
  // whether they decode or not, in one synced batch; returns their ids, newest first.
  Result<std::vector<uint64_t>> drop_checkpoints_after(std::string_view pipeline, uint64_t id);
  // Names of all pipelines with any state, in bytewise order.
  Result<std::vector<std::string>> pipelines() const;

  // --- savepoints: named checkpoints that retention never prunes (README "Savepoints") -------
  // Stores a copy of `record` under `name` ([A-Za-z0-9_.-]{1,64}: Errc::invalid_config
  // otherwise). A name already taken is Errc::invalid_config. Schema history is kept back to the
  // oldest savepoint's position, so a restore can decode from there.
  Status put_savepoint(std::string_view pipeline, std::string_view name,
                       const CheckpointRecord& record);
  // Oldest (lowest checkpoint id) first.
  Result<std::vector<Savepoint>> savepoints(std::string_view pipeline) const;
  Result<std::optional<CheckpointRecord>> savepoint(std::string_view pipeline,
                                                    std::string_view name) const;
  // A name that does not exist is Errc::invalid_config.
  Status delete_savepoint(std::string_view pipeline, std::string_view name);

  // --- schema history (ARCHITECTURE.md, "Checkpoints and resume")
  // ---------------------------------------------------------- Stores `schema` (for table
  // schema.id) as the version in force from position `at` on. `at` must be a source position (not
  // std::monostate: Errc::internal).
  Status put_schema(std::string_view pipeline, const Position& at, const TableSchema& schema);
  // The version stored at the greatest position <= `at` of the same kind; nullopt before the first.
  Result<std::optional<TableSchema>> schema_at(std::string_view pipeline, const TableId& table,
                                               const Position& at) const;
  // Every version of the table in position order (grouped by position kind).
  Result<std::vector<std::pair<Position, TableSchema>>> schema_history(std::string_view pipeline,
                                                                       const TableId& table) const;
  // Every version of every table of the pipeline (tables in key order, each in position order):
  // what a source loads its schema history from at start.
  Result<std::vector<std::pair<Position, TableSchema>>> all_schemas(
      std::string_view pipeline) const;

  // --- snapshot progress (ARCHITECTURE.md, "Where to add things"): opaque per-table bytes
  // -------------------------------
  Status put_snapshot_progress(std::string_view pipeline, const TableId& table,
                               std::string_view bytes);
  Result<std::optional<std::string>> snapshot_progress(std::string_view pipeline,
                                                       const TableId& table) const;
  // Deletes the progress of every table of the pipeline, in one synced WriteBatch.
  Status clear_snapshot_progress(std::string_view pipeline);

  // --- small opaque values for sinks (pending Doris transactions etc.) ------------------------
  Status put_value(std::string_view pipeline, std::string_view key, std::string_view value);
  Result<std::optional<std::string>> get_value(std::string_view pipeline,
                                               std::string_view key) const;
  // Deleting a missing key is OK.
  Status delete_value(std::string_view pipeline, std::string_view key);

 private:
  Status require_writable(std::string_view what) const;
  Status write_synced(std::string_view what, rocksdb::WriteBatch& batch);
  Result<std::optional<std::string>> get(const std::string& key) const;
  Status prune_schemas(std::string_view pipeline, Position oldest,
                       rocksdb::WriteBatch& batch) const;

  const std::string dir_;
  const OpenMode mode_;
  std::unique_ptr<rocksdb::DB> db_;
  // read_only: the secondary instance's private dir (info log), removed by the destructor.
  const std::string secondary_dir_;
  // read_write: the canonical dir this writer claimed in the process-wide writer table.
  const std::string claimed_dir_;
  // Guards the read-then-write of put_checkpoint (find older ids, prune them) and of the
  // savepoint calls, so that two concurrent puts of one pipeline never compute their prune sets
  // from the same state and a prune never misses a savepoint being added.
  std::mutex checkpoint_mu_;
};

}  // namespace cdc::state
