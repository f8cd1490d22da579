// Fuzz target column: decode_column(), the binary row-value decoder, for any column description
// a TABLE_MAP can produce, over a run of values (as a row image holds them back to back); and
// the row plan's step for the same column (row_decode_plan.h) on the same bytes, which must
// give the same value and length wherever it accepts, and refuse whatever decode_column does.
// Input: u8 type | u8 real_type | u16le meta | u8 flags | u8 label count | value bytes...
//   flags bit 0: unsigned; bit 4: JSON text (MariaDB JSON alias); bits 1-3 and 5-7, as one
//   6-bit number v: v % (charsets + 1) picks the character set (0: none, bytes);
//   label count byte: bit 7 sets charset.invalid: replace, the rest % 65 is the label count
#include <algorithm>
#include <array>
#include <bit>
#include <string>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/core/byte_reader.h"
#include "cdc/mysql/binlog/column_decoder.h"
#include "cdc/mysql/binlog/column_type.h"
#include "cdc/mysql/binlog/row_decode_plan.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;
using namespace cdc::mysql;
using namespace cdc::fuzz;

namespace {

const std::vector<std::string>& label_pool() {
  static const std::vector<std::string> pool = [] {
    std::vector<std::string> v;
    for (int i = 0; i < 64; ++i) v.push_back(std::string(static_cast<size_t>(i % 5), 'a' + i % 26));
    return v;
  }();
  return pool;
}

// RFC 3629 well-formedness, written apart from the decoder's own check: every string value
// sluice emits must be UTF-8, whatever the column's charset and bytes.
bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    const size_t len = b < 0x80         ? 1
                       : (b >> 5) == 6  ? 2
                       : (b >> 4) == 14 ? 3
                       : (b >> 3) == 30 ? 4
                                        : 0;
    if (len == 0 || i + len > s.size() || (len == 2 && b < 0xC2)) return false;
    uint32_t cp = len == 1 ? b : b & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

// DECIMAL text is exact digits: "-?d+(.d{scale})?", never a float rendering.
void check_decimal(const Value& v) {
  const std::string_view t = v.text;
  FUZZ_CHECK(!t.empty(), "empty DECIMAL text");
  size_t i = t[0] == '-' ? 1 : 0;
  size_t int_digits = 0, frac_digits = 0;
  bool dot = false;
  for (; i < t.size(); ++i) {
    if (t[i] == '.') {
      FUZZ_CHECK(!dot, "two dots in DECIMAL text");
      dot = true;
    } else {
      FUZZ_CHECK(t[i] >= '0' && t[i] <= '9', "non-digit in DECIMAL text");
      (dot ? frac_digits : int_digits)++;
    }
  }
  FUZZ_CHECK(int_digits > 0, "DECIMAL text without integer digits");
  FUZZ_CHECK(frac_digits == (dot ? v.aux : 0) && (dot || v.aux == 0),
             "DECIMAL fraction digits differ from its scale");
}

// Value's == with floats compared by their bits (NaN is a value a column can hold).
bool same_value(const Value& a, const Value& b) {
  if (a.kind == b.kind && (a.kind == ValueKind::float32 || a.kind == ValueKind::float64)) {
    return std::bit_cast<uint64_t>(a.d) == std::bit_cast<uint64_t>(b.d);
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 6) return 0;
  ColumnDecodeInfo col;
  col.type = data[0];
  col.real_type = data[1];
  col.meta = static_cast<uint16_t>(data[2] | data[3] << 8);
  col.is_unsigned = data[4] & 1;
  const size_t pick = ((data[4] >> 1) & 7) | ((data[4] >> 5) << 3);
  const size_t cs_index = pick % (generated::kCharsetRows.size() + 1);
  col.charset = cs_index == 0 ? nullptr : &generated::kCharsetRows[cs_index - 1];
  col.on_invalid = (data[5] & 0x80) ? InvalidText::replace : InvalidText::fail;
  col.json_text = data[4] & 0x10;
  col.labels = std::span<const std::string>(label_pool()).first((data[5] & 0x7F) % 65);

  auto values = bytes_of(data + 6, size - 6);
  ByteReader r(values);
  Arena arena;
  const ColumnStep step = compile_column(col);
  for (int n = 0; n < 4096 && r.remaining() > 0; ++n) {
    const size_t before = r.offset();
    ByteReader planned = r;
    Value planned_value;
    const bool planned_ok = step.decode(planned, col, arena, planned_value);
    auto v = decode_column(r, col, arena);
    if (!v) {
      FUZZ_CHECK(is_bad_bytes_error(v.error()), "decode_column: non-decode error code");
      FUZZ_CHECK(!planned_ok, "the plan's step accepts a value decode_column refuses");
      break;
    }
    FUZZ_CHECK(!planned_ok || (same_value(planned_value, *v) && planned.offset() == r.offset()),
               "the plan's step differs from decode_column");
    FUZZ_CHECK(r.ok() && r.offset() <= values.size(), "decode_column: reader past its end");
    switch (v->kind) {
      case ValueKind::decimal: check_decimal(*v); break;
      case ValueKind::string:
        FUZZ_CHECK(valid_utf8(v->text), "a string value that is not UTF-8");
        [[fallthrough]];
      case ValueKind::json:
        // A character is at most 3 UTF-8 bytes per input byte (single-byte charsets, sjis
        // half-width kana, U+FFFD for one invalid byte); others copy. MySQL's binary JSON is a
        // document rendered as text, not text: an empty one is `null`, a control character in
        // one of its strings `\u0001` (mysql_json's own target checks it). A VECTOR is a JSON
        // array of float32 numbers: up to 15 characters and a separator per 4 bytes.
        if (static_cast<ColumnType>(col.real_type) == ColumnType::vector) {
          FUZZ_CHECK(v->text.size() <= 2 + 4 * (r.offset() - before),
                     "VECTOR text longer than 16 characters per element");
        } else if (static_cast<ColumnType>(col.real_type) != ColumnType::json) {
          FUZZ_CHECK(v->text.size() <= 3 * (r.offset() - before), "text longer than its bytes");
        }
        break;
      case ValueKind::bytes:
        // BINARY(n) (STRING) comes back zero-padded to n: the server strips the padding.
        FUZZ_CHECK(v->text.size() <= std::max<size_t>(r.offset() - before, 1024),
                   "bytes longer than its bytes");
        break;
      case ValueKind::time:
      case ValueKind::datetime:
      case ValueKind::timestamp: FUZZ_CHECK(v->fsp <= 6, "fractional-second digits above 6"); break;
      case ValueKind::bit: FUZZ_CHECK(v->aux >= 1 && v->aux <= 64, "BIT width"); break;
      default: break;
    }
    if (r.offset() == before) break;  // zero-width values (NULL type): nothing more to read
  }
  return 0;
}
