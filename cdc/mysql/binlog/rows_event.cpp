#include "cdc/mysql/binlog/rows_event.h"

#include <bit>

namespace cdc::mysql {

namespace {
bool lsb_bit(std::span<const std::byte> bits, size_t i) {
  return ((static_cast<uint8_t>(bits[i / 8]) >> (i % 8)) & 1) != 0;
}
bool all_set(std::span<const std::byte> bits, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    if (!lsb_bit(bits, i)) return false;
  }
  return true;
}
}  // namespace

bool RowsEvent::full_image() const {
  if (!all_set(present, column_count)) return false;
  return kind != RowsKind::update || all_set(present_after, column_count);
}

Result<RowsEvent> decode_rows_event(uint8_t type, std::span<const std::byte> body,
                                    const DecodeContext& ctx) {
  RowsEvent ev;
  ev.type = type;
  const bool v2 = type >= 30 && type <= 32;
  switch (type) {
    case 23: case 30: ev.kind = RowsKind::write; break;
    case 24: case 31: ev.kind = RowsKind::update; break;
    case 25: case 32: ev.kind = RowsKind::erase; break;
    default: return make_error(Errc::internal, "not a rows event: " + std::to_string(type));
  }
  ByteReader r(body);
  ev.table_id = ctx.post_header(type) == 6 ? r.u32le() : r.u48le();
  ev.flags = r.u16le();
  if (v2) {
    const uint16_t extra_len = r.u16le();  // includes its own two bytes
    if (r.ok() && extra_len < 2) r.mark_malformed("rows event extra data length below 2");
    ev.extra_data = r.bytes(extra_len >= 2 ? extra_len - 2 : 0);
  }
  const uint64_t n = r.lenenc();
  if (!r.ok()) return r.finish().error();
  if (n == 0 || n > 4096) {
    return make_error(Errc::malformed, "rows event with " + std::to_string(n) + " columns");
  }
  ev.column_count = static_cast<uint32_t>(n);
  const size_t bitmap = (n + 7) / 8;
  ev.present = r.bytes(bitmap);
  if (ev.kind == RowsKind::update) ev.present_after = r.bytes(bitmap);
  ev.rows = r.bytes(r.remaining());
  CDC_TRY(r.finish());
  if (ev.rows.empty()) return make_error(Errc::truncated, "rows event without rows");
  return ev;
}

Status decode_row_image(ByteReader& r, std::span<const ColumnDecodeInfo> cols,
                        std::span<const std::byte> present, Arena& arena, std::span<Value> out) {
  const size_t n = cols.size();
  if (out.size() != n || present.size() * 8 < n) {
    return make_error(Errc::internal, "row image buffers do not match the column count");
  }
  size_t n_present = 0;
  for (size_t i = 0; i < n; ++i) n_present += lsb_bit(present, i) ? 1 : 0;
  auto nulls = r.bytes((n_present + 7) / 8);
  if (!r.ok()) return r.finish();
  size_t bit = 0;
  for (size_t col_idx = 0; col_idx < n; ++col_idx) {
    out[col_idx] = Value::null_value();
    if (!lsb_bit(present, col_idx)) continue;
    const bool is_null = lsb_bit(nulls, bit++);
    if (is_null) continue;
    auto v = decode_column(r, cols[col_idx], arena);
    if (!v) {
      return std::move(v).error().with_context("column " + std::to_string(col_idx + 1));
    }
    out[col_idx] = *v;
  }
  return {};
}

}  // namespace cdc::mysql
