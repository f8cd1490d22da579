// Value helpers of the expression engine: type categories, reading any numeric kind as
// int/decimal/double, the text form of every kind, CAST between kinds, and ordering.
#pragma once

#include <cstdint>
#include <string>

#include "cdc/core/table_schema.h"
#include "cdc/expr/decimal.h"
#include "cdc/expr/node.h"

namespace cdc::expr {

bool is_integer_kind(ValueKind k);   // int64, uint64, bit, year
bool is_numeric_kind(ValueKind k);   // integers, float32/64, decimal
bool is_text_kind(ValueKind k);      // string, bytes, json, enum_label, set_labels
bool is_datetime_kind(ValueKind k);  // date, datetime, timestamp
// SQL name of a type for messages: BIGINT, DECIMAL(10,2), STRING, TIMESTAMP_LTZ(3)...
std::string type_name(const ExprType& t);
// The type a column of this kind has in expressions (precision/scale/fsp from the column).
ExprType column_type(const Column& c);

int64_t as_int64(const Value& v);               // integer kinds and boolean
double as_double(const Value& v);               // any numeric kind
bool as_decimal(const Value& v, Decimal& out);  // any exact numeric kind

// The precision and scale a non-decimal exact numeric takes in decimal arithmetic
// (Flink: BIGINT -> DECIMAL(19, 0); sluice's BIGINT UNSIGNED -> DECIMAL(20, 0)).
ExprType decimal_type_of(const ExprType& t);

// Appends the text form of v: what CAST(v AS STRING) gives.
void append_text(const Value& v, const TimeZone& zone, std::string& out);

// Converts `in` to type `to` (CAST semantics). int_bits narrows BIGINT to TINYINT (8),
// SMALLINT (16) or INT (32) with a range check. Errors name what failed.
Status cast_value(const EvalContext& ctx, uint32_t offset, const Value& in, const ExprType& to,
                  uint8_t int_bits, Value& out);

// How two values of a common type compare.
enum class CompareMode : uint8_t { integer, decimal, floating, text, boolean, temporal, time };
// -1, 0, 1. Both non-null and of kinds valid for `mode`.
int compare_values(CompareMode mode, const Value& a, const Value& b, const TimeZone& zone);
// compare_values for CompareMode::decimal: digit texts compared as they are where
// compare_decimal_text takes them, else through Decimal.
int compare_exact(const Value& a, const Value& b);

// Orders two DECIMAL digit texts ("-0123.4500", ".5", "+7.") by reading the digits: sign, then
// the integer digits without leading zeros, then the fraction digits without trailing zeros,
// so that the scales need no aligning and nothing is parsed into a Decimal (-0 equals 0).
// False, leaving `out` alone, for text Decimal::parse would reject or that is too long to be
// sure the Decimal path orders it the same way: callers then fall back to Decimal.
bool compare_decimal_text(std::string_view a, std::string_view b, int& out);

// The parts compare_decimal_text reads, for a side split once (a literal at compile time).
struct DecimalDigits {
  bool negative = false;
  std::string_view integer;   // no leading zeros
  std::string_view fraction;  // no trailing zeros
};
// False for text compare_decimal_text does not take (see there).
bool split_decimal_digits(std::string_view text, DecimalDigits& out);
int compare_decimal_digits(const DecimalDigits& x, const DecimalDigits& y);  // -1, 0, 1

}  // namespace cdc::expr
