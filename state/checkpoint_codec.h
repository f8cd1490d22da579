// Versioned binary encoding of cdc::CheckpointRecord, the value of a checkpoint key in the state
// store. Pure functions: no I/O, thread-safe. Layout (version 1, integers little-endian):
//   u8 version=1 | u64 id | i64 wall_time_ms | u32 n + n bytes encode_position() | u32 n + n bytes
//   sink_state
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "cdc/core/checkpoint.h"
#include "cdc/core/result.h"

namespace cdc::state {

inline constexpr uint8_t kCheckpointEncodingVersion = 1;

std::string encode_checkpoint(const CheckpointRecord& record);
// Errc::truncated / Errc::malformed for bad bytes, Errc::unsupported for an unknown version.
Result<CheckpointRecord> decode_checkpoint(std::span<const std::byte> bytes);

}  // namespace cdc::state
