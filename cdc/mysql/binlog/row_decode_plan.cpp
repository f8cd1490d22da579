#include "cdc/mysql/binlog/row_decode_plan.h"

#include <bit>

#include "cdc/mysql/binlog/charset.h"
#include "cdc/mysql/binlog/column_type.h"

namespace cdc::mysql {

namespace {

bool generic(ByteReader& r, const ColumnStep&, const ColumnDecodeInfo& col, Arena& arena,
             Value& out) {
  auto v = decode_column(r, col, arena);
  if (!v) return false;
  out = *v;
  return true;
}

// Little-endian integers of `Bytes` bytes (TINYINT .. BIGINT), sign-extended unless unsigned.
template <size_t Bytes, bool Unsigned>
bool integer(ByteReader& r, const ColumnStep&, const ColumnDecodeInfo&, Arena&, Value& out) {
  const uint64_t x = r.uint_le(Bytes);
  if (!r.ok()) return false;
  if constexpr (Unsigned) {
    out = Value::uint64(x);
  } else {
    constexpr unsigned kShift = 64 - 8 * Bytes;
    out = Value::int64(static_cast<int64_t>(x << kShift) >> kShift);
  }
  return true;
}

bool float32(ByteReader& r, const ColumnStep&, const ColumnDecodeInfo&, Arena&, Value& out) {
  const uint32_t x = r.u32le();
  out = Value::float32(std::bit_cast<float>(x));
  return r.ok();
}

bool float64(ByteReader& r, const ColumnStep&, const ColumnDecodeInfo&, Arena&, Value& out) {
  const uint64_t x = r.u64le();
  out = Value::float64(std::bit_cast<double>(x));
  return r.ok();
}

bool decimal(ByteReader& r, const ColumnStep& s, const ColumnDecodeInfo&, Arena& arena,
             Value& out) {
  return read_short_decimal(r, s.a, s.b, arena, out);
}

bool datetime2(ByteReader& r, const ColumnStep& s, const ColumnDecodeInfo&, Arena&, Value& out) {
  return read_datetime2(r, static_cast<uint8_t>(s.a), out);
}

bool timestamp2(ByteReader& r, const ColumnStep& s, const ColumnDecodeInfo&, Arena&, Value& out) {
  return read_timestamp2(r, static_cast<uint8_t>(s.a), out);
}

bool date(ByteReader& r, const ColumnStep&, const ColumnDecodeInfo&, Arena&, Value& out) {
  const uint32_t x = r.u24le();
  out = Value::date(static_cast<int32_t>(x >> 9), (x >> 5) & 15, x & 31);
  return r.ok();
}

enum class Text : uint8_t { bytes, utf8 };

// A length prefix of `LenBytes` bytes, then the value: bytes, or UTF-8 text checked (invalid text
// is decode_column's: an error or replacement characters); copied into the arena, or with
// TextValues::viewed a view of the reader's bytes.
template <size_t LenBytes, Text Kind, TextValues Values>
bool text(ByteReader& r, const ColumnStep& s, const ColumnDecodeInfo&, Arena& arena, Value& out) {
  const uint64_t len = r.uint_le(LenBytes);
  const std::string_view raw = r.string(len);
  if (!r.ok()) return false;
  if constexpr (Kind == Text::utf8) {
    if (!is_utf8(raw, s.b)) return false;
  }
  const std::string_view v = Values == TextValues::viewed ? raw : arena.copy(raw);
  if constexpr (Kind == Text::bytes) {
    out = Value::bytes(v);
  } else {
    out = s.json ? Value::json(v) : Value::string(v);
  }
  return true;
}

template <size_t Pack>
bool enum_index(ByteReader& r, const ColumnStep&, const ColumnDecodeInfo& col, Arena&, Value& out) {
  const uint64_t idx = r.uint_le(Pack);
  if (!r.ok()) return false;
  if (idx == 0) {
    out = Value::enum_label("", 0);  // MySQL's "invalid value" member
    return true;
  }
  if (idx > col.labels.size()) return false;
  out = Value::enum_label(col.labels[idx - 1], idx);
  return true;
}

template <size_t LenBytes, TextValues Values>
ColumnStep::Fn text_fn(Text kind) {
  return kind == Text::bytes ? &text<LenBytes, Text::bytes, Values>
                             : &text<LenBytes, Text::utf8, Values>;
}

template <size_t LenBytes>
ColumnStep::Fn text_fn(Text kind, TextValues values) {
  return values == TextValues::viewed ? text_fn<LenBytes, TextValues::viewed>(kind)
                                      : text_fn<LenBytes, TextValues::copied>(kind);
}

// A text step for a length prefix of `len_bytes` (1..4), or nullptr for a charset that needs
// converting (decode_column's).
ColumnStep text_step(const ColumnDecodeInfo& col, uint32_t len_bytes, TextValues values) {
  ColumnStep s;
  Text kind = Text::bytes;
  if (col.charset != nullptr && !is_binary(*col.charset)) {
    if (!is_utf8_charset(*col.charset)) return s;
    kind = Text::utf8;
    s.b = col.charset->mbmaxlen;
    s.json = col.json_text;
  }
  switch (len_bytes) {
    case 1: s.fn = text_fn<1>(kind, values); break;
    case 2: s.fn = text_fn<2>(kind, values); break;
    case 3: s.fn = text_fn<3>(kind, values); break;
    case 4: s.fn = text_fn<4>(kind, values); break;
    default: break;
  }
  return s;
}

template <size_t Bytes>
ColumnStep::Fn integer_fn(bool is_unsigned) {
  return is_unsigned ? &integer<Bytes, true> : &integer<Bytes, false>;
}

ColumnStep typed_step(const ColumnDecodeInfo& col, TextValues values) {
  ColumnStep s;
  switch (static_cast<ColumnType>(col.real_type)) {
    case ColumnType::tiny: s.fn = integer_fn<1>(col.is_unsigned); break;
    case ColumnType::short_: s.fn = integer_fn<2>(col.is_unsigned); break;
    case ColumnType::int24: s.fn = integer_fn<3>(col.is_unsigned); break;
    case ColumnType::long_: s.fn = integer_fn<4>(col.is_unsigned); break;
    case ColumnType::longlong: s.fn = integer_fn<8>(col.is_unsigned); break;
    case ColumnType::float_: s.fn = &float32; break;
    case ColumnType::double_: s.fn = &float64; break;
    case ColumnType::newdecimal: {
      const uint32_t precision = col.meta >> 8;
      const uint32_t scale = col.meta & 0xFF;
      // decode_decimal's short path; the others (and impossible metadata) go through it.
      if (precision == 0 || precision > 65 || scale > 30 || scale > precision) break;
      if (precision - scale > 18 || scale > 18) break;
      s.fn = &decimal;
      s.a = precision - scale;
      s.b = scale;
      break;
    }
    case ColumnType::date:
    case ColumnType::newdate: s.fn = &date; break;
    case ColumnType::datetime2:
    case ColumnType::timestamp2: {
      const auto fsp = static_cast<uint8_t>(col.meta);
      if (fsp > 6) break;
      s.fn =
          col.real_type == static_cast<uint8_t>(ColumnType::datetime2) ? &datetime2 : &timestamp2;
      s.a = fsp;
      break;
    }
    case ColumnType::varchar:
    case ColumnType::var_string: return text_step(col, col.meta < 256 ? 1 : 2, values);
    case ColumnType::blob:
    case ColumnType::tiny_blob:
    case ColumnType::medium_blob:
    case ColumnType::long_blob: return text_step(col, col.meta, values);
    case ColumnType::enum_:
      if ((col.meta & 0xFF) == 1) s.fn = &enum_index<1>;
      if ((col.meta & 0xFF) == 2) s.fn = &enum_index<2>;
      break;
    default: break;
  }
  return s;
}

}  // namespace

ColumnStep compile_column(const ColumnDecodeInfo& col, TextValues values) {
  ColumnStep s = typed_step(col, values);
  if (s.fn == nullptr) s = ColumnStep{.fn = &generic};
  return s;
}

RowDecodePlan::RowDecodePlan(std::span<const ColumnDecodeInfo> cols, TextValues values)
    : text_values_(values) {
  steps_.reserve(cols.size());
  for (const auto& col : cols) steps_.push_back(compile_column(col, values));
}

}  // namespace cdc::mysql
