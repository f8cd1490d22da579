// Batch: the unit that moves through the pipeline's queues. It owns an Arena holding the
// bytes its events point to, and the resume Position after its last event. Move-only; owned
// by exactly one thread at a time (the queue hands it over).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/core/change_event.h"
#include "cdc/core/position.h"

namespace cdc {

struct Batch {
  Arena arena;
  std::vector<ChangeEvent> events;
  // The schemas the events point to (and those of events dropped since): one reference per
  // schema version per batch.
  std::vector<TableSchemaPtr> schemas;
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
  // What the batch holds in memory, for queue accounting (arena + event structs).
  size_t memory_bytes() const {
    return arena.bytes_reserved() + events.capacity() * sizeof(ChangeEvent);
  }
};

}  // namespace cdc
