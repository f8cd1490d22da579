// Binlog offsets inside cdc/mysql: the first event's offset and the BinlogPosition of a file
// and offset. BinlogOffset itself (with value(), + and -) is cdc/core/position.h's, as event
// positions carry it.
#pragma once

#include <string>

#include "cdc/core/position.h"

namespace cdc::mysql {

// The first event of every binlog file starts after its 4-byte magic.
inline constexpr BinlogOffset kFirstEventOffset{4};

inline BinlogPosition position_in(std::string file, BinlogOffset offset) {
  return BinlogPosition{std::move(file), value(offset)};
}

}  // namespace cdc::mysql
