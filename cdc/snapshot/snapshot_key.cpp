#include "cdc/snapshot/snapshot_key.h"

#include <algorithm>
#include <cstring>

#include "cdc/core/byte_reader.h"

namespace cdc::snapshot {

namespace {

constexpr uint8_t kKeyVersion = 1;

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

// Decimal digits "-123.45" compared as numbers; both of one column, so of one scale.
std::strong_ordering compare_decimal(std::string_view a, std::string_view b) {
  const bool neg_a = a.starts_with('-'), neg_b = b.starts_with('-');
  if (neg_a != neg_b) return neg_a ? std::strong_ordering::less : std::strong_ordering::greater;
  if (neg_a) {
    a.remove_prefix(1);
    b.remove_prefix(1);
  }
  const size_t int_a = std::min(a.find('.'), a.size()), int_b = std::min(b.find('.'), b.size());
  std::strong_ordering magnitude = int_a <=> int_b;
  if (magnitude == 0) {
    const int c = a.compare(b);
    magnitude = c < 0 ? std::strong_ordering::less
                      : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
  }
  if (!neg_a) return magnitude;
  return magnitude == 0
             ? magnitude
             : (magnitude < 0 ? std::strong_ordering::greater : std::strong_ordering::less);
}

}  // namespace

std::string encode_key(std::span<const Value> key) {
  std::string out;
  out.push_back(static_cast<char>(kKeyVersion));
  put_u32(out, static_cast<uint32_t>(key.size()));
  for (const Value& v : key) {
    out.push_back(static_cast<char>(v.kind));
    out.push_back(static_cast<char>(v.fsp));
    put_u32(out, v.aux);
    put_u64(out, v.u);
    if (has_text(v.kind)) {
      put_u64(out, v.text.size());
      out.append(v.text);
    }
  }
  return out;
}

const std::string& after_every_row_key() {
  static const std::string key = encode_key(std::span<const Value>());
  return key;
}

Result<std::vector<Value>> decode_key(std::string_view bytes) {
  ByteReader r(bytes);
  const uint8_t version = r.u8();
  if (r.ok() && version != kKeyVersion) {
    return make_error(Errc::unsupported, "snapshot key encoding version " +
                                             std::to_string(version) + " (this build reads " +
                                             std::to_string(kKeyVersion) + ")");
  }
  const uint32_t n = r.u32le();
  // A value takes at least 14 bytes: a larger count is not a key of ours.
  if (n > r.remaining() / 14) r.mark_malformed("key column count " + std::to_string(n));
  std::vector<Value> out;
  for (uint32_t col_idx = 0; col_idx < n && r.ok(); ++col_idx) {
    Value v;
    const uint8_t kind = r.u8();
    if (kind > static_cast<uint8_t>(ValueKind::geometry)) {
      r.mark_malformed("key value kind " + std::to_string(kind));
      break;
    }
    v.kind = static_cast<ValueKind>(kind);
    v.fsp = r.u8();
    v.aux = r.u32le();
    v.u = r.u64le();
    if (has_text(v.kind)) {
      const uint64_t len = r.u64le();
      if (len > r.remaining()) {
        r.mark_malformed("key text length " + std::to_string(len) + " exceeds the key");
        break;
      }
      v.text = r.string(len);
    }
    out.push_back(v);
  }
  if (auto st = r.finish(); !st)
    return std::move(st).error().with_context("decoding a snapshot key");
  return out;
}

std::vector<Value> key_of(const TableSchema& schema, std::span<const Value> row) {
  return key_of(schema.primary_key, row);
}

std::vector<Value> key_of(std::span<const uint32_t> columns, std::span<const Value> row) {
  std::vector<Value> key;
  key.reserve(columns.size());
  for (uint32_t col : columns) key.push_back(col < row.size() ? row[col] : Value());
  return key;
}

Result<std::strong_ordering> compare_keys(const TableSchema& schema, std::span<const Value> a,
                                          std::span<const Value> b) {
  return compare_keys(schema, schema.primary_key, a, b);
}

Result<std::strong_ordering> compare_keys(const TableSchema& schema,
                                          std::span<const uint32_t> columns,
                                          std::span<const Value> a, std::span<const Value> b) {
  if (a.size() != b.size() || a.size() != columns.size()) {
    return make_error(Errc::internal, "keys of " + schema.id.to_string() + " with " +
                                          std::to_string(a.size()) + " and " +
                                          std::to_string(b.size()) + " columns");
  }
  for (size_t col_idx = 0; col_idx < a.size(); ++col_idx) {
    const Value& x = a[col_idx];
    const Value& y = b[col_idx];
    if (columns[col_idx] >= schema.columns.size()) {
      return make_error(Errc::internal, "key column " + std::to_string(columns[col_idx]) + " of " +
                                            schema.id.to_string() + " does not exist");
    }
    const Column& column = schema.columns[columns[col_idx]];
    if (x.kind != y.kind) {
      return make_error(Errc::internal, "key column " + column.name + " of " +
                                            schema.id.to_string() + " holds " +
                                            std::string(to_string(x.kind)) + " and " +
                                            std::string(to_string(y.kind)));
    }
    std::strong_ordering c = std::strong_ordering::equal;
    switch (x.kind) {
      case ValueKind::boolean:
      case ValueKind::int64:
      case ValueKind::date:
      case ValueKind::time:
      case ValueKind::timestamp:
      case ValueKind::year: c = x.i <=> y.i; break;
      case ValueKind::uint64:
      case ValueKind::bit:
      case ValueKind::enum_label: c = x.u <=> y.u; break;
      case ValueKind::datetime:
        c = x.i <=> y.i;
        if (c == 0) c = x.aux <=> y.aux;
        break;
      case ValueKind::decimal: c = compare_decimal(x.text, y.text); break;
      case ValueKind::bytes: {
        const int r = x.text.compare(y.text);
        c = r < 0 ? std::strong_ordering::less
                  : (r > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
        break;
      }
      default:
        return make_error(Errc::unsupported,
                          "key column " + column.name + " (" + column.source_type + ") of " +
                              schema.id.to_string() +
                              ": sluice cannot order its values without the server (their "
                              "order is the column's collation or not defined)");
    }
    if (c != 0) return c;
  }
  return std::strong_ordering::equal;
}

}  // namespace cdc::snapshot
