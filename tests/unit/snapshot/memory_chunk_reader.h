// Doubles and helpers for the snapshot engine's unit tests: a ChunkReader over rows in memory,
// the tables it reads, the reader options, and a loop that reads batches to their end.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "cdc/core/batch.h"
#include "cdc/snapshot/chunk_reader.h"
#include "cdc/snapshot/snapshot_reader.h"
#include "cdc/snapshot/stream_filter.h"

namespace cdc::snapshot::testing {

inline TableSchemaPtr table(const std::string& name, bool keyed) {
  auto s = std::make_shared<TableSchema>();
  s->id = {"db", name};
  Column id;
  id.name = "id";
  id.kind = ValueKind::int64;
  Column v;
  v.name = "v";
  v.kind = ValueKind::int64;
  s->columns = {id, v};
  if (keyed) s->primary_key = {0};
  return s;
}

inline MysqlPosition at(uint64_t offset) { return {{"mysql-bin.000001", offset}, "", 0, 0}; }

// A ChunkReader over rows in memory (id, v), kept in key order, as a server would return them.
// Records each chunk asked for.
class MemoryChunkReader final : public ChunkReader {
 public:
  std::map<std::string, std::vector<int64_t>> ids;  // table -> ids in key order
  uint64_t next_at = 100;
  std::vector<std::string> chunks;  // "table after=<id|-> limit=<n>"
  int reads_open = 0;
  std::map<std::string, uint64_t> estimates;  // table -> the "server's" row estimate

  Result<StreamPoint> begin_consistent_read() override {
    ++reads_open;
    return StreamPoint(at(next_at));
  }
  Status start_chunk(const TableSchema& t, std::span<const Value> after, uint64_t limit) override {
    return start_chunk_through(t, after, {}, limit);
  }
  Status start_chunk_through(const TableSchema& t, std::span<const Value> after,
                             std::span<const Value> through, uint64_t limit) override {
    chunks.push_back(t.id.table + " after=" + (after.empty() ? "-" : std::to_string(after[0].i)) +
                     (through.empty() ? "" : " through=" + std::to_string(through[0].i)) +
                     " limit=" + std::to_string(limit));
    pending_.clear();
    for (int64_t id : ids[t.id.table]) {
      if (!after.empty() && id <= after[0].i) continue;
      if (!through.empty() && id > through[0].i) break;
      if (limit != 0 && pending_.size() == limit) break;
      pending_.push_back(id);
    }
    next_ = 0;
    return {};
  }
  // `ids` may repeat a value here (a non-unique key): the first `limit` rows after `after`, and
  // every further row of the last one's value.
  Status start_chunk_whole_values(const TableSchema& t, std::span<const Value> after,
                                  uint64_t limit) override {
    chunks.push_back(t.id.table +
                     " whole after=" + (after.empty() ? "-" : std::to_string(after[0].i)) +
                     " limit=" + std::to_string(limit));
    pending_.clear();
    for (int64_t id : ids[t.id.table]) {
      if (!after.empty() && id <= after[0].i) continue;
      if (pending_.size() >= limit && id != pending_.back()) break;
      pending_.push_back(id);
    }
    next_ = 0;
    return {};
  }
  Result<std::optional<std::span<const Value>>> next_row(Arena& arena) override {
    if (next_ == pending_.size()) return std::optional<std::span<const Value>>();
    auto row = arena.make_array<Value>(2);
    row[0] = Value::int64(pending_[next_]);
    row[1] = Value::int64(pending_[next_] * 10);
    ++next_;
    return std::optional<std::span<const Value>>(row);
  }
  Status end_consistent_read() override {
    --reads_open;
    return {};
  }
  Result<std::optional<uint64_t>> estimate_rows(const TableSchema& t) override {
    auto it = estimates.find(t.id.table);
    if (it == estimates.end()) return std::optional<uint64_t>();
    return std::optional<uint64_t>(it->second);
  }
  Result<std::optional<KeyBounds>> key_bounds(const TableSchema& t, Arena&) override {
    const auto& v = ids[t.id.table];
    if (v.empty()) return std::optional<KeyBounds>();
    return std::optional<KeyBounds>(KeyBounds{Value::int64(v.front()), Value::int64(v.back())});
  }

 private:
  std::vector<int64_t> pending_;
  size_t next_ = 0;
};

// Whether `filter` delivers the delete of row `id` (as MemoryChunkReader makes it) of `schema`,
// read from the stream at mysql-bin.000001:`offset`.
inline bool delivers_delete(const StreamFilter& filter, const TableSchemaPtr& schema, int64_t id,
                            uint64_t offset) {
  const std::vector<Value> row{Value::int64(id), Value::int64(id * 10)};
  ChangeEvent e;
  e.op = Op::erase;
  e.schema = schema.get();
  e.before = RowImage(row);
  e.source.at = BinlogEventPosition{"mysql-bin.000001", BinlogOffset{offset}};
  auto r = filter.deliver(e);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  return *r;
}

inline SnapshotReaderOptions options(uint64_t chunk) {
  SnapshotReaderOptions o;
  o.pipeline_name = "p";
  o.connector = "mysql";
  o.chunk_size = chunk;
  return o;
}

// Calls `fill(batch, max_events)` on fresh batches until it returns false; returns the events
// as "table:id" (with_at: "table:id@offset"), each checked to be an `r` with `marker`.
template <class Fill>
std::vector<std::string> read_batches(Fill fill, size_t max_events, SnapshotMarker marker,
                                      bool with_at = false, std::vector<Position>* ends = nullptr) {
  std::vector<std::string> out;
  for (int guard = 0; guard < 1000; ++guard) {
    Batch b;
    auto more = fill(b, max_events);
    REQUIRE(more);
    CHECK(b.events.size() <= max_events);
    for (const auto& e : b.events) {
      CHECK(e.op == Op::read);
      CHECK(e.source.snapshot == marker);
      std::string s = e.schema->id.table + ":" + std::to_string(e.after[0].i);
      if (with_at) {
        s += "@" + std::to_string(value(std::get<BinlogEventPosition>(e.source.at).offset));
      }
      out.push_back(std::move(s));
    }
    if (ends) ends->push_back(b.end);
    if (!*more) return out;
  }
  FAIL("did not finish");
  return out;
}

}  // namespace cdc::snapshot::testing
