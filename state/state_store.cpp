#include "state/state_store.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "cdc/core/byte_reader.h"
#include "state/checkpoint_codec.h"
#include "state/schema_codec.h"
#include "state/state_keys.h"

namespace cdc::state {

namespace fs = std::filesystem;

namespace {

Error from_rocks(const rocksdb::Status& s, std::string_view what) {
  Errc code = Errc::internal;
  if (s.IsIOError()) {
    code = Errc::io;
  } else if (s.IsCorruption()) {
    code = Errc::malformed;
  } else if (s.IsNotSupported()) {
    code = Errc::unsupported;
  } else if (s.IsBusy() || s.IsTryAgain()) {
    code = Errc::unavailable;
  } else if (s.IsTimedOut()) {
    code = Errc::timeout;
  }
  return make_error(code, std::string(what) + ": " + s.ToString());
}

// RocksDB reports a held LOCK file as an IOError: "While lock file: <dir>/LOCK: Resource
// temporarily unavailable" (fcntl lock of another process) or "lock hold by current process"
// (its in-process table of locked files). Only a fallback: claim_writer() and lock_holder()
// refuse first, so this is reached only if another process took the lock after the probe.
bool is_lock_held(const rocksdb::Status& s) {
  if (!s.IsIOError()) return false;
  const std::string text = s.ToString();
  return text.find("While lock file") != std::string::npos ||
         text.find("lock hold by current process") != std::string::npos;
}

// Writers of this process by canonical dir. RocksDB's own in-process lock table would refuse a
// second writer too, but only after it has rotated the live writer's info LOG; and the probe of
// the LOCK file below must never run in a process that holds that lock, because closing any fd
// of a file drops all of the process's fcntl locks on it. Claiming the dir here first makes
// both impossible. writers_mu() guards writers().
std::mutex& writers_mu() {
  static std::mutex mu;
  return mu;
}
std::set<std::string>& writers() {
  static std::set<std::string> dirs;
  return dirs;
}
bool claim_writer(const std::string& canonical_dir) {
  std::lock_guard lock(writers_mu());
  return writers().insert(canonical_dir).second;
}
void release_writer(const std::string& canonical_dir) {
  std::lock_guard lock(writers_mu());
  writers().erase(canonical_dir);
}

// The pid of another process holding RocksDB's fcntl lock on <dir>/LOCK, if any. Only called
// with the dir claimed by this process (see writers()), so closing the fd drops no lock of ours.
std::optional<pid_t> lock_holder(const std::string& dir) {
  const int fd = ::open((fs::path(dir) / "LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;  // no LOCK file yet: no one has opened the dir
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  std::optional<pid_t> holder;
  if (::fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) holder = fl.l_pid;
  ::close(fd);
  return holder;
}

Error held_by_another(const std::string& dir, std::string detail) {
  return make_error(Errc::unavailable, "another sluice instance holds the state dir " + dir +
                                           " (RocksDB lock " + dir + "/LOCK" + detail + ")");
}

// RocksDB meets a full disk badly: a WAL append that fails leaves its file writer in an error
// state that the write's own sync then trips over (an assertion, which Debian's librocksdb 7.8
// keeps on: the process aborts), and a failed flush stops all writes until Resume(). So a write
// is refused before it starts while the state dir's filesystem has less than this free: a
// retryable Errc::io naming the dir, and the pipeline retries from its last checkpoint until
// space is freed. The state is a few KB; this leaves room for the WAL, a flush and the LOG.
constexpr uint64_t kMinFreeBytes = 1u << 20;

// Free bytes for unprivileged writers on the filesystem of `dir`; nullopt if statvfs fails.
std::optional<uint64_t> free_bytes(const std::string& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return std::nullopt;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

// The first RocksDB write-ahead log or table file in `dir` ("000012.log", "000009.sst").
std::optional<std::string> data_file_in(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const size_t dot = name.find('.');
    if (dot == 0 || dot == std::string::npos) continue;
    const std::string_view ext = std::string_view(name).substr(dot);
    if ((ext == ".log" || ext == ".sst") &&
        std::all_of(name.begin(), name.begin() + static_cast<std::ptrdiff_t>(dot),
                    [](char c) { return c >= '0' && c <= '9'; })) {
      return name;
    }
  }
  return std::nullopt;
}

rocksdb::Options base_options() {
  rocksdb::Options options;
  options.OptimizeForSmallDb();  // a few KB of state: small memtables and cache
  options.keep_log_file_num = 4;
  return options;
}

// A private dir for a secondary instance's info log, under $TMPDIR (or /tmp).
Result<std::string> make_secondary_dir() {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string templ = (base / "sluice-state-reader-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    return make_error(Errc::io, "creating a temp dir " + templ + ": " + std::strerror(errno));
  }
  return templ;
}

std::string_view view(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

Error malformed_at(const std::string& key, Error e) {
  e.code = e.code == Errc::unsupported ? Errc::unsupported : Errc::malformed;
  return std::move(e).with_context("state key " + keys::printable(key));
}

// `dir` names the state dir in the message of a damaged record.
Result<CheckpointRecord> decode_checkpoint_at(std::string_view key, std::string_view prefix,
                                              std::string_view value, const std::string& dir) {
  const auto id = keys::checkpoint_id(key, prefix);
  if (!id) {
    return make_error(Errc::malformed,
                      "state key " + keys::printable(key) + ": not a checkpoint key");
  }
  auto record = decode_checkpoint(as_bytes(value));
  if (!record) {
    return malformed_at(std::string(key), std::move(record).error())
        .with_context("checkpoint " + std::to_string(*id) + " in state dir " + dir +
                      " is damaged (`sluice checkpoints --state-dir " + dir +
                      "` lists the retained ones; resume from an older one with `sluice run FILE "
                      "--from-checkpoint ID`, restore the dir from a backup, or move it away to "
                      "resume from the sink's own offsets where the sink keeps them)");
  }
  if (record->id != *id) {
    return make_error(Errc::malformed, "state key " + keys::printable(key) + ": holds checkpoint " +
                                           std::to_string(record->id) + ", key says " +
                                           std::to_string(*id));
  }
  return std::move(*record);
}

Result<std::pair<Position, TableSchema>> decode_schema_at(std::string_view key,
                                                          std::string_view table_prefix,
                                                          const TableId& table,
                                                          std::string_view value) {
  auto entry = decode_schema_entry(as_bytes(value));
  if (!entry) return malformed_at(std::string(key), std::move(entry).error());
  auto sort_key = keys::position_sort_key(entry->first);
  if (!sort_key || key.substr(table_prefix.size()) != *sort_key || entry->second.id != table) {
    return make_error(Errc::malformed, "state key " + keys::printable(key) +
                                           ": holds the schema of " + entry->second.id.to_string() +
                                           " at " + to_string(entry->first) +
                                           ", which is not this key");
  }
  return std::move(*entry);
}

// Visits the keys starting with `prefix` in order (or reverse order) until visit returns false.
Status scan_prefix(rocksdb::DB& db, const std::string& prefix, bool reverse,
                   const std::function<Result<bool>(std::string_view, std::string_view)>& visit) {
  const std::string upper = keys::prefix_successor(prefix);
  const rocksdb::Slice lower_slice(prefix);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower_slice;
  if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ro));
  if (reverse) {
    it->SeekToLast();
  } else {
    it->SeekToFirst();
  }
  for (; it->Valid(); reverse ? it->Prev() : it->Next()) {
    CDC_TRY_ASSIGN(const bool more, visit(view(it->key()), view(it->value())));
    if (!more) break;
  }
  if (!it->status().ok()) return from_rocks(it->status(), "reading state");
  return {};
}

}  // namespace

struct StateStore::PrivateTag {};

StateStore::StateStore(PrivateTag, std::string dir, OpenMode mode, std::unique_ptr<rocksdb::DB> db,
                       std::string secondary_dir, std::string claimed_dir)
    : dir_(std::move(dir)),
      mode_(mode),
      db_(std::move(db)),
      secondary_dir_(std::move(secondary_dir)),
      claimed_dir_(std::move(claimed_dir)) {}

StateStore::~StateStore() {
  if (db_) {
    // Close() syncs nothing we need (every write was synced); its status only reports
    // background errors already surfaced by the failing write.
    (void)db_->Close();  // ignored because a destructor has no one to report to
    db_.reset();
  }
  // After the DB (and its LOCK) is closed, so that a new writer of this process can open it.
  if (!claimed_dir_.empty()) release_writer(claimed_dir_);
  if (!secondary_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(secondary_dir_, ec);  // a leftover temp dir is harmless
  }
}

Result<std::unique_ptr<StateStore>> StateStore::open(const std::string& dir, OpenMode mode) {
  rocksdb::Options options = base_options();
  rocksdb::DB* raw = nullptr;
  std::string secondary_dir;
  std::string claimed_dir;
  if (mode == OpenMode::read_write) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return make_error(Errc::io, "creating the state dir " + dir + ": " + ec.message());
    const fs::path canonical = fs::canonical(dir, ec);
    if (ec) return make_error(Errc::io, "resolving the state dir " + dir + ": " + ec.message());
    claimed_dir = canonical.string();
    if (!claim_writer(claimed_dir)) return held_by_another(dir, ", by this process");
    if (const auto pid = lock_holder(dir)) {
      release_writer(claimed_dir);
      return held_by_another(dir, ", by pid " + std::to_string(*pid));
    }
    // RocksDB would make a new, empty store beside data whose CURRENT was lost: a silent new
    // start. A dir with a write-ahead log or a table file but no CURRENT is damaged (or
    // someone else's) and refused; without them it is a creation cut short (CURRENT is written
    // after the first MANIFEST, the first log after CURRENT), which RocksDB simply redoes.
    if (!fs::exists(fs::path(dir) / "CURRENT", ec)) {
      if (const auto data = data_file_in(dir)) {
        release_writer(claimed_dir);
        return make_error(Errc::invalid_config,
                          "state dir " + dir + " holds " + *data +
                              " but no RocksDB CURRENT file: it is damaged or not a sluice "
                              "state dir; sluice does not start anew over it. Restore it from a "
                              "backup, or move it away to start from the sink's own offsets "
                              "where the sink keeps them");
      }
    }
    // Opening writes too (the recovered WAL flushed to a table, a new WAL and MANIFEST).
    if (const auto free = free_bytes(dir); free && *free < kMinFreeBytes) {
      release_writer(claimed_dir);
      return make_error(Errc::io, "opening the state dir " + dir + ": No space left on device (" +
                                      std::to_string(*free) + " bytes free, at least " +
                                      std::to_string(kMinFreeBytes) +
                                      " needed on its filesystem); free space and start again");
    }
    options.create_if_missing = true;
    const rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
    if (!s.ok()) {
      release_writer(claimed_dir);
      // Another process may have taken the lock between the probe and the open.
      if (is_lock_held(s)) return held_by_another(dir, ": " + s.ToString());
      Error e = from_rocks(s, "opening the state dir " + dir);
      if (s.IsCorruption()) {
        e.message +=
            " (the state store is damaged: restore the dir from a backup, or move it "
            "away to start from the sink's own offsets where the sink keeps them)";
      }
      return e;
    }
  } else {
    std::error_code ec;
    if (!fs::exists(fs::path(dir) / "CURRENT", ec)) {
      return make_error(Errc::invalid_config, "no sluice state store in " + dir +
                                                  " (no RocksDB CURRENT file" +
                                                  (ec ? ": " + ec.message() : std::string()) + ")");
    }
    CDC_TRY_ASSIGN(secondary_dir, make_secondary_dir());
    options.max_open_files = -1;  // required of secondary instances
    // A live writer can replace the MANIFEST or delete a WAL between the reader's reading of
    // CURRENT and of those files (an IOError); a fresh attempt sees the new set.
    constexpr int kAttempts = 3;
    rocksdb::Status s;
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      s = rocksdb::DB::OpenAsSecondary(options, dir, secondary_dir, &raw);
      if (s.ok() || !(s.IsIOError() || s.IsPathNotFound()) || attempt == kAttempts) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
    }
    if (!s.ok()) {
      fs::remove_all(secondary_dir, ec);
      return from_rocks(s, "opening the state dir " + dir + " for reading");
    }
  }
  auto store =
      std::make_unique<StateStore>(PrivateTag{}, dir, mode, std::unique_ptr<rocksdb::DB>(raw),
                                   std::move(secondary_dir), std::move(claimed_dir));

