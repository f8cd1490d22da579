#include "cdc/postgres/types/pg_composite_text.h"

#include <string>

#include "cdc/core/text.h"

namespace cdc::postgres {

namespace {

Error bad(std::string_view what, std::string_view text, size_t at) {
  constexpr size_t kShown = 80;
  return make_error(Errc::malformed, std::string(what) + " at offset " + std::to_string(at) + ": " +
                                         quote(printable(text.substr(0, kShown))) +
                                         (text.size() > kShown ? "..." : ""));
}

bool iequals_null(std::string_view s) {
  return s.size() == 4 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'u' && (s[2] | 0x20) == 'l' &&
         (s[3] | 0x20) == 'l';
}

class ArrayParser {
 public:
  ArrayParser(std::string_view text, char delim, const PgArrayVisitor& v)
      : text_(text), delim_(delim), v_(v) {}

  Status run() {
    CDC_TRY(skip_dimensions());
    if (peek() != '{') return bad("array text without '{'", text_, pos_);
    CDC_TRY(list(1));
    if (pos_ != text_.size()) return bad("text after the array's '}'", text_, pos_);
    return {};
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  // "[lb:ub]...=" (array_out adds it when a lower bound is not 1); JSON has no bounds.
  Status skip_dimensions() {
    if (peek() != '[') return {};
    while (peek() == '[') {
      const size_t close = text_.find(']', pos_);
      if (close == std::string_view::npos) return bad("unclosed array dimension", text_, pos_);
      pos_ = close + 1;
    }
    if (peek() != '=') return bad("array dimensions without '='", text_, pos_);
    ++pos_;
    return {};
  }

  // At '{': its items up to the matching '}'.
  Status list(int depth) {
    if (depth > kMaxArrayDims) return bad("array nested deeper than 6", text_, pos_);
    ++pos_;
    CDC_TRY(v_.begin());
    if (peek() == '}') {  // only the whole array can be empty: "{}"
      if (depth != 1) return bad("empty sub-array", text_, pos_);
      ++pos_;
      leaf_depth_ = 0;
      return v_.end();
    }
    while (true) {
      if (peek() == '{') {
        CDC_TRY(list(depth + 1));
      } else {
        if (leaf_depth_ == -1) leaf_depth_ = depth;
        if (leaf_depth_ != depth) return bad("array of mixed dimensions", text_, pos_);
        CDC_TRY(element());
      }
      if (peek() == delim_) {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return v_.end();
      }
      return bad("expected the delimiter or '}' in array", text_, pos_);
    }
  }

  Status element() {
    scratch_.clear();
    if (peek() == '"') {
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) return bad("unclosed quote in array", text_, pos_);
        const char c = text_[pos_++];
        if (c == '"') break;
        if (c == '\\') {
          if (pos_ >= text_.size()) return bad("backslash at the end of array", text_, pos_);
          scratch_.push_back(text_[pos_++]);
        } else {
          scratch_.push_back(c);
        }
      }
      return v_.element(std::string_view(scratch_));
    }
    const size_t start = pos_;
    bool escaped = false;
    while (pos_ < text_.size() && text_[pos_] != delim_ && text_[pos_] != '}') {
      const char c = text_[pos_++];
      if (c == '"' || c == '{' || is_ascii_space(c)) {
        return bad("unquoted special character in array element", text_, pos_ - 1);
      }
      if (c == '\\') {
        if (pos_ >= text_.size()) return bad("backslash at the end of array", text_, pos_);
        escaped = true;
        scratch_.push_back(text_[pos_++]);
      } else {
        scratch_.push_back(c);
      }
    }
    if (pos_ == start) return bad("empty unquoted array element", text_, pos_);
    if (!escaped && iequals_null(scratch_)) return v_.element(std::nullopt);
    return v_.element(std::string_view(scratch_));
  }

