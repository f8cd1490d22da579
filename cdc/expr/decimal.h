// Decimal: an exact signed decimal number (unscaled integer * 10^-scale) for the expression
// engine's DECIMAL arithmetic. Never goes through a double. Fixed capacity (no heap): large
// enough for the product of two 65-digit operands and for division's widened dividend; an
// operation that would exceed it reports failure instead of wrapping.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "cdc/core/arena.h"

namespace cdc::expr {

// MySQL's DECIMAL limit; Flink's is 38. sluice keeps MySQL's so no source value is refused.
inline constexpr uint32_t kMaxDecimalPrecision = 65;

class Decimal {
 public:
  // Longest text to_chars() writes: sign, 231 digits, point, leading zero.
  static constexpr size_t kMaxTextLength = 240;

  Decimal() = default;
  static Decimal from_int64(int64_t v);
  static Decimal from_uint64(uint64_t v);
  // "-123.4500", "+1", ".5", "7." (no exponent). False for anything else.
  static bool parse(std::string_view text, Decimal& out);

  bool negative() const { return negative_ && !is_zero(); }
  uint32_t scale() const { return scale_; }
  bool is_zero() const { return size_ == 0; }
  // Decimal digits of the unscaled magnitude (0 has 1 digit).
  uint32_t digit_count() const;
  // Digits before the point (0.5 has 0).
  uint32_t integer_digits() const {
    uint32_t d = digit_count();
    return d > scale_ ? d - scale_ : 0;
  }

  // Changes the scale; reducing it rounds half away from zero (SQL ROUND, Flink HALF_UP).
  // False when the result would not fit the capacity.
  bool rescale(uint32_t new_scale);
  // Like rescale() down, but truncating toward zero (CAST to an integer) or flooring/ceiling.
  enum class Rounding : uint8_t { half_up, down, floor, ceiling };
  bool rescale(uint32_t new_scale, Rounding mode);
  void negate() { negative_ = !negative_; }

  // Fits the unscaled value with the fraction dropped into int64 / uint64?
  bool to_int64(int64_t& out) const;  // truncates the fraction
  double to_double() const;

  // Writes the canonical text ("-0.05", "12.300") into buf (kMaxTextLength bytes).
  size_t to_chars(char* buf) const;
  std::string_view to_text(Arena& arena) const;

  friend int compare(const Decimal& a, const Decimal& b);
  // Results keep the larger scale (add/sub), the sum of scales (mul). False on capacity overflow.
  friend bool add(const Decimal& a, const Decimal& b, Decimal& out);
  friend bool sub(const Decimal& a, const Decimal& b, Decimal& out);
  friend bool mul(const Decimal& a, const Decimal& b, Decimal& out);
  // a / b rounded half-up to `scale`. b must not be zero. False on capacity overflow.
  friend bool div(const Decimal& a, const Decimal& b, uint32_t scale, Decimal& out);
  // The remainder with the sign of a (SQL MOD) at scale max(a, b). b must not be zero.
  friend bool mod(const Decimal& a, const Decimal& b, Decimal& out);

 private:
  static constexpr size_t kLimbs = 24;  // 768 bits: 231 decimal digits
  using Limbs = std::array<uint32_t, kLimbs>;

  bool mul_small(uint32_t m);
  uint32_t divmod_small(uint32_t d);
  bool scale_up(uint32_t digits);
  void trim() {
    while (size_ > 0 && limbs_[size_ - 1] == 0) --size_;
  }
  static int compare_magnitude(const Decimal& a, const Decimal& b);
  static bool add_magnitude(const Decimal& a, const Decimal& b, Decimal& out);
  static void sub_magnitude(const Decimal& a, const Decimal& b, Decimal& out);  // |a| >= |b|
  static bool add_signed(const Decimal& a, const Decimal& b, bool negate_b, Decimal& out);
  // Both at the same scale first.
  static bool align(const Decimal& a, const Decimal& b, Decimal& a2, Decimal& b2);
  static void divmod_magnitude(const Decimal& a, const Decimal& b, Decimal& quotient,
                               Decimal& remainder);

  Limbs limbs_{};  // little-endian base 2^32 magnitude
  uint32_t size_ = 0;
  uint32_t scale_ = 0;
  bool negative_ = false;
};

}  // namespace cdc::expr