  // The layout version guards against a future sluice's state being misread by this one.
  const std::string layout_key = keys::layout_key();
  CDC_TRY_ASSIGN(auto layout, store->get(layout_key));
  if (layout) {
    if (layout->size() != 1 || static_cast<uint8_t>((*layout)[0]) != keys::kLayoutVersion) {
      return make_error(Errc::unsupported, "state dir " + dir + " uses key layout " +
                                               keys::printable(*layout) + " (this build reads " +
                                               std::to_string(keys::kLayoutVersion) + ")");
    }
  } else if (mode == OpenMode::read_write) {
    rocksdb::WriteBatch batch;
    batch.Put(layout_key, std::string(1, static_cast<char>(keys::kLayoutVersion)));
    CDC_TRY(store->write_synced("recording the key layout", batch));
  }
  return store;
}

Status StateStore::refresh() {
  if (mode_ == OpenMode::read_write) return {};
  const rocksdb::Status s = db_->TryCatchUpWithPrimary();
  if (!s.ok()) return from_rocks(s, "catching up with the writer of " + dir_);
  return {};
}

Status StateStore::require_writable(std::string_view what) const {
  if (mode_ == OpenMode::read_write) return {};
  return make_error(Errc::internal,
                    std::string(what) + ": the state dir " + dir_ + " was opened read-only");
}

