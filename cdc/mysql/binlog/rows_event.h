// RowsEvent: WRITE/UPDATE/DELETE_ROWS v1 (23..25, MariaDB and MySQL 5.1-5.5) and v2 (30..32,
// MySQL 5.6+, with extra data) and PARTIAL_UPDATE_ROWS (39, MySQL 8.0.3+, a v2 update whose after
// images may carry JSON diffs, see json_diff.h), and the row-image decoders. decode_rows_event()
// reads the header and bitmaps; rows are then read one image at a time with decode_row_image() so a
// large event streams through a bounded batch. Spans point into the event body.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/core/byte_reader.h"
#include "cdc/core/result.h"
#include "cdc/core/value.h"
#include "cdc/mysql/binlog/column_decoder.h"
#include "cdc/mysql/binlog/decode_context.h"
#include "cdc/mysql/binlog/row_decode_plan.h"

namespace cdc::mysql {

enum class RowsKind : uint8_t { write, update, erase };

struct RowsEvent {
  static constexpr uint16_t kStmtEnd = 0x0001;
  uint8_t type = 0;
  RowsKind kind = RowsKind::write;
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::span<const std::byte> extra_data;  // v2 only (without its length prefix)
  uint32_t column_count = 0;
  std::span<const std::byte> present;        // columns in the (before) image, LSB first
  std::span<const std::byte> present_after;  // UPDATE only: columns in the after image
  std::span<const std::byte> rows;           // the row images, back to back

  // Every column is present in every image (binlog_row_image=FULL).
  bool full_image() const;
  // The columns (ascending) that a bitmap of this event leaves out: a partial row image
  // (binlog_row_image=MINIMAL or NOBLOB in the writing session).
  std::vector<uint32_t> absent_columns(std::span<const std::byte> bitmap) const;
  // PARTIAL_UPDATE_ROWS: after images are read with decode_partial_after_image().
  bool partial() const { return type == code(EventType::partial_update_rows); }
  // The same event viewing `to`, a copy of `from`, the bytes it was decoded from (cheaper than
  // decoding the copy again).
  RowsEvent moved_to(std::span<const std::byte> from, std::span<const std::byte> to) const;
};

// `body` is the event after the common header, checksum stripped.
Result<RowsEvent> decode_rows_event(uint8_t type, std::span<const std::byte> body,
                                    const DecodeContext& ctx);

// Reads one row image at `r` into `out` (one slot per column, in column order; columns not
// present in the image are left null). Every slot is written, so `out` may be uninitialised
// (Arena::make_array_for_overwrite); after an error its contents are unspecified. `cols`
// describes every column of the table map. When `json_docs` is given (one slot per column), the
// binary document of each non-null MySQL JSON column is recorded there (a span into r's bytes): the
// before image of a partial update. Without `json_docs` the values are decoded through a
// RowDecodePlan compiled for the call.
Status decode_row_image(ByteReader& r, std::span<const ColumnDecodeInfo> cols,
                        std::span<const std::byte> present, Arena& arena, std::span<Value> out,
                        std::span<std::span<const std::byte>> json_docs = {});
// The same with the table's plan compiled once (`plan` = RowDecodePlan(cols, ...)): the row loop
// of BinlogStream. Values and errors are those of the call above; with TextValues::viewed, text
// and byte values point into r's bytes.
Status decode_row_image(ByteReader& r, std::span<const ColumnDecodeInfo> cols,
                        const RowDecodePlan& plan, std::span<const std::byte> present, Arena& arena,
                        std::span<Value> out);

// Reads the after image of a PARTIAL_UPDATE_ROWS row (log_event.cc print_verbose_one_row /
// unpack_row): value_options (net_field_length); if its bit 0 (PARTIAL_JSON_UPDATES) is set, a
// bitmap with one bit per JSON column of the TABLE (present in the image or not) marking the
// partial ones; then the usual null bitmap and values. A partial column holds JSON diffs, which
// are applied to its document in `before_json` (from decode_row_image) to give the full value.
// A diff that cannot be applied is Errc::malformed naming the column and the path. A diff of a
// column the before image leaves out (`before_present`: binlog_row_image=MINIMAL) has nothing to
// apply to: its slot is left null and its index appended to `unapplied` (the column is absent).
Status decode_partial_after_image(ByteReader& r, std::span<const ColumnDecodeInfo> cols,
                                  std::span<const std::byte> present,
                                  std::span<const std::byte> before_present,
                                  std::span<const std::span<const std::byte>> before_json,
                                  Arena& arena, std::span<Value> out,
                                  std::vector<uint32_t>& unapplied);

}  // namespace cdc::mysql
