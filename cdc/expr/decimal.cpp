#include "cdc/expr/decimal.h"

#include <algorithm>
#include <cstring>

namespace cdc::expr {

Decimal Decimal::from_uint64(uint64_t v) {
  Decimal d;
  d.limbs_[0] = static_cast<uint32_t>(v);
  d.limbs_[1] = static_cast<uint32_t>(v >> 32);
  d.size_ = 2;
  d.trim();
  return d;
}

Decimal Decimal::from_int64(int64_t v) {
  // Two's complement magnitude: -INT64_MIN is 2^63, representable as uint64.
  Decimal d = from_uint64(v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v));
  d.negative_ = v < 0;
  return d;
}

bool Decimal::parse(std::string_view text, Decimal& out) {
  out = Decimal();
  size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
    negative = text[pos] == '-';
    ++pos;
  }
  bool any_digit = false;
  bool seen_point = false;
  uint32_t scale = 0;
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    if (c == '.') {
      if (seen_point) return false;
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    any_digit = true;
    if (!out.mul_small(10)) return false;
    uint64_t carry = static_cast<uint32_t>(c - '0');
    for (uint32_t i = 0; carry != 0; ++i) {
      if (i == kLimbs) return false;
      if (i == out.size_) out.limbs_[out.size_++] = 0;
      uint64_t s = static_cast<uint64_t>(out.limbs_[i]) + carry;
      out.limbs_[i] = static_cast<uint32_t>(s);
      carry = s >> 32;
    }
    if (seen_point) ++scale;
  }
  if (!any_digit) return false;
  out.scale_ = scale;
  out.negative_ = negative;
  return true;
}

bool Decimal::mul_small(uint32_t m) {
  uint64_t carry = 0;
  for (uint32_t i = 0; i < size_; ++i) {
    uint64_t p = static_cast<uint64_t>(limbs_[i]) * m + carry;
    limbs_[i] = static_cast<uint32_t>(p);
    carry = p >> 32;
  }
  if (carry != 0) {
    if (size_ == kLimbs) return false;
    limbs_[size_++] = static_cast<uint32_t>(carry);
  }
  return true;
}

uint32_t Decimal::divmod_small(uint32_t d) {
  uint64_t rem = 0;
  for (uint32_t i = size_; i-- > 0;) {
    uint64_t cur = (rem << 32) | limbs_[i];
    limbs_[i] = static_cast<uint32_t>(cur / d);
    rem = cur % d;
  }
  trim();
  return static_cast<uint32_t>(rem);
}