Status StateStore::write_synced(std::string_view what, rocksdb::WriteBatch& batch) {
  CDC_TRY(require_writable(what));
  if (const auto free = free_bytes(dir_); free && *free < kMinFreeBytes) {
    return make_error(Errc::io, std::string(what) + " in " + dir_ + ": No space left on device (" +
                                    std::to_string(*free) + " bytes free, at least " +
                                    std::to_string(kMinFreeBytes) +
                                    " needed on the state dir's filesystem)");
  }
  // A write refused earlier (a flush that met a full disk) leaves RocksDB read-only until
  // Resume(), which is a no-op on a healthy DB.
  (void)db_->Resume();  // ignored: the write below reports what is still wrong
  rocksdb::WriteOptions wo;
  wo.sync = true;
  const rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) return from_rocks(s, std::string(what) + " in " + dir_);
  return {};
}

Result<std::optional<std::string>> StateStore::get(const std::string& key) const {
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return from_rocks(s, "reading state key " + keys::printable(key));
  return std::optional<std::string>(std::move(value));
}

// --- checkpoints ---------------------------------------------------------------------------

Status StateStore::put_checkpoint(std::string_view pipeline, const CheckpointRecord& record,
                                  uint32_t retained) {
  const std::string what =
      "writing checkpoint " + std::to_string(record.id) + " of pipeline " + std::string(pipeline);
  CDC_TRY(require_writable(what));
  if (retained == 0) {
    return make_error(Errc::invalid_config, what + ": at least one checkpoint must be retained");
  }
  std::lock_guard lock(checkpoint_mu_);
  const std::string prefix = keys::checkpoint_prefix(pipeline);
  std::vector<uint64_t> older;  // stored ids other than record.id, newest first
  CDC_TRY(scan_prefix(
      *db_, prefix, /*reverse=*/true, [&](std::string_view key, std::string_view) -> Result<bool> {
        const auto id = keys::checkpoint_id(key, prefix);
        if (!id) {
          return make_error(Errc::malformed,
                            "state key " + keys::printable(key) + ": not a checkpoint key");
        }
        if (*id != record.id) older.push_back(*id);
        return true;
      }));
  if (!older.empty() && older.front() > record.id) {
    return make_error(Errc::internal, what + ": checkpoint " + std::to_string(older.front()) +
                                          " is newer; ids only grow");
  }
  rocksdb::WriteBatch batch;
  batch.Put(keys::checkpoint_key(pipeline, record.id), encode_checkpoint(record));
  // The new record is the newest, so `retained - 1` older ones stay.
  for (size_t idx = retained - 1; idx < older.size(); ++idx) {
    batch.Delete(keys::checkpoint_key(pipeline, older[idx]));
  }
  // The oldest checkpoint kept is the oldest position a resume can use: schema versions below
  // it are needed no more, except each table's newest one there (in force at that position).
  Position oldest = record.position;
  const size_t kept_older = std::min<size_t>(retained - 1, older.size());
  if (kept_older != 0) {
    const std::string key = keys::checkpoint_key(pipeline, older[kept_older - 1]);
    CDC_TRY_ASSIGN(auto value, get(key));
    if (!value) {
      return make_error(Errc::internal,
                        what + ": checkpoint " + keys::printable(key) + " vanished");
    }
    CDC_TRY_ASSIGN(auto kept, decode_checkpoint_at(key, prefix, *value, dir_));
    oldest = kept.position;
  }
  CDC_TRY(prune_schemas(pipeline, oldest, batch));
  return write_synced(what, batch);
}