  std::string_view text_;
  char delim_;
  const PgArrayVisitor& v_;
  size_t pos_ = 0;
  int leaf_depth_ = -1;  // depth of the elements seen, -1 before the first
  std::string scratch_;
};

// One field of a record or one bound of a range (record_in / range_parse_bound): up to an
// unquoted `stop` character; quotes may surround any part, "" inside quotes is a quote,
// a backslash takes the next character. Empty with no quotes = NULL / unbounded.
Status read_field(std::string_view text, size_t& pos, std::string_view stops, std::string& out,
                  bool& is_null) {
  out.clear();
  bool in_quote = false;
  bool quoted = false;
  while (true) {
    if (pos >= text.size()) return bad("unterminated field", text, pos);
    const char c = text[pos];
    if (!in_quote && stops.find(c) != std::string_view::npos) break;
    ++pos;
    if (c == '\\') {
      if (pos >= text.size()) return bad("backslash at the end", text, pos);
      out.push_back(text[pos++]);
    } else if (c == '"') {
      quoted = true;
      if (!in_quote) {
        in_quote = true;
      } else if (pos < text.size() && text[pos] == '"') {
        out.push_back('"');
        ++pos;
      } else {
        in_quote = false;
      }
    } else {
      out.push_back(c);
    }
  }
  is_null = out.empty() && !quoted;
  return {};
}

}  // namespace

Status parse_pg_array(std::string_view text, char delimiter, const PgArrayVisitor& visitor) {
  return ArrayParser(text, delimiter, visitor).run();
}

Status parse_pg_record(std::string_view text,
                       const std::function<Status(std::optional<std::string_view>)>& field) {
  if (text.empty() || text[0] != '(') return bad("record text without '('", text, 0);
  size_t pos = 1;
  if (text.size() == 2 && text[1] == ')') return {};  // a record of no fields
  std::string scratch;
  while (true) {
    bool is_null = false;
    CDC_TRY(read_field(text, pos, ",)", scratch, is_null));
    CDC_TRY(field(is_null ? std::nullopt : std::optional<std::string_view>(scratch)));
    if (text[pos] == ',') {
      ++pos;
      continue;
    }
    ++pos;  // ')'
    if (pos != text.size()) return bad("text after the record's ')'", text, pos);
    return {};
  }
}

Status parse_pg_range(std::string_view text, PgRangeText& range,
                      const std::function<Status(std::optional<std::string_view>)>& bound) {
  range = PgRangeText{};
  if (text == "empty") {
    range.empty = true;
    return {};
  }
  if (text.empty() || (text[0] != '[' && text[0] != '(')) {
    return bad("range text without '[' or '('", text, 0);
  }
  range.lower_inclusive = text[0] == '[';
  size_t pos = 1;
  std::string scratch;
  bool is_null = false;
  CDC_TRY(read_field(text, pos, ",", scratch, is_null));
  CDC_TRY(bound(is_null ? std::nullopt : std::optional<std::string_view>(scratch)));
  ++pos;  // ','
  CDC_TRY(read_field(text, pos, ")]", scratch, is_null));
  range.upper_inclusive = text[pos] == ']';
  CDC_TRY(bound(is_null ? std::nullopt : std::optional<std::string_view>(scratch)));
  if (pos + 1 != text.size()) return bad("text after the range's end", text, pos + 1);
  return {};
}

Status parse_pg_multirange(std::string_view text,
                           const std::function<Status(std::string_view)>& range) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
    return bad("multirange text without '{' and '}'", text, 0);
  }
  if (text.size() == 2) return {};
  size_t pos = 1;
  while (true) {
    // A range ends at the first ')' or ']' outside quotes (bounds quote those characters).
    const size_t start = pos;
    bool in_quote = false;
    while (pos < text.size() - 1) {
      const char c = text[pos];
      if (c == '\\') {
        pos += 2;
        continue;
      }
      if (c == '"') in_quote = !in_quote;
      ++pos;
      if (!in_quote && (c == ')' || c == ']') && pos > start + 1) break;
    }
    if (pos >= text.size()) return bad("unterminated range in multirange", text, start);
    CDC_TRY(range(text.substr(start, pos - start)));
    if (text[pos] == ',') {
      ++pos;
      continue;
    }
    if (pos == text.size() - 1) return {};
    return bad("expected ',' or '}' in multirange", text, pos);
  }
}

}  // namespace cdc::postgres
