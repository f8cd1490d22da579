// BinlogOffset: a byte offset in the binlog file being read, as a type (a raw integer never
// means "position"). With the file's name it makes a BinlogPosition. A value type.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "cdc/core/position.h"

namespace cdc::mysql {

enum class BinlogOffset : uint64_t {};

// The first event of every binlog file starts after its 4-byte magic.
inline constexpr BinlogOffset kFirstEventOffset{4};

constexpr uint64_t value(BinlogOffset offset) { return static_cast<uint64_t>(offset); }
// Advancing past an event, and the bytes between two offsets.
constexpr BinlogOffset operator+(BinlogOffset offset, uint64_t bytes) {
  return BinlogOffset{value(offset) + bytes};
}
constexpr uint64_t operator-(BinlogOffset end, BinlogOffset start) { return value(end) - value(start); }

inline std::string to_string(BinlogOffset offset) { return std::to_string(value(offset)); }
inline BinlogPosition position_in(std::string file, BinlogOffset offset) {
  return BinlogPosition{std::move(file), value(offset)};
}

}  // namespace cdc::mysql
