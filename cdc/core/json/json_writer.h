// JsonWriter: a streaming JSON writer that appends to a caller-owned std::string (no DOM, no
// allocation beyond growing that string). Whatever is passed in, the output is valid JSON:
// strings are fully escaped, invalid UTF-8 is replaced or base64-encoded, NaN/Inf become null
// and raw JSON is validated before it is inserted. Not thread-safe; cheap to construct per use.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace cdc::json {

// What a string value with invalid UTF-8 becomes (keys always use `replace`).
enum class InvalidUtf8Policy : uint8_t {
  // Each maximal invalid subsequence becomes one U+FFFD (WHATWG / Unicode "best practice").
  replace,
  // The whole value is written as a base64 string of its raw bytes.
  base64,
};

// Appends `s` as a quoted JSON string: `"` `\` and controls < 0x20 escaped (\b \f \n \r \t or
// \u00XX), U+2028/U+2029 as \u2028/\u2029, invalid UTF-8 handled per `policy`.
void append_string(std::string& out, std::string_view s,
                   InvalidUtf8Policy policy = InvalidUtf8Policy::replace);

// Appends standard (RFC 4648 section 4, padded) base64 of `bytes`, without quotes.
void append_base64(std::string& out, std::string_view bytes);

// True when every byte of `s` goes into a JSON string unchanged: printable ASCII (or DEL)
// other than `"` and `\`. Checks 8 bytes at a time.
bool is_plain_ascii(std::string_view s);

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool is_valid_utf8(std::string_view s);

// True when `s` is exactly one RFC 8259 JSON value (surrounding whitespace allowed), with
// valid UTF-8, no lone surrogate \u escapes and nesting depth <= kMaxJsonDepth.
inline constexpr int kMaxJsonDepth = 512;
bool is_valid_json(std::string_view s);

// Appends the shortest text that round-trips `d` (std::to_chars); false, appending nothing,
// for NaN and infinities.
bool append_double(std::string& out, double d);
bool append_float(std::string& out, float f);
void append_int(std::string& out, int64_t v);
void append_uint(std::string& out, uint64_t v);

class JsonWriter {
 public:
  // `out` must outlive the writer; output is appended after what `out` already holds.
  explicit JsonWriter(std::string& out, InvalidUtf8Policy policy = InvalidUtf8Policy::replace)
      : out_(out), policy_(policy) {}

  void begin_object() {
    sep();
    out_.push_back('{');
    need_comma_ = false;
  }
  void end_object() {
    out_.push_back('}');
    need_comma_ = true;
  }
  void begin_array() {
    sep();
    out_.push_back('[');
    need_comma_ = false;
  }
  void end_array() {
    out_.push_back(']');
    need_comma_ = true;
  }

  // An object key (escaped); the next call writes its value.
  void key(std::string_view k) {
    if (k.size() <= kShortMax && is_plain_ascii(k)) {  // column names: one append of `,"k":`
      quoted_ascii(k, ":");
      need_comma_ = false;
      return;
    }
    sep();
    append_string(out_, k, InvalidUtf8Policy::replace);
    out_.push_back(':');
    need_comma_ = false;
  }
  // A key the caller guarantees needs no escaping (ASCII letters, digits, '_', '.').
  void key_ascii(std::string_view k) {
    // One append of `,"k":` instead of four: keys are most of a Debezium envelope's calls.
    quoted_ascii(k, ":");
    need_comma_ = false;
  }
  void string(std::string_view s) {
    if (s.size() <= kShortMax && is_plain_ascii(s)) {  // short plain values: one append
      quoted_ascii(s, "");
    } else {
      sep();
      append_string(out_, s, policy_);
    }
    need_comma_ = true;
  }
  void string(std::string_view s, InvalidUtf8Policy policy) {
    sep();
    append_string(out_, s, policy);
    need_comma_ = true;
  }
  // A string value the caller guarantees is printable ASCII without `"` or `\`.
  void string_ascii(std::string_view s) {
    quoted_ascii(s, "");
    need_comma_ = true;
  }
  void base64(std::string_view bytes) {
    sep();
    out_.push_back('"');
    append_base64(out_, bytes);
    out_.push_back('"');
    need_comma_ = true;
  }
  void int64(int64_t v) { integer(v); }
  void uint64(uint64_t v) { integer(v); }
  // NaN and infinities become null: JSON has no representation for them.
  void float64(double d) {
    sep();
    if (!append_double(out_, d)) out_.append("null", 4);
    need_comma_ = true;
  }
  void float32(float f) {
    sep();
    if (!append_float(out_, f)) out_.append("null", 4);
    need_comma_ = true;
  }
  void boolean(bool b) {
    sep();
    out_.append(b ? "true" : "false", b ? 4 : 5);
    need_comma_ = true;
  }
  void null() {
    out_.append(",null" + (need_comma_ ? 0 : 1), need_comma_ ? 5 : 4);
    need_comma_ = true;
  }

  // Inserts `json` verbatim when it is valid JSON (is_valid_json); otherwise writes it as a
  // string, so the output stays valid. Returns whether it was inserted as JSON.
  bool raw_json(std::string_view json);

  // Starts a value whose text the caller appends to out() directly (must be valid JSON).
  std::string& begin_raw_value() {
    sep();
    need_comma_ = true;
    return out_;
  }

  std::string& out() { return out_; }
  InvalidUtf8Policy policy() const { return policy_; }

 private:
  static constexpr size_t kShortMax = 60;  // keys/values up to this long take the one-append path

  // `,"text"` + suffix (":" after a key), in one append when short.
  void quoted_ascii(std::string_view text, std::string_view suffix) {
    if (text.size() <= kShortMax) {
      char buf[kShortMax + 4];
      size_t n = 0;
      if (need_comma_) buf[n++] = ',';
      buf[n++] = '"';
      if (!text.empty())
        std::memcpy(buf + n, text.data(), text.size());  // an empty view may be null
      n += text.size();
      buf[n++] = '"';
      std::memcpy(buf + n, suffix.data(), suffix.size());
      n += suffix.size();
      out_.append(buf, n);
    } else {
      sep();
      out_.push_back('"');
      out_.append(text);
      out_.push_back('"');
      out_.append(suffix);
    }
  }

  void sep() {
    if (need_comma_) out_.push_back(',');
  }

  // The separator and the digits in one append.
  template <class Int>
  void integer(Int v) {
    char buf[24];  // ',' and at most 20 characters (INT64_MIN, UINT64_MAX)
    char* p = buf;
    if (need_comma_) *p++ = ',';
    p = std::to_chars(p, buf + sizeof buf, v).ptr;
    out_.append(buf, static_cast<size_t>(p - buf));
    need_comma_ = true;
  }

  std::string& out_;
  InvalidUtf8Policy policy_;
  bool need_comma_ = false;
};

}  // namespace cdc::json
