// Batch: the unit that moves through the pipeline's queues. It owns an Arena holding the
// bytes its events point to, and the resume Position after its last event. Move-only; owned
// by exactly one thread at a time (the queue hands it over).
#pragma once

#include <cstddef>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/core/change_event.h"
#include "cdc/core/position.h"

namespace cdc {

struct Batch {
  Arena arena;
  std::vector<ChangeEvent> events;
  Position end;  // resume here to continue after this batch's last event
  // The source has nothing more to read (datagen count reached, snapshot-only finished).
  bool end_of_stream = false;

  Batch() = default;
  Batch(Batch&&) = default;
  Batch& operator=(Batch&&) = default;

  // What the batch holds in memory, for queue accounting (arena + event structs).
  size_t memory_bytes() const {
    return arena.bytes_reserved() + events.capacity() * sizeof(ChangeEvent);
  }
};

}  // namespace cdc
