#include "state/schema_codec.h"

#include "cdc/core/byte_reader.h"
#include "state/codec_util.h"

namespace cdc::state {

namespace {

constexpr uint8_t kFlagNullable = 1;
constexpr uint8_t kFlagUnsigned = 2;
constexpr uint8_t kFlagHasDefault = 4;
constexpr uint8_t kKnownFlags = kFlagNullable | kFlagUnsigned | kFlagHasDefault;
constexpr uint8_t kMaxValueKind = static_cast<uint8_t>(ValueKind::geometry);
// Smallest encoded column: 3 empty strings (4 each), kind, flags, 3 u32, fsp, label count.
constexpr size_t kMinColumnBytes = 3 * 4 + 1 + 1 + 3 * 4 + 1 + 4;

void put_column(std::string& out, const Column& c) {
  detail::put_str(out, c.name);
  detail::put_str(out, c.source_type);
  detail::put_u8(out, static_cast<uint8_t>(c.kind));
  uint8_t flags = 0;
  if (c.nullable) flags |= kFlagNullable;
  if (c.is_unsigned) flags |= kFlagUnsigned;
  if (c.default_value) flags |= kFlagHasDefault;
  detail::put_u8(out, flags);
  detail::put_str(out, c.charset);
  detail::put_u32le(out, c.length);
  detail::put_u32le(out, c.precision);
  detail::put_u32le(out, c.scale);
  detail::put_u8(out, c.fsp);
  CDC_CHECK(c.labels.size() <= UINT32_MAX, "enum/set labels are few");
  detail::put_u32le(out, static_cast<uint32_t>(c.labels.size()));
  for (const auto& label : c.labels) detail::put_str(out, label);
  if (c.default_value) detail::put_str(out, *c.default_value);
}

// Reads one column; on bad bytes the reader is left failed and the column is discarded.
Column read_column(ByteReader& r) {
  Column c;
  c.name = std::string(detail::read_str(r, "column name"));
  c.source_type = std::string(detail::read_str(r, "column type"));
  const uint8_t kind = r.u8();
  if (r.ok() && kind > kMaxValueKind) {
    r.mark_malformed("unknown value kind " + std::to_string(kind));
  }
  c.kind = static_cast<ValueKind>(r.ok() ? kind : 0);
  const uint8_t flags = r.u8();
  if (r.ok() && (flags & ~kKnownFlags) != 0) {
    r.mark_malformed("unknown column flags " + std::to_string(flags));
  }
  c.nullable = (flags & kFlagNullable) != 0;
  c.is_unsigned = (flags & kFlagUnsigned) != 0;
  c.charset = std::string(detail::read_str(r, "charset"));
  c.length = r.u32le();
  c.precision = r.u32le();
  c.scale = r.u32le();
  c.fsp = r.u8();
  const uint32_t nlabels = r.u32le();
  if (r.ok() && detail::count_fits(r, nlabels, 4, "label")) {
    c.labels.reserve(nlabels);
    for (uint32_t label_idx = 0; label_idx < nlabels && r.ok(); ++label_idx) {
      c.labels.emplace_back(detail::read_str(r, "label"));
    }
  }
  if ((flags & kFlagHasDefault) != 0) c.default_value = std::string(detail::read_str(r, "default"));
  return c;
}

// Reads the schema body after its version byte; the caller finishes the reader.
TableSchema read_schema_body(ByteReader& r) {
  TableSchema s;
  s.id.db = std::string(detail::read_str(r, "database name"));
  s.id.table = std::string(detail::read_str(r, "table name"));
  s.version = r.u64le();
  const uint32_t ncols = r.u32le();
  if (r.ok() && detail::count_fits(r, ncols, kMinColumnBytes, "column")) {
    s.columns.reserve(ncols);
    for (uint32_t col_idx = 0; col_idx < ncols && r.ok(); ++col_idx) {
      s.columns.push_back(read_column(r));
    }
  }
  const uint32_t npk = r.u32le();
  if (r.ok() && detail::count_fits(r, npk, 4, "primary key column")) {
    s.primary_key.reserve(npk);
    for (uint32_t pk_idx = 0; pk_idx < npk && r.ok(); ++pk_idx) {
      const uint32_t col = r.u32le();
      if (r.ok() && col >= s.columns.size()) {
        r.mark_malformed("primary key column " + std::to_string(col) + " of " +
                         std::to_string(s.columns.size()) + " columns");
      }
      s.primary_key.push_back(col);
    }
  }
  return s;
}

Status check_version(ByteReader& r, uint8_t version, uint8_t expected, std::string_view what) {
  CDC_TRY(r.finish(/*allow_trailing=*/true));
  if (version != expected) {
    return make_error(Errc::unsupported, std::string(what) + " encoding version " +
                                             std::to_string(version) + " (this build reads " +
                                             std::to_string(expected) + ")");
  }
  return {};
}

}  // namespace

std::string encode_schema(const TableSchema& schema) {
  std::string out;
  detail::put_u8(out, kSchemaEncodingVersion);
  detail::put_str(out, schema.id.db);
  detail::put_str(out, schema.id.table);
  detail::put_u64le(out, schema.version);
  CDC_CHECK(schema.columns.size() <= UINT32_MAX, "tables have few columns");
  detail::put_u32le(out, static_cast<uint32_t>(schema.columns.size()));
  for (const auto& c : schema.columns) put_column(out, c);
  CDC_CHECK(schema.primary_key.size() <= UINT32_MAX, "keys have few columns");
  detail::put_u32le(out, static_cast<uint32_t>(schema.primary_key.size()));
  for (uint32_t col : schema.primary_key) detail::put_u32le(out, col);
  return out;
}

Result<TableSchema> decode_schema(std::span<const std::byte> bytes) {
  ByteReader r(bytes);
  const uint8_t version = r.u8();
  if (auto st = check_version(r, version, kSchemaEncodingVersion, "schema"); !st) {
    return std::move(st).error().with_context("decoding a table schema");
  }
  TableSchema s = read_schema_body(r);
  if (auto st = r.finish(); !st)
    return std::move(st).error().with_context("decoding a table schema");
  return s;
}

std::string encode_schema_entry(const Position& at, const TableSchema& schema) {
  std::string out;
  detail::put_u8(out, kSchemaEntryEncodingVersion);
  detail::put_str(out, encode_position(at));
  out += encode_schema(schema);
  return out;
}

Result<std::pair<Position, TableSchema>> decode_schema_entry(std::span<const std::byte> bytes) {
  ByteReader r(bytes);
  const uint8_t version = r.u8();
  if (auto st = check_version(r, version, kSchemaEntryEncodingVersion, "schema history entry");
      !st) {
    return std::move(st).error().with_context("decoding a schema history entry");
  }
  const std::string_view position = detail::read_str(r, "position");
  const std::string_view schema = r.rest();
  if (auto st = r.finish(); !st) {
    return std::move(st).error().with_context("decoding a schema history entry");
  }
  auto pos = decode_position(as_bytes(position));
  if (!pos) return std::move(pos).error().with_context("schema history entry");
  auto s = decode_schema(as_bytes(schema));
  if (!s) return std::move(s).error().with_context("schema history entry at " + to_string(*pos));
  return std::pair<Position, TableSchema>{std::move(*pos), std::move(*s)};
}

}  // namespace cdc::state
