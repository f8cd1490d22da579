// The byte layout of the offset records that the exactly-once sinks keep beside their data
// (Kafka: the offsets topic's value; Redis: the offset key's value) and hand to the state store
// as a checkpoint's sink_state: u8 version (1), the sink's fixed u64le fields, then
// encode_position() bytes to the end. Each sink names its fields (its own OffsetRecord) and
// how its errors read. Pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "cdc/core/position.h"
#include "cdc/core/result.h"

namespace cdc::sinks {

std::string encode_offset_frame(std::span<const uint64_t> fields, const Position& position);

// Reads fields.size() fields into `fields` and returns the position. Errc::truncated or
// Errc::malformed with `context` first (where the bytes were read); another version reads
// "unknown <record_name> version N".
Result<Position> decode_offset_frame(std::string_view bytes, std::span<uint64_t> fields,
                                     std::string_view context, std::string_view record_name);

}  // namespace cdc::sinks
