#include "cdc/mysql/binlog/json_diff.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "cdc/core/byte_reader.h"
#include "cdc/core/json/json_writer.h"

namespace cdc::mysql {

namespace {

Error path_error(std::string_view text, size_t at, const std::string& what) {
  return make_error(Errc::malformed, "JSON path '" + std::string(text) + "': " + what +
                                         " at character " + std::to_string(at));
}

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class PathParser {
 public:
  explicit PathParser(std::string_view text) : s_(text) {}

  Result<std::vector<JsonPathLeg>> parse() {
    spaces();
    if (!eat('$')) return path_error(s_, i_, "expected '$'");
    std::vector<JsonPathLeg> legs;
    while (true) {
      spaces();
      if (i_ == s_.size()) return legs;
      if (eat('.')) {
        spaces();
        JsonPathLeg leg;
        if (i_ < s_.size() && s_[i_] == '"') {
          CDC_TRY_ASSIGN(leg.key, quoted());
        } else {
          const size_t start = i_;
          while (i_ < s_.size() && s_[i_] != '.' && s_[i_] != '[' && s_[i_] != ' ' &&
                 s_[i_] != '"') {
            ++i_;
          }
          if (i_ == start) return path_error(s_, i_, "empty member name");
          leg.key = std::string(s_.substr(start, i_ - start));
          if (leg.key == "*") return path_error(s_, start, "wildcard not allowed in a diff");
        }
        if (!json::is_valid_utf8(leg.key))
          return path_error(s_, i_, "member name is not valid UTF-8");
        legs.push_back(std::move(leg));
      } else if (eat('[')) {
        spaces();
        JsonPathLeg leg;
        leg.kind = JsonPathLeg::Kind::cell;
        if (s_.substr(i_, 4) == "last") {
          i_ += 4;
          leg.from_end = true;
          spaces();
          if (eat('-')) {
            spaces();
            CDC_TRY_ASSIGN(leg.index, number());
          }
        } else {
          CDC_TRY_ASSIGN(leg.index, number());
        }
        spaces();
        if (!eat(']')) return path_error(s_, i_, "expected ']' (ranges are not allowed in a diff)");
        legs.push_back(std::move(leg));
      } else {
        return path_error(s_, i_, "expected '.' or '[' (wildcards are not allowed in a diff)");
      }
    }
  }

 private:
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void spaces() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  Result<uint32_t> number() {
    uint32_t v = 0;
    const auto [ptr, ec] = std::from_chars(s_.data() + i_, s_.data() + s_.size(), v);
    if (ec != std::errc() || ptr == s_.data() + i_) {
      return path_error(s_, i_, "expected an array index");
    }
    i_ = static_cast<size_t>(ptr - s_.data());
    return v;
  }
  Result<uint32_t> hex4() {
    if (s_.size() - i_ < 4) return path_error(s_, i_, "short \\u escape");
    uint32_t v = 0;
    const auto [ptr, ec] = std::from_chars(s_.data() + i_, s_.data() + i_ + 4, v, 16);
    if (ec != std::errc() || ptr != s_.data() + i_ + 4) {
      return path_error(s_, i_, "bad \\u escape");
    }
    i_ += 4;
    return v;
  }
  // A double-quoted member name with JSON string escapes (json_path.cc parse_member_leg).
  Result<std::string> quoted() {
    ++i_;  // the opening quote
    std::string out;
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ == s_.size()) break;
      const char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          CDC_TRY_ASSIGN(uint32_t cp, hex4());
          if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair
            if (s_.substr(i_, 2) != "\\u") return path_error(s_, i_, "lone high surrogate");
            i_ += 2;
            CDC_TRY_ASSIGN(uint32_t lo, hex4());
            if (lo < 0xDC00 || lo > 0xDFFF) return path_error(s_, i_, "bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return path_error(s_, i_, "lone low surrogate");
          }
          append_utf8(cp, out);
          break;
        }
        default: return path_error(s_, i_ - 1, "bad escape");
      }
    }
    return path_error(s_, i_, "unterminated quoted member name");
  }

  std::string_view s_;
  size_t i_ = 0;
};

// Json_key_comparator (json_dom.h): keys are ordered by length, then bytewise; MySQL keeps
// object members in that order, so an inserted key goes where the server puts it.
bool key_less(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return std::memcmp(a.data(), b.data(), a.size()) < 0;
}

// Json_array_index: the position of a cell leg in an array of `size`, and whether it is inside.
struct CellIndex {
  size_t position;
  bool within;
};
CellIndex cell_index(const JsonPathLeg& leg, size_t size) {
  if (leg.from_end) return {leg.index < size ? size - leg.index - 1 : 0, leg.index < size};
  return {std::min<size_t>(leg.index, size), leg.index < size};
}

// seek_exact_path over legs [0, n): no wildcards, no auto-wrapping.
MysqlJson* seek(MysqlJson& doc, const std::vector<JsonPathLeg>& legs, size_t n) {
  MysqlJson* at = &doc;
  for (size_t leg_idx = 0; leg_idx < n; ++leg_idx) {
    const auto& leg = legs[leg_idx];
    if (at->kind == MysqlJson::Kind::array && leg.kind == JsonPathLeg::Kind::cell) {
      const auto idx = cell_index(leg, at->elements.size());
      if (!idx.within) return nullptr;
      at = &at->elements[idx.position];
    } else if (at->kind == MysqlJson::Kind::object && leg.kind == JsonPathLeg::Kind::member) {
      auto it = std::find_if(at->members.begin(), at->members.end(),
                             [&](const auto& m) { return m.key == leg.key; });
      if (it == at->members.end()) return nullptr;
      at = &it->value;
    } else {
      return nullptr;
    }
  }
  return at;
}

}  // namespace