Status StateStore::prune_schemas(std::string_view pipeline, Position oldest,
                                 rocksdb::WriteBatch& batch) const {
  if (std::holds_alternative<std::monostate>(oldest)) return {};
  // A savepoint may be restored at any time: its position counts as retained.
  CDC_TRY_ASSIGN(const auto kept, savepoints(pipeline));
  for (const auto& sp : kept) {
    if (compare(sp.record.position, oldest) == std::partial_ordering::less) {
      oldest = sp.record.position;
    }
  }
  const std::string prefix = keys::pipeline_prefix(pipeline) + keys::kSchemaTag;
  // Keys sort by table, then by position: per table, every version below `oldest` but the last.
  std::string previous_key;
  TableId previous_table;
  return scan_prefix(*db_, prefix, /*reverse=*/false,
                     [&](std::string_view key, std::string_view value) -> Result<bool> {
                       auto entry = decode_schema_entry(as_bytes(value));
                       if (!entry) return malformed_at(std::string(key), std::move(entry).error());
                       if (compare(entry->first, oldest) != std::partial_ordering::less) {
                         previous_key.clear();
                         return true;
                       }
                       if (!previous_key.empty() && previous_table == entry->second.id) {
                         batch.Delete(previous_key);
                       }
                       previous_key = std::string(key);
                       previous_table = entry->second.id;
                       return true;
                     });
}

