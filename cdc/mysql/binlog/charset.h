// Collation ids (as TABLE_MAP metadata sends them) to character sets, and the one conversion
// sluice does itself: MySQL's latin1 (Windows-1252, with MySQL's five undefined bytes mapped to
// C1 controls) to UTF-8. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "cdc/core/arena.h"

namespace cdc::mysql {

enum class TextEncoding : uint8_t { utf8, latin1, ascii, binary, unknown };

inline constexpr uint32_t kBinaryCollation = 63;

// "utf8mb4", "utf8mb3", "latin1", "ascii", "binary"; "" for a collation sluice does not map.
std::string_view charset_name(uint32_t collation_id);
TextEncoding text_encoding(uint32_t collation_id);

// Copies `latin1` into the arena as UTF-8 (at most 3 bytes per input byte).
std::string_view latin1_to_utf8(std::string_view latin1, Arena& arena);

}  // namespace cdc::mysql
