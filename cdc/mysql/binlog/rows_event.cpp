#include "cdc/mysql/binlog/rows_event.h"

#include <array>
#include <bit>

#include "cdc/mysql/binlog/column_type.h"
#include "cdc/mysql/binlog/event_type.h"
#include "cdc/mysql/binlog/json_diff.h"
#include "cdc/mysql/binlog/table_id.h"

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

std::vector<uint32_t> RowsEvent::absent_columns(std::span<const std::byte> bitmap) const {
  std::vector<uint32_t> out;
  for (uint32_t col_idx = 0; col_idx < column_count; ++col_idx) {
    if (!lsb_bit(bitmap, col_idx)) out.push_back(col_idx);
  }
  return out;
}

RowsEvent RowsEvent::moved_to(std::span<const std::byte> from,
                              std::span<const std::byte> to) const {
  auto move = [&](std::span<const std::byte> s) {
    if (s.empty()) return std::span<const std::byte>{};
    return to.subspan(static_cast<size_t>(s.data() - from.data()), s.size());
  };
  RowsEvent out = *this;
  out.extra_data = move(extra_data);
  out.present = move(present);
  out.present_after = move(present_after);
  out.rows = move(rows);
  return out;
}

Result<RowsEvent> decode_rows_event(uint8_t type, std::span<const std::byte> body,
                                    const DecodeContext& ctx) {
  RowsEvent ev;
  ev.type = type;
  switch (static_cast<EventType>(type)) {
    case EventType::write_rows_v1:
    case EventType::write_rows_v2: ev.kind = RowsKind::write; break;
    case EventType::update_rows_v1:
    case EventType::update_rows_v2:
    case EventType::partial_update_rows: ev.kind = RowsKind::update; break;
    case EventType::delete_rows_v1:
    case EventType::delete_rows_v2: ev.kind = RowsKind::erase; break;
    default: return make_error(Errc::internal, "not a rows event: " + describe_event_type(type));
  }
  ByteReader r(body);
  ev.table_id = read_table_id(r, ctx, type);
  ev.flags = r.u16le();
  if (is_rows_event_v2(type)) {
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

namespace {

// Bits set per byte value: std::popcount is a libgcc call per byte in a build without -mpopcnt
// (it showed in the catch-up profile, once per row image).
constexpr std::array<uint8_t, 256> kBitsSet = [] {
  std::array<uint8_t, 256> a{};
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<uint8_t>(std::popcount(i));
  return a;
}();

bool is_json(const ColumnDecodeInfo& c) { return c.type == static_cast<uint8_t>(ColumnType::json); }

std::string column_label(const ColumnDecodeInfo& c, size_t col_idx) {
  std::string s = "column " + std::to_string(col_idx + 1);
  if (!c.name.empty()) s += " (" + std::string(c.name) + ")";
  return s;
}

// The JSON column's length prefix and the bytes it counts (a document or a diff list).
std::span<const std::byte> json_bytes(ByteReader& r, const ColumnDecodeInfo& c) {
  if (c.meta < 1 || c.meta > 4) {
    r.mark_malformed("JSON length size");
    return {};
  }
  const uint64_t len = r.uint_le(c.meta);
  return r.bytes(static_cast<size_t>(len));
}

// What a partial after image is read against: its bits, the before image's bitmap and JSON
// documents, and where the diffs without a before value go. Empty for every other image.
struct PartialImage {
  std::span<const std::byte> partial_bits;  // one bit per JSON column of the table
  std::span<const std::byte> before_present;
  std::span<const std::span<const std::byte>> before_json;
  std::vector<uint32_t>* unapplied = nullptr;
};

// The values of an image without JSON bookkeeping through the plan's steps. False when a step
// failed or declined: the caller decodes the image again through decode_column.
bool decode_planned(ByteReader& r, std::span<const ColumnDecodeInfo> cols,
                    std::span<const ColumnStep> steps, std::span<const std::byte> present,
                    bool all_present, std::span<const std::byte> nulls, Arena& arena,
                    std::span<Value> out) {
  if (all_present) {  // binlog_row_image=FULL: null bit i is column i's
    for (size_t col_idx = 0; col_idx < cols.size(); ++col_idx) {
      if (lsb_bit(nulls, col_idx)) {
        out[col_idx] = Value::null_value();
      } else if (!steps[col_idx].decode(r, cols[col_idx], arena, out[col_idx])) {
        return false;
      }
    }
    return true;
  }
  size_t bit = 0;
  for (size_t col_idx = 0; col_idx < cols.size(); ++col_idx) {
    if (!lsb_bit(present, col_idx) || lsb_bit(nulls, bit++)) {
      out[col_idx] = Value::null_value();
      continue;
    }
    if (!steps[col_idx].decode(r, cols[col_idx], arena, out[col_idx])) return false;
  }
  return true;
}

// Shared by both image decoders. `plan`, when given, is compiled from `cols`.
Status decode_image(ByteReader& r, std::span<const ColumnDecodeInfo> cols,
                    const RowDecodePlan* plan, std::span<const std::byte> present, Arena& arena,
                    std::span<Value> out, std::span<std::span<const std::byte>> json_docs,
                    const PartialImage& pi) {
  const auto& partial_bits = pi.partial_bits;
  const auto& before_json = pi.before_json;
  const size_t n = cols.size();
  if (out.size() != n || present.size() * 8 < n || (!json_docs.empty() && json_docs.size() != n) ||
      (!before_json.empty() && before_json.size() != n) ||
      (plan != nullptr && plan->steps().size() != n)) {
    return make_error(Errc::internal, "row image buffers do not match the column count");
  }
  size_t n_present = 0;
  for (size_t i = 0; i < n / 8; ++i) n_present += kBitsSet[static_cast<uint8_t>(present[i])];
  for (size_t i = n / 8 * 8; i < n; ++i) n_present += lsb_bit(present, i) ? 1 : 0;
  auto nulls = r.bytes((n_present + 7) / 8);
  if (!r.ok()) return r.finish();
  size_t bit = 0;
  if (json_docs.empty() && partial_bits.empty()) {
    // No JSON bookkeeping asked for (every image but the before image of a partial update
    // and the partial after image itself): the loop the catch-up spends its time in.
    if (plan != nullptr) {
      const ByteReader start = r;
      if (decode_planned(r, cols, plan->steps(), present, n_present == n, nulls, arena, out)) {
        return {};
      }
      r = start;  // a step failed or declined: decode_column below gives the error or value
    }
    for (size_t col_idx = 0; col_idx < n; ++col_idx) {
      if (!lsb_bit(present, col_idx) || lsb_bit(nulls, bit++)) {
        out[col_idx] = Value::null_value();
        continue;
      }
      auto v = decode_column(r, cols[col_idx], arena);
      if (!v) return std::move(v).error().with_context(column_label(cols[col_idx], col_idx));
      out[col_idx] = *v;
    }
    return {};
  }
  size_t json_idx = 0;
  for (size_t col_idx = 0; col_idx < n; ++col_idx) {
    out[col_idx] = Value::null_value();
    if (!json_docs.empty()) json_docs[col_idx] = {};
    // The partial bit is counted for every JSON column, present or not (print_verbose_one_row).
    const bool partial =
        is_json(cols[col_idx]) && !partial_bits.empty() && lsb_bit(partial_bits, json_idx++);
    if (!lsb_bit(present, col_idx)) continue;
    const bool is_null = lsb_bit(nulls, bit++);
    if (is_null) continue;
    if (partial) {
      const auto diffs = json_bytes(r, cols[col_idx]);
      if (!r.ok()) return r.finish().error().with_context(column_label(cols[col_idx], col_idx));
      if (pi.unapplied != nullptr && pi.before_present.size() * 8 >= n &&
          !lsb_bit(pi.before_present, col_idx)) {
        // MINIMAL: no document to apply the diffs to; they are still checked.
        if (auto list = decode_json_diffs(diffs); !list) {
          return std::move(list).error().with_context(column_label(cols[col_idx], col_idx));
        }
        pi.unapplied->push_back(static_cast<uint32_t>(col_idx));
        continue;
      }
      if (before_json.empty() || before_json[col_idx].data() == nullptr) {
        return make_error(Errc::malformed,
                          "partial JSON update of a column whose before image is NULL")
            .with_context(column_label(cols[col_idx], col_idx));
      }
      auto text = apply_json_diffs(before_json[col_idx], diffs);
      if (!text) return std::move(text).error().with_context(column_label(cols[col_idx], col_idx));
      out[col_idx] = Value::json(arena.copy(*text));
      continue;
    }
    if (!json_docs.empty() && is_json(cols[col_idx])) {
      ByteReader peek = r;
      json_docs[col_idx] = json_bytes(peek, cols[col_idx]);
    }
    auto v = decode_column(r, cols[col_idx], arena);
    if (!v) return std::move(v).error().with_context(column_label(cols[col_idx], col_idx));
    out[col_idx] = *v;
  }
  return {};
}

}  // namespace

Status decode_row_image(ByteReader& r, std::span<const ColumnDecodeInfo> cols,
                        std::span<const std::byte> present, Arena& arena, std::span<Value> out,
                        std::span<std::span<const std::byte>> json_docs) {
  if (json_docs.empty()) {
    const RowDecodePlan plan(cols);
    return decode_image(r, cols, &plan, present, arena, out, {}, PartialImage{});
  }
  return decode_image(r, cols, nullptr, present, arena, out, json_docs, PartialImage{});
}

Status decode_row_image(ByteReader& r, std::span<const ColumnDecodeInfo> cols,
                        const RowDecodePlan& plan, std::span<const std::byte> present, Arena& arena,
                        std::span<Value> out) {
  return decode_image(r, cols, &plan, present, arena, out, {}, PartialImage{});
}

Status decode_partial_after_image(ByteReader& r, std::span<const ColumnDecodeInfo> cols,
                                  std::span<const std::byte> present,
                                  std::span<const std::byte> before_present,
                                  std::span<const std::span<const std::byte>> before_json,
                                  Arena& arena, std::span<Value> out,
                                  std::vector<uint32_t>& unapplied) {
  constexpr uint64_t kPartialJsonUpdates = 1;  // rows_event.h enum_row_value_options
  const uint64_t value_options = r.lenenc();
  if (!r.ok()) return r.finish().error().with_context("value_options");
  std::span<const std::byte> partial_bits;
  if (value_options & kPartialJsonUpdates) {
    size_t json_columns = 0;
    for (const auto& c : cols) json_columns += is_json(c) ? 1 : 0;
    partial_bits = r.bytes((json_columns + 7) / 8);
    if (!r.ok()) return r.finish().error().with_context("partial JSON bitmap");
  }
  return decode_image(r, cols, nullptr, present, arena, out, {},
                      PartialImage{partial_bits, before_present, before_json, &unapplied});
}

}  // namespace cdc::mysql