// --- savepoints ----------------------------------------------------------------------------

std::string savepoint_name_problem(std::string_view name) {
  constexpr size_t kMaxName = 64;
  if (name.empty() || name.size() > kMaxName) {
    return "a savepoint name has 1 to " + std::to_string(kMaxName) + " characters";
  }
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return "a savepoint name is made of A-Z a-z 0-9 _ . - only";
  }
  return {};
}

Status StateStore::put_savepoint(std::string_view pipeline, std::string_view name,
                                 const CheckpointRecord& record) {
  const std::string what =
      "writing savepoint '" + std::string(name) + "' of pipeline " + std::string(pipeline);
  CDC_TRY(require_writable(what));
  if (auto problem = savepoint_name_problem(name); !problem.empty()) {
    return make_error(Errc::invalid_config, what + ": " + problem);
  }
  std::lock_guard lock(checkpoint_mu_);
  const std::string key = keys::savepoint_key(pipeline, name);
  CDC_TRY_ASSIGN(const auto existing, get(key));
  if (existing) return make_error(Errc::invalid_config, what + ": the name is taken");
  rocksdb::WriteBatch batch;
  batch.Put(key, encode_checkpoint(record));
  return write_synced(what, batch);
}

Result<std::vector<Savepoint>> StateStore::savepoints(std::string_view pipeline) const {
  const std::string prefix = keys::savepoint_prefix(pipeline);
  std::vector<Savepoint> out;
  CDC_TRY(scan_prefix(*db_, prefix, /*reverse=*/false,
                      [&](std::string_view key, std::string_view value) -> Result<bool> {
                        auto name = keys::leading_component(key.substr(prefix.size()));
                        if (!name || keys::savepoint_key(pipeline, *name) != key) {
                          return make_error(Errc::malformed, "state key " + keys::printable(key) +
                                                                 ": not a savepoint key");
                        }
                        auto record = decode_checkpoint(as_bytes(value));
                        if (!record)
                          return malformed_at(std::string(key), std::move(record).error());
                        out.push_back(Savepoint{std::move(*name), std::move(*record)});
                        return true;
                      }));
  std::stable_sort(out.begin(), out.end(), [](const Savepoint& a, const Savepoint& b) {
    return a.record.id < b.record.id;
  });
  return out;
}