std::string_view json_diff_op_name(JsonDiffOp op) {
  switch (op) {
    case JsonDiffOp::replace: return "REPLACE";
    case JsonDiffOp::insert: return "INSERT";
    case JsonDiffOp::remove: return "REMOVE";
  }
  return "?";
}

Result<std::vector<JsonDiff>> decode_json_diffs(std::span<const std::byte> bytes) {
  ByteReader r(bytes);
  std::vector<JsonDiff> out;
  while (r.remaining() > 0) {
    const size_t at = r.offset();
    const auto where = [&] {
      return "JSON diff " + std::to_string(out.size()) + " at byte " + std::to_string(at);
    };
    const uint8_t op = r.u8();
    if (op > static_cast<uint8_t>(JsonDiffOp::remove)) {
      return make_error(Errc::malformed, "unknown operation " + std::to_string(op))
          .with_context(where());
    }
    JsonDiff d;
    d.op = static_cast<JsonDiffOp>(op);
    const uint64_t path_len = r.lenenc();
    if (r.ok() && path_len > r.remaining()) {
      return make_error(Errc::truncated, "path of " + std::to_string(path_len) + " bytes with " +
                                             std::to_string(r.remaining()) + " left")
          .with_context(where());
    }
    d.path = r.string(static_cast<size_t>(path_len));
    if (d.op != JsonDiffOp::remove) {
      const uint64_t value_len = r.lenenc();
      if (r.ok() && value_len > r.remaining()) {
        return make_error(Errc::truncated, "value of " + std::to_string(value_len) +
                                               " bytes with " + std::to_string(r.remaining()) +
                                               " left")
            .with_context(where());
      }
      d.value = r.bytes(static_cast<size_t>(value_len));
    }
    if (auto st = r.finish(/*allow_trailing=*/true); !st) {
      return std::move(st).error().with_context(where());
    }
    out.push_back(d);
  }
  return out;
}

Result<std::vector<JsonPathLeg>> parse_mysql_json_path(std::string_view text) {
  return PathParser(text).parse();
}

Status apply_json_diff(MysqlJson& doc, JsonDiffOp op, std::string_view path, MysqlJson value) {
  const auto rejected = [&](const std::string& why) {
    return make_error(Errc::malformed, std::string(json_diff_op_name(op)) + " of " +
                                           std::string(path) + " rejected: " + why);
  };
  CDC_TRY_ASSIGN(auto legs, parse_mysql_json_path(path));
  // MySQL logs a whole-document change as a full image, never as a diff of `$`.
  if (legs.empty()) return rejected("a diff cannot address the whole document");
  if (op == JsonDiffOp::replace) {
    MysqlJson* old = seek(doc, legs, legs.size());
    if (old == nullptr) return rejected("the path does not exist in the before image");
    *old = std::move(value);
    return {};
  }
  MysqlJson* parent = seek(doc, legs, legs.size() - 1);
  if (parent == nullptr) return rejected("its parent does not exist in the before image");
  const JsonPathLeg& last = legs.back();
  if (parent->kind == MysqlJson::Kind::object && last.kind == JsonPathLeg::Kind::member) {
    auto& m = parent->members;
    auto it = std::find_if(m.begin(), m.end(), [&](const auto& e) { return e.key == last.key; });
    if (op == JsonDiffOp::insert) {
      if (it != m.end()) return rejected("the key already exists");
      auto pos = std::find_if(m.begin(), m.end(),
                              [&](const auto& e) { return key_less(last.key, e.key); });
      m.insert(pos, MysqlJsonMember{last.key, std::move(value)});
      return {};
    }
    if (it == m.end()) return rejected("the key does not exist");
    m.erase(it);
    return {};
  }
  if (parent->kind == MysqlJson::Kind::array && last.kind == JsonPathLeg::Kind::cell) {
    auto& e = parent->elements;
    const auto idx = cell_index(last, e.size());
    if (op == JsonDiffOp::insert) {
      e.insert(e.begin() + static_cast<std::ptrdiff_t>(idx.position), std::move(value));
      return {};
    }
    if (!idx.within) return rejected("the index is outside the array");
    e.erase(e.begin() + static_cast<std::ptrdiff_t>(idx.position));
    return {};
  }
  return rejected("the parent is not an object/array matching the last path leg");
}

Result<std::string> apply_json_diffs(std::span<const std::byte> before,
                                     std::span<const std::byte> diffs) {
  CDC_TRY_ASSIGN(auto list, decode_json_diffs(diffs));
  auto doc = parse_mysql_json(before);
  if (!doc) return std::move(doc).error().with_context("before image");
  for (size_t diff_idx = 0; diff_idx < list.size(); ++diff_idx) {
    const auto& d = list[diff_idx];
    MysqlJson value;
    if (d.op != JsonDiffOp::remove) {
      auto v = parse_mysql_json(d.value);
      if (!v) {
        return std::move(v).error().with_context("value of JSON diff " + std::to_string(diff_idx) +
                                                 " (" + std::string(json_diff_op_name(d.op)) + " " +
                                                 std::string(d.path) + ")");
      }
      value = std::move(*v);
    }
    CDC_TRY(apply_json_diff(*doc, d.op, d.path, std::move(value)));
  }
  return render_mysql_json(*doc);
}

}  // namespace cdc::mysql
