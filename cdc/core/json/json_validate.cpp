// is_valid_json: a non-recursive RFC 8259 validator (no DOM, no allocation), used before raw
// JSON column text is inserted into output.
#include <cstdint>

#include "cdc/core/json/json_writer.h"
#include "cdc/core/json/utf8.h"

namespace cdc::json {

namespace {

class Validator {
 public:
  explicit Validator(std::string_view s)
      : p_(reinterpret_cast<const unsigned char*>(s.data())), end_(p_ + s.size()) {}

  bool run() {
    enum class State { value, key, after_value };
    State state = State::value;
    while (true) {
      skip_ws();
      switch (state) {
        case State::value: {
          if (p_ == end_) return false;
          const unsigned char c = *p_;
          if (c == '{' || c == '[') {
            ++p_;
            skip_ws();
            if (p_ != end_ && *p_ == (c == '{' ? '}' : ']')) {
              ++p_;
              state = State::after_value;
              break;
            }
            if (depth_ == kMaxJsonDepth) return false;
            stack_[depth_++] = static_cast<char>(c);
            state = c == '{' ? State::key : State::value;
            break;
          }
          if (c == '"') {
            if (!string()) return false;
          } else if (c == 't') {
            if (!literal("true", 4)) return false;
          } else if (c == 'f') {
            if (!literal("false", 5)) return false;
          } else if (c == 'n') {
            if (!literal("null", 4)) return false;
          } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (!number()) return false;
          } else {
            return false;
          }
          state = State::after_value;
          break;
        }
        case State::key:
          if (p_ == end_ || *p_ != '"' || !string()) return false;
          skip_ws();
          if (p_ == end_ || *p_ != ':') return false;
          ++p_;
          state = State::value;
          break;
        case State::after_value:
          if (depth_ == 0) return p_ == end_;
          if (p_ == end_) return false;
          if (*p_ == ',') {
            ++p_;
            state = stack_[depth_ - 1] == '{' ? State::key : State::value;
          } else if (*p_ == (stack_[depth_ - 1] == '{' ? '}' : ']')) {
            ++p_;
            --depth_;
          } else {
            return false;
          }
          break;
      }
    }
  }

 private:
  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  bool literal(const char* word, size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    for (size_t i = 0; i < n; ++i) {
      if (p_[i] != static_cast<unsigned char>(word[i])) return false;
    }
    p_ += n;
    return true;
  }

  bool digits() {
    const auto* start = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != start;
  }

  bool number() {
    if (*p_ == '-') ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (!digits()) {
      return false;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (!digits()) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return false;
    }
    return true;
  }

  // Reads 4 hex digits after "\u".
  bool hex4(uint32_t& cp) {
    if (end_ - p_ < 4) return false;
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const unsigned char h = *p_++;
      uint32_t d;
      if (h >= '0' && h <= '9')
        d = h - '0';
      else if (h >= 'a' && h <= 'f')
        d = h - 'a' + 10;
      else if (h >= 'A' && h <= 'F')
        d = h - 'A' + 10;
      else
        return false;
      cp = cp << 4 | d;
    }
    return true;
  }

  bool string() {
    ++p_;  // opening quote
    while (true) {
      if (p_ == end_) return false;
      const unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (++p_ == end_) return false;
        const unsigned char e = *p_++;
        if (e == 'u') {
          uint32_t cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // lone low surrogate
          if (cp >= 0xD800 && cp <= 0xDBFF) {              // needs a low surrogate next
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            uint32_t low;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
          }
        } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' &&
                   e != 'r' && e != 't') {
          return false;
        }
        continue;
      }
      if (c < 0x80) {
        ++p_;
        continue;
      }
      const Utf8Seq seq = utf8_sequence(p_, end_);
      if (!seq.valid) return false;
      p_ += seq.length;
    }
  }

  const unsigned char* p_;
  const unsigned char* const end_;
  int depth_ = 0;
  char stack_[kMaxJsonDepth];
};

}  // namespace

bool is_valid_json(std::string_view s) { return Validator(s).run(); }

}  // namespace cdc::json