Result<std::optional<CheckpointRecord>> StateStore::savepoint(std::string_view pipeline,
                                                              std::string_view name) const {
  const std::string key = keys::savepoint_key(pipeline, name);
  CDC_TRY_ASSIGN(auto value, get(key));
  if (!value) return std::optional<CheckpointRecord>{};
  auto record = decode_checkpoint(as_bytes(*value));
  if (!record) return malformed_at(key, std::move(record).error());
  return std::optional<CheckpointRecord>(std::move(*record));
}

Status StateStore::delete_savepoint(std::string_view pipeline, std::string_view name) {
  const std::string what =
      "deleting savepoint '" + std::string(name) + "' of pipeline " + std::string(pipeline);
  CDC_TRY(require_writable(what));
  std::lock_guard lock(checkpoint_mu_);
  const std::string key = keys::savepoint_key(pipeline, name);
  CDC_TRY_ASSIGN(const auto existing, get(key));
  if (!existing) return make_error(Errc::invalid_config, what + ": no such savepoint");
  rocksdb::WriteBatch batch;
  batch.Delete(key);
  return write_synced(what, batch);
}

Result<std::vector<CheckpointRecord>> StateStore::checkpoints(std::string_view pipeline) const {
  const std::string prefix = keys::checkpoint_prefix(pipeline);
  std::vector<CheckpointRecord> out;
  CDC_TRY(scan_prefix(*db_, prefix, /*reverse=*/true,
                      [&](std::string_view key, std::string_view value) -> Result<bool> {
                        CDC_TRY_ASSIGN(auto record, decode_checkpoint_at(key, prefix, value, dir_));
                        out.push_back(std::move(record));
                        return true;
                      }));
  return out;
}

Result<std::optional<CheckpointRecord>> StateStore::latest_checkpoint(
    std::string_view pipeline) const {
  const std::string prefix = keys::checkpoint_prefix(pipeline);
  std::optional<CheckpointRecord> out;
  CDC_TRY(scan_prefix(*db_, prefix, /*reverse=*/true,
                      [&](std::string_view key, std::string_view value) -> Result<bool> {
                        CDC_TRY_ASSIGN(out, decode_checkpoint_at(key, prefix, value, dir_));
                        return false;
                      }));
  return out;
}

Result<std::optional<CheckpointRecord>> StateStore::checkpoint(std::string_view pipeline,
                                                               uint64_t id) const {
  const std::string key = keys::checkpoint_key(pipeline, id);
  CDC_TRY_ASSIGN(auto value, get(key));
  if (!value) return std::optional<CheckpointRecord>();
  CDC_TRY_ASSIGN(auto record,
                 decode_checkpoint_at(key, keys::checkpoint_prefix(pipeline), *value, dir_));
  return std::optional<CheckpointRecord>(std::move(record));
}