bool Decimal::scale_up(uint32_t digits) {
  while (digits >= 9) {
    if (!mul_small(1'000'000'000)) return false;
    digits -= 9;
  }
  static constexpr uint32_t kPow10[] = {1,      10,      100,      1000,     10000,
                                        100000, 1000000, 10000000, 100000000};
  return digits == 0 || mul_small(kPow10[digits]);
}

uint32_t Decimal::digit_count() const {
  char buf[kMaxTextLength];
  Decimal m = *this;
  m.negative_ = false;
  m.scale_ = 0;
  return static_cast<uint32_t>(m.to_chars(buf));
}

bool Decimal::rescale(uint32_t new_scale) { return rescale(new_scale, Rounding::half_up); }

bool Decimal::rescale(uint32_t new_scale, Rounding mode) {
  if (new_scale >= scale_) {
    if (!scale_up(new_scale - scale_)) return false;
    scale_ = new_scale;
    return true;
  }
  uint32_t drop = scale_ - new_scale;
  bool any_dropped = false;  // a nonzero digit below the last dropped one
  uint32_t last = 0;
  for (uint32_t i = 0; i < drop; ++i) {
    if (last != 0) any_dropped = true;
    last = divmod_small(10);
  }
  scale_ = new_scale;
  bool round_away = false;
  switch (mode) {
    case Rounding::half_up: round_away = last >= 5; break;
    case Rounding::down: break;
    case Rounding::floor: round_away = negative_ && (last != 0 || any_dropped); break;
    case Rounding::ceiling: round_away = !negative_ && (last != 0 || any_dropped); break;
  }
  if (round_away) {
    Decimal one = from_uint64(1);
    one.scale_ = scale_;
    one.negative_ = false;
    Decimal mag = *this;
    mag.negative_ = false;
    Decimal sum;
    if (!add_magnitude(mag, one, sum)) return false;
    sum.negative_ = negative_;
    sum.scale_ = scale_;
    *this = sum;
  }
  return true;
}

bool Decimal::to_int64(int64_t& out) const {
  Decimal t = *this;
  if (!t.rescale(0, Rounding::down)) return false;
  if (t.size_ > 2) return false;
  uint64_t mag =
      t.size_ == 0 ? 0 : (static_cast<uint64_t>(t.size_ > 1 ? t.limbs_[1] : 0) << 32) | t.limbs_[0];
  if (negative_) {
    if (mag > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    out = static_cast<int64_t>(0 - mag);
  } else {
    if (mag > static_cast<uint64_t>(INT64_MAX)) return false;
    out = static_cast<int64_t>(mag);
  }
  return true;
}

double Decimal::to_double() const {
  // Through the text: strtod rounds correctly, a limb-by-limb sum would not.
  char buf[kMaxTextLength + 1];
  size_t n = to_chars(buf);
  buf[n] = '\0';
  return std::strtod(buf, nullptr);
}

size_t Decimal::to_chars(char* buf) const {
  char digits[kMaxTextLength];
  size_t nd = 0;
  Decimal m = *this;
  while (m.size_ > 0) {
    uint32_t chunk = m.divmod_small(1'000'000'000);
    for (int i = 0; i < 9; ++i) {
      digits[nd++] = static_cast<char>('0' + chunk % 10);
      chunk /= 10;
    }
  }
  while (nd > 1 && digits[nd - 1] == '0') --nd;
  if (nd == 0) digits[nd++] = '0';
  while (nd <= scale_) digits[nd++] = '0';  // a leading "0." for pure fractions
  size_t len = 0;
  if (negative()) buf[len++] = '-';
  for (size_t i = nd; i-- > 0;) {
    buf[len++] = digits[i];
    if (i == scale_ && scale_ != 0) buf[len++] = '.';
  }
  return len;
}

std::string_view Decimal::to_text(Arena& arena) const {
  char buf[kMaxTextLength];
  return arena.copy(std::string_view(buf, to_chars(buf)));
}

int Decimal::compare_magnitude(const Decimal& a, const Decimal& b) {
  if (a.size_ != b.size_) return a.size_ < b.size_ ? -1 : 1;
  for (uint32_t i = a.size_; i-- > 0;) {
    if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] < b.limbs_[i] ? -1 : 1;
  }
  return 0;
}

bool Decimal::add_magnitude(const Decimal& a, const Decimal& b, Decimal& out) {
  Decimal r;
  uint32_t n = std::max(a.size_, b.size_);
  uint64_t carry = 0;
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t s = carry + (i < a.size_ ? a.limbs_[i] : 0) + (i < b.size_ ? b.limbs_[i] : 0);
    r.limbs_[i] = static_cast<uint32_t>(s);
    carry = s >> 32;
  }
  r.size_ = n;
  if (carry != 0) {
    if (n == kLimbs) return false;
    r.limbs_[r.size_++] = static_cast<uint32_t>(carry);
  }
  out = r;
  return true;
}

void Decimal::sub_magnitude(const Decimal& a, const Decimal& b, Decimal& out) {
  Decimal r;
  int64_t borrow = 0;
  for (uint32_t i = 0; i < a.size_; ++i) {
    int64_t d = static_cast<int64_t>(a.limbs_[i]) - (i < b.size_ ? b.limbs_[i] : 0) - borrow;
    borrow = d < 0 ? 1 : 0;
    r.limbs_[i] = static_cast<uint32_t>(d + (borrow << 32));
  }
  r.size_ = a.size_;
  r.trim();
  out = r;
}

bool Decimal::align(const Decimal& a, const Decimal& b, Decimal& a2, Decimal& b2) {
  a2 = a;
  b2 = b;
  uint32_t s = std::max(a.scale_, b.scale_);
  return a2.rescale(s) && b2.rescale(s);
}

bool Decimal::add_signed(const Decimal& a, const Decimal& b, bool negate_b, Decimal& out) {
  Decimal x, y;
  if (!align(a, b, x, y)) return false;
  bool xn = x.negative(), yn = y.negative() != negate_b && !y.is_zero();
  Decimal r;
  if (xn == yn) {
    if (!add_magnitude(x, y, r)) return false;
    r.negative_ = xn;
  } else if (compare_magnitude(x, y) >= 0) {
    sub_magnitude(x, y, r);
    r.negative_ = xn;
  } else {
    sub_magnitude(y, x, r);
    r.negative_ = yn;
  }
  r.scale_ = x.scale_;
  out = r;
  return true;
}

int compare(const Decimal& a, const Decimal& b) {
  Decimal diff;
  if (!Decimal::add_signed(a, b, true, diff)) {
    // Cannot happen for values within 65 digits; order by sign and magnitude as a fallback.
    return a.negative() != b.negative() ? (a.negative() ? -1 : 1) : 0;
  }
  return diff.is_zero() ? 0 : diff.negative() ? -1 : 1;
}

bool add(const Decimal& a, const Decimal& b, Decimal& out) {
  return Decimal::add_signed(a, b, false, out);
}
bool sub(const Decimal& a, const Decimal& b, Decimal& out) {
  return Decimal::add_signed(a, b, true, out);
}

bool mul(const Decimal& a, const Decimal& b, Decimal& out) {
  if (a.size_ + b.size_ > Decimal::kLimbs) return false;
  Decimal r;
  for (uint32_t i = 0; i < a.size_; ++i) {
    uint64_t carry = 0;
    for (uint32_t j = 0; j < b.size_; ++j) {
      uint64_t cur = static_cast<uint64_t>(a.limbs_[i]) * b.limbs_[j] + r.limbs_[i + j] + carry;
      r.limbs_[i + j] = static_cast<uint32_t>(cur);
      carry = cur >> 32;
    }
    r.limbs_[i + b.size_] = static_cast<uint32_t>(carry);
  }
  r.size_ = a.size_ + b.size_;
  r.trim();
  r.scale_ = a.scale_ + b.scale_;
  r.negative_ = a.negative() != b.negative();
  out = r;
  return true;
}

void Decimal::divmod_magnitude(const Decimal& a, const Decimal& b, Decimal& quotient,
                               Decimal& remainder) {
  // Shift-subtract long division, bit by bit: at most 768 steps over 24 limbs, no heap.
  Decimal q, r;
  for (uint32_t bit = a.size_ * 32; bit-- > 0;) {
    // r = r * 2 + next bit of a
    uint32_t carry = (a.limbs_[bit / 32] >> (bit % 32)) & 1;
    for (uint32_t i = 0; i < r.size_; ++i) {
      uint32_t next = r.limbs_[i] >> 31;
      r.limbs_[i] = (r.limbs_[i] << 1) | carry;
      carry = next;
    }
    if (carry != 0) r.limbs_[r.size_++] = carry;
    if (compare_magnitude(r, b) >= 0) {
      sub_magnitude(r, b, r);
      q.limbs_[bit / 32] |= 1u << (bit % 32);
      q.size_ = std::max(q.size_, bit / 32 + 1);
    }
  }
  q.trim();
  quotient = q;
  remainder = r;
}

bool div(const Decimal& a, const Decimal& b, uint32_t scale, Decimal& out) {
  // a/b at `scale` (+1 digit for rounding) = a * 10^(scale + 1 + b.scale - a.scale) / b.
  Decimal num = a;
  num.negative_ = false;
  int64_t shift = static_cast<int64_t>(scale) + 1 + b.scale_ - a.scale_;
  Decimal den = b;
  den.negative_ = false;
  den.scale_ = 0;
  num.scale_ = 0;
  if (shift >= 0) {
    if (!num.scale_up(static_cast<uint32_t>(shift))) return false;
  } else if (!den.scale_up(static_cast<uint32_t>(-shift))) {
    return false;
  }
  Decimal q, r;
  Decimal::divmod_magnitude(num, den, q, r);
  q.scale_ = scale + 1;
  q.negative_ = a.negative() != b.negative();
  if (!q.rescale(scale)) return false;
  out = q;
  return true;
}

bool mod(const Decimal& a, const Decimal& b, Decimal& out) {
  Decimal x, y;
  if (!Decimal::align(a, b, x, y)) return false;
  Decimal q, r;
  Decimal::divmod_magnitude(x, y, q, r);
  r.scale_ = x.scale_;
  r.negative_ = a.negative();
  out = r;
  return true;
}

}  // namespace cdc::expr
