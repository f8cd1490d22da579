// RowDecodePlan: a table's columns compiled once per TABLE_MAP version for the row loop: per
// column, a function for its type with the metadata already resolved (length bytes, DECIMAL
// digits, fsp, whether its text is UTF-8 to check or bytes to copy). A step writes the value and
// returns true, or returns false (bytes run out, a value decode_column refuses, or a case the
// step leaves to decode_column); decode_row_image then decodes the image again through
// decode_column, which gives the error, so both paths yield the same values and errors. The
// plan holds no pointer into the columns: it is used with the ColumnDecodeInfo span it was
// compiled from (`TableVersion::columns` and `plan`).
//
// Text and byte values (VARCHAR, TEXT, BLOB, VARBINARY in UTF-8 or binary) are copied into the
// arena, or with TextValues::viewed point into the reader's bytes: then whoever decodes keeps
// those bytes as long as the values (BinlogStream: the batch holds the row event's buffer).
// Values decode_column gives (the fallback, other types) are always in the arena.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/core/byte_reader.h"
#include "cdc/core/value.h"
#include "cdc/mysql/binlog/column_decoder.h"

namespace cdc::mysql {

enum class TextValues : uint8_t { copied, viewed };

struct ColumnStep {
  using Fn = bool (*)(ByteReader& r, const ColumnStep& step, const ColumnDecodeInfo& col,
                      Arena& arena, Value& out);
  Fn fn = nullptr;
  uint32_t a = 0;     // per step: length bytes, DECIMAL integer digits, fsp, ENUM pack length
  uint32_t b = 0;     // per step: DECIMAL scale, the charset's bytes per character
  bool json = false;  // text step: the value is JSON text (MariaDB's JSON alias)

  // Decodes one non-null value of `col` (the column it was compiled from) as decode_column
  // would, or returns false (see above); `out` is unspecified then.
  bool decode(ByteReader& r, const ColumnDecodeInfo& col, Arena& arena, Value& out) const {
    return fn(r, *this, col, arena, out);
  }
};

// The step of one column: a type-specific one where there is, else one that calls
// decode_column.
ColumnStep compile_column(const ColumnDecodeInfo& col, TextValues values = TextValues::copied);

class RowDecodePlan {
 public:
  RowDecodePlan() = default;
  explicit RowDecodePlan(std::span<const ColumnDecodeInfo> cols,
                         TextValues values = TextValues::copied);
  std::span<const ColumnStep> steps() const { return steps_; }
  TextValues text_values() const { return text_values_; }

 private:
  std::vector<ColumnStep> steps_;
  TextValues text_values_ = TextValues::copied;
};

}  // namespace cdc::mysql