Result<std::vector<uint64_t>> StateStore::checkpoint_ids(std::string_view pipeline) const {
  const std::string prefix = keys::checkpoint_prefix(pipeline);
  std::vector<uint64_t> ids;
  CDC_TRY(scan_prefix(
      *db_, prefix, /*reverse=*/true, [&](std::string_view key, std::string_view) -> Result<bool> {
        const auto id = keys::checkpoint_id(key, prefix);
        if (!id) {
          return make_error(Errc::malformed,
                            "state key " + keys::printable(key) + ": not a checkpoint key");
        }
        ids.push_back(*id);
        return true;
      }));
  return ids;
}

Result<std::vector<uint64_t>> StateStore::drop_checkpoints_after(std::string_view pipeline,
                                                                 uint64_t id) {
  const std::string what = "dropping the checkpoints of pipeline " + std::string(pipeline) +
                           " newer than " + std::to_string(id);
  CDC_TRY(require_writable(what));
  std::lock_guard lock(checkpoint_mu_);
  // Keys only, never the values: a record that does not decode is what this is for.
  CDC_TRY_ASSIGN(std::vector<uint64_t> newer, checkpoint_ids(pipeline));
  std::erase_if(newer, [id](uint64_t n) { return n <= id; });
  if (newer.empty()) return newer;
  rocksdb::WriteBatch batch;
  for (uint64_t n : newer) batch.Delete(keys::checkpoint_key(pipeline, n));
  CDC_TRY(write_synced(what, batch));
  return newer;
}

Result<std::vector<std::string>> StateStore::pipelines() const {
  const std::string lower(1, keys::kPipelineSpace);
  const std::string upper = keys::prefix_successor(lower);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  std::vector<std::string> out;
  // Skip-scan: read one key, then seek past everything of its pipeline.
  for (it->Seek(lower); it->Valid();) {
    auto name = keys::pipeline_of(view(it->key()));
    if (!name) {
      return make_error(Errc::malformed,
                        "state key " + keys::printable(view(it->key())) + ": no pipeline name");
    }
    it->Seek(keys::prefix_successor(keys::pipeline_prefix(*name)));
    out.push_back(std::move(*name));
  }
  if (!it->status().ok()) return from_rocks(it->status(), "listing pipelines in " + dir_);
  return out;
}

// --- schema history ------------------------------------------------------------------------

Status StateStore::put_schema(std::string_view pipeline, const Position& at,
                              const TableSchema& schema) {
  const std::string what = "writing the schema of " + schema.id.to_string() + " at " +
                           to_string(at) + " for pipeline " + std::string(pipeline);
  auto key = keys::schema_key(pipeline, schema.id, at);
  if (!key) return std::move(key).error().with_context(what);
  rocksdb::WriteBatch batch;
  batch.Put(*key, encode_schema_entry(at, schema));
  return write_synced(what, batch);
}

Result<std::optional<TableSchema>> StateStore::schema_at(std::string_view pipeline,
                                                         const TableId& table,
                                                         const Position& at) const {
  auto sort_key = keys::position_sort_key(at);
  if (!sort_key) {
    return std::move(sort_key).error().with_context("looking up the schema of " +
                                                    table.to_string());
  }
  const std::string table_prefix = keys::schema_table_prefix(pipeline, table);
  // Only versions of the same position kind: the first byte of the sort key.
  const std::string kind_prefix = table_prefix + sort_key->substr(0, 1);
  const rocksdb::Slice lower_slice(kind_prefix);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  it->SeekForPrev(table_prefix + *sort_key);
  if (!it->Valid()) {
    if (!it->status().ok()) return from_rocks(it->status(), "reading schema history in " + dir_);
    return std::optional<TableSchema>();
  }
  CDC_TRY_ASSIGN(auto entry,
                 decode_schema_at(view(it->key()), table_prefix, table, view(it->value())));
  return std::optional<TableSchema>(std::move(entry.second));
}

