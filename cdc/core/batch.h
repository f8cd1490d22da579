// Batch: the unit that moves through the pipeline's queues. It owns an Arena holding the
// bytes its events point to, and the resume Position after its last event. Move-only; owned
// by exactly one thread at a time (the queue hands it over).
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/core/change_event.h"
#include "cdc/core/position.h"

namespace cdc {

// Bytes that several batches' values may view (a MySQL row event's): one allocation, shared,
// immutable once copied in.
struct SharedBytes {
  std::shared_ptr<const std::byte[]> data;
  size_t size = 0;

  static SharedBytes copy_of(std::span<const std::byte> bytes) {
    auto p = std::make_shared_for_overwrite<std::byte[]>(bytes.size());
    std::copy(bytes.begin(), bytes.end(), p.get());
    return {std::move(p), bytes.size()};
  }
  std::span<const std::byte> span() const { return {data.get(), size}; }
};

struct Batch {
  Arena arena;
  std::vector<ChangeEvent> events;
  // The schemas the events point to (and those of events dropped since): one reference per
  // schema version per batch.
  std::vector<TableSchemaPtr> schemas;
  // Byte buffers that events' values point into besides the arena (a MySQL row event's bytes,
  // whose text values are views, not copies): one reference per buffer per batch.
  std::vector<SharedBytes> buffers;
  Position end;  // resume here to continue after this batch's last event
  // The source has nothing more to read (datagen count reached, snapshot-only finished).
  bool end_of_stream = false;

  Batch() = default;
  Batch(Batch&&) = default;
  Batch& operator=(Batch&&) = default;

  // Keeps `schema` alive as long as the batch and returns the pointer an event stores. Touches
  // no reference count when it is the schema held last (the common case: a row event's rows).
  const TableSchema* hold(const TableSchemaPtr& schema) {
    if (!schemas.empty() && schemas.back() == schema) return schema.get();
    if (std::find(schemas.begin(), schemas.end(), schema) == schemas.end())
      schemas.push_back(schema);
    return schema.get();
  }
  // Keeps `buffer` alive as long as the batch (for values that view its bytes).
  void hold(const SharedBytes& buffer) {
    if (!buffers.empty() && buffers.back().data == buffer.data) return;
    buffers.push_back(buffer);
    buffer_bytes_ += buffer.size;
  }
  // What the batch holds in memory, for queue accounting (arena + held buffers + event
  // structs; a buffer shared with the next batch counts in both).
  size_t memory_bytes() const {
    return arena.bytes_reserved() + buffer_bytes_ + events.capacity() * sizeof(ChangeEvent);
  }

 private:
  size_t buffer_bytes_ = 0;
};

}  // namespace cdc