Result<std::vector<std::pair<Position, TableSchema>>> StateStore::schema_history(
    std::string_view pipeline, const TableId& table) const {
  const std::string table_prefix = keys::schema_table_prefix(pipeline, table);
  std::vector<std::pair<Position, TableSchema>> out;
  CDC_TRY(scan_prefix(*db_, table_prefix, /*reverse=*/false,
                      [&](std::string_view key, std::string_view value) -> Result<bool> {
                        CDC_TRY_ASSIGN(auto entry,
                                       decode_schema_at(key, table_prefix, table, value));
                        out.push_back(std::move(entry));
                        return true;
                      }));
  return out;
}

Result<std::vector<std::pair<Position, TableSchema>>> StateStore::all_schemas(
    std::string_view pipeline) const {
  const std::string prefix = keys::pipeline_prefix(pipeline) + keys::kSchemaTag;
  std::vector<std::pair<Position, TableSchema>> out;
  CDC_TRY(scan_prefix(
      *db_, prefix, /*reverse=*/false,
      [&](std::string_view key, std::string_view value) -> Result<bool> {
        auto entry = decode_schema_entry(as_bytes(value));
        if (!entry) return malformed_at(std::string(key), std::move(entry).error());
        const std::string table_prefix = keys::schema_table_prefix(pipeline, entry->second.id);
        CDC_TRY_ASSIGN(auto checked, decode_schema_at(key, table_prefix, entry->second.id, value));
        out.push_back(std::move(checked));
        return true;
      }));
  return out;
}

// --- snapshot progress ---------------------------------------------------------------------

Status StateStore::put_snapshot_progress(std::string_view pipeline, const TableId& table,
                                         std::string_view bytes) {
  rocksdb::WriteBatch batch;
  batch.Put(keys::snapshot_key(pipeline, table), rocksdb::Slice(bytes.data(), bytes.size()));
  return write_synced("writing the snapshot progress of " + table.to_string() + " for pipeline " +
                          std::string(pipeline),
                      batch);
}

Result<std::optional<std::string>> StateStore::snapshot_progress(std::string_view pipeline,
                                                                 const TableId& table) const {
  return get(keys::snapshot_key(pipeline, table));
}

Status StateStore::clear_snapshot_progress(std::string_view pipeline) {
  const std::string what = "clearing the snapshot progress of pipeline " + std::string(pipeline);
  CDC_TRY(require_writable(what));
  rocksdb::WriteBatch batch;
  CDC_TRY(scan_prefix(*db_, keys::snapshot_prefix(pipeline), /*reverse=*/false,
                      [&](std::string_view key, std::string_view) -> Result<bool> {
                        batch.Delete(rocksdb::Slice(key.data(), key.size()));
                        return true;
                      }));
  if (batch.Count() == 0) return {};
  return write_synced(what, batch);
}

// --- sink values ---------------------------------------------------------------------------

Status StateStore::put_value(std::string_view pipeline, std::string_view key,
                             std::string_view value) {
  rocksdb::WriteBatch batch;
  batch.Put(keys::value_key(pipeline, key), rocksdb::Slice(value.data(), value.size()));
  return write_synced(
      "writing value " + keys::printable(key) + " of pipeline " + std::string(pipeline), batch);
}

Result<std::optional<std::string>> StateStore::get_value(std::string_view pipeline,
                                                         std::string_view key) const {
  return get(keys::value_key(pipeline, key));
}

Status StateStore::delete_value(std::string_view pipeline, std::string_view key) {
  rocksdb::WriteBatch batch;
  batch.Delete(keys::value_key(pipeline, key));
  return write_synced(
      "deleting value " + keys::printable(key) + " of pipeline " + std::string(pipeline), batch);
}

}  // namespace cdc::state
