// String functions: UPPER LOWER TRIM LTRIM RTRIM CONCAT CONCAT_WS SUBSTR/SUBSTRING CHAR_LENGTH
// REPLACE SPLIT_INDEX MASK. Positions and lengths count code points, not bytes.
#include <algorithm>
#include <cstring>
#include <new>

#include "cdc/expr/functions.h"
#include "cdc/expr/unicode.h"

namespace cdc::expr {
namespace {

// Maps the ASCII letters in [from, from + 26) of `text` to the other case, eight bytes at a
// time; stops at the first non-ASCII byte and returns its index (size when there is none).
size_t flip_ascii_case(char* text, size_t size, char from) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x80 * kOnes;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t w;
    std::memcpy(&w, text + i, 8);
    if ((w & kHigh) != 0) break;
    // Every byte is below 0x80, so these sums carry into no neighbour: a byte's high bit says
    // byte >= from, resp. byte >= from + 26.
    const uint64_t at_least_from = w + static_cast<uint64_t>(0x80 - from) * kOnes;
    const uint64_t past_letters = w + static_cast<uint64_t>(0x80 - (from + 26)) * kOnes;
    w ^= (at_least_from & ~past_letters & kHigh) >> 2;  // 0x80 >> 2 is the case bit 0x20
    std::memcpy(text + i, &w, 8);
  }
  for (; i < size; ++i) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) return i;
    if (static_cast<unsigned char>(c - from) < 26) text[i] = static_cast<char>(c ^ 0x20);
  }
  return size;
}

// UPPER/LOWER: an ASCII run is mapped byte by byte straight into the arena; the first
// non-ASCII byte switches to code point case mapping (unicode.h) for the rest.
template <bool kUpper>
Status change_case_fn(const EvalContext& ctx, const CallNode&, const Value* a, size_t, Value& out) {
  std::string_view in = a[0].text;
  CDC_CHECK(ctx.row.arena != nullptr, "EvalRow::arena is set by every caller of eval()");
  char* dst = static_cast<char*>(ctx.row.arena->allocate(in.size() == 0 ? 1 : in.size(), 1));
  if (!in.empty()) std::memcpy(dst, in.data(), in.size());
  if (flip_ascii_case(dst, in.size(), kUpper ? 'a' : 'A') == in.size()) {
    out = Value::string(std::string_view(dst, in.size()));
    return {};
  }
  std::string& s = scratch();
  for (size_t pos = 0; pos < in.size();) {
    char32_t cp = next_code_point(in, pos);
    kUpper ? append_upper(s, cp) : append_lower(s, cp);
  }
  return set_text(ctx, s, out);
}

// Flink trims the space character only (not tabs or newlines).
template <bool kLeft, bool kRight>
Status trim_fn(const EvalContext&, const CallNode&, const Value* a, size_t, Value& out) {
  std::string_view s = a[0].text;
  if (kLeft) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  }
  if (kRight) {
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  }
  out = Value::string(s);  // a view into the argument: no copy
  return {};
}

// Advances pos over n code points (or to the end); ASCII bytes without the decoder call.
size_t skip_code_points(std::string_view text, size_t pos, int64_t n) {
  for (int64_t i = 0; i < n && pos < text.size(); ++i) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
    } else {
      (void)next_code_point(text, pos);
    }
  }
  return pos;
}

enum class CaseChange : uint8_t { none, upper, lower };

// Maps `text`, which this call just wrote into the arena followed by zero bytes up to `padded`,
// to upper/lower case: an all-ASCII string in place, anything else through the code point
// mapping into a new arena string.
std::string_view change_case_in_place(const EvalContext& ctx, CaseChange change, char* text,
                                      size_t size, size_t padded) {
  // One pass: ASCII bytes are mapped as they are checked. The code point mapping below maps
  // an ASCII letter as this does, so a prefix already mapped here maps to itself again.
  if (flip_ascii_case(text, padded, change == CaseChange::upper ? 'a' : 'A') == padded)
    return {text, size};
  std::string_view in(text, size);
  std::string& s = scratch();
  for (size_t pos = 0; pos < in.size();) {
    char32_t cp = next_code_point(in, pos);
    change == CaseChange::upper ? append_upper(s, cp) : append_lower(s, cp);
  }
  return store_text(ctx, s);
}

// CONCAT (strict: NULL if any argument is NULL, the arguments after it not evaluated): the
// parts are measured, then written once straight into the arena. UPPER/LOWER over a CONCAT
// fold into it (`case_change`) and map the fresh bytes in place: one arena string per row
// instead of three copies through the scratch buffer.
class ConcatNode final : public Node {
 public:
  ConcatNode(ExprType type, uint32_t offset, std::vector<NodePtr> args)
      : Node(type, offset), args_(std::move(args)) {}

  bool eval(const EvalContext& ctx, Value& out) const override {
    alignas(std::string_view) std::byte storage[sizeof(std::string_view) * kMaxArgs];
    auto* parts = reinterpret_cast<std::string_view*>(storage);
    size_t total = 0;
    for (size_t i = 0; i < args_.size(); ++i) {
      Value tmp;
      const Value* v = args_[i]->operand(ctx, tmp);
      if (v == nullptr) return false;
      if (v->is_null()) {
        out = Value();
        return true;
      }
      new (&parts[i]) std::string_view(v->text);
      total += v->text.size();
    }
    CDC_CHECK(ctx.row.arena != nullptr, "EvalRow::arena is set by every caller of eval()");
    // With a case change the result is padded with zero bytes to whole words, so that the
    // case mapping runs eight bytes at a time to the end (zeros are not letters).
    const size_t padded = case_change_ == CaseChange::none ? total : (total + 7) / 8 * 8;
    char* dst = static_cast<char*>(ctx.row.arena->allocate(padded == 0 ? 1 : padded, 1));
    for (size_t i = total; i < padded; ++i) dst[i] = 0;
    char* at = dst;
    for (size_t i = 0; i < args_.size(); ++i) {
      const std::string_view part = parts[i];
      if (part.size() <= 16) {  // the usual short part: no call into memcpy
        for (size_t j = 0; j < part.size(); ++j) at[j] = part[j];
      } else {
        std::memcpy(at, part.data(), part.size());
      }
      at += part.size();
    }
    out = Value::string(case_change_ == CaseChange::none
                            ? std::string_view(dst, total)
                            : change_case_in_place(ctx, case_change_, dst, total, padded));
    return true;
  }

  // UPPER(CONCAT(...)) / LOWER(CONCAT(...)): true when folded into this node.
  bool fold_case_change(CaseChange change) {
    if (case_change_ != CaseChange::none) return false;
    case_change_ = change;
    return true;
  }

 private:
  std::vector<NodePtr> args_;
  CaseChange case_change_ = CaseChange::none;
};

// SUBSTR(s, start[, length]): 1-based; a negative start counts from the end (-1 is the last
// character); start 0 or a start beyond the string gives ''; a negative length is an error
// in Flink, '' here. The result is a view into s. A positive start walks only the code points
// up to the end of the result, not the whole string. Strict like a CallNode.
class SubstrNode final : public Node {
 public:
  SubstrNode(ExprType type, uint32_t offset, std::vector<NodePtr> args)
      : Node(type, offset), args_(std::move(args)) {
    // Literal positions (the usual SUBSTR(s, 1, 3)) are read once here.
    start_ = literal_int(*args_[1]);
    if (args_.size() > 2) length_ = literal_int(*args_[2]);
  }

  bool eval(const EvalContext& ctx, Value& out) const override {
    Value text_tmp, start_tmp, length_tmp;
    const Value* text = args_[0]->operand(ctx, text_tmp);
    if (text == nullptr) return false;
    if (text->is_null()) return set_null(out);
    int64_t start = 0;
    if (start_) {
      start = *start_;
    } else {
      const Value* start_value = args_[1]->operand(ctx, start_tmp);
      if (start_value == nullptr) return false;
      if (start_value->is_null()) return set_null(out);
      start = as_int64(*start_value);
    }
    int64_t len = INT64_MAX;
    if (length_) {
      len = *length_;
    } else if (args_.size() > 2) {
      const Value* length_value = args_[2]->operand(ctx, length_tmp);
      if (length_value == nullptr) return false;
      if (length_value->is_null()) return set_null(out);
      len = as_int64(*length_value);
    }
    const std::string_view s = text->text;
    size_t begin = 0;
    if (start > 0) {
      begin = skip_code_points(s, 0, start - 1);
      if (begin == s.size()) len = 0;  // start beyond the last character
    } else {
      const int64_t count = static_cast<int64_t>(code_point_count(s));
      const int64_t first = start < 0 ? count + start : count;
      if (first < 0 || first >= count) len = 0;
      if (len > 0) begin = byte_offset_of(s, static_cast<size_t>(first));
    }
    if (len <= 0) {
      out = Value::string({});
      return true;
    }
    out = Value::string(s.substr(begin, skip_code_points(s, begin, len) - begin));
    return true;
  }

 private:
  static bool set_null(Value& out) {
    out = Value();
    return true;
  }
  static std::optional<int64_t> literal_int(const Node& arg) {
    const Value* v = arg.constant();
    if (v == nullptr || v->is_null()) return std::nullopt;
    return as_int64(*v);
  }
  std::vector<NodePtr> args_;
  std::optional<int64_t> start_, length_;  // literal positions
};

Status concat_ws_fn(const EvalContext& ctx, const CallNode&, const Value* a, size_t n, Value& out) {
  if (a[0].is_null()) {
    out = Value();
    return {};
  }
  std::string& s = scratch();
  bool first = true;
  for (size_t i = 1; i < n; ++i) {
    if (a[i].is_null()) continue;  // CONCAT_WS skips NULL arguments
    if (!first) s += a[0].text;
    s += a[i].text;
    first = false;
  }
  return set_text(ctx, s, out);
}

Status char_length_fn(const EvalContext&, const CallNode&, const Value* a, size_t, Value& out) {
  out = Value::int64(static_cast<int64_t>(code_point_count(a[0].text)));
  return {};
}

Status replace_fn(const EvalContext& ctx, const CallNode&, const Value* a, size_t, Value& out) {
  std::string_view s = a[0].text, from = a[1].text, to = a[2].text;
  if (from.empty()) {
    out = Value::string(s);
    return {};
  }
  std::string& r = scratch();
  size_t pos = 0;
  for (size_t hit; (hit = s.find(from, pos)) != std::string_view::npos; pos = hit + from.size()) {
    r.append(s.substr(pos, hit - pos));
    r.append(to);
  }
  r.append(s.substr(pos));
  return set_text(ctx, r, out);
}

// SPLIT_INDEX(s, delimiter, index): the 0-based index-th token of s split on the whole
// delimiter string (adjacent delimiters give empty tokens); NULL when the index is negative
// or past the last token. An empty delimiter leaves s as the single token.
Status split_index_fn(const EvalContext&, const CallNode&, const Value* a, size_t, Value& out) {
  std::string_view s = a[0].text, delim = a[1].text;
  int64_t index = as_int64(a[2]);
  out = Value();
  if (index < 0) return {};
  if (delim.empty()) {
    if (index == 0) out = Value::string(s);
    return {};
  }
  size_t pos = 0;
  for (int64_t i = 0;; ++i) {
    size_t hit = s.find(delim, pos);
    if (i == index) {
      out = Value::string(s.substr(pos, hit == std::string_view::npos ? hit : hit - pos));
      return {};
    }
    if (hit == std::string_view::npos) return {};
    pos = hit + delim.size();
  }
}

// MASK(s, keep_first, keep_last): every code point but the first keep_first and the last
// keep_last becomes '*'. Negative counts keep nothing on that side.
Status mask_fn(const EvalContext& ctx, const CallNode&, const Value* a, size_t, Value& out) {
  std::string_view s = a[0].text;
  int64_t count = static_cast<int64_t>(code_point_count(s));
  int64_t keep_first = std::max<int64_t>(0, as_int64(a[1]));
  int64_t keep_last = std::max<int64_t>(0, as_int64(a[2]));
  std::string& r = scratch();
  size_t pos = 0;
  for (int64_t i = 0; i < count; ++i) {
    size_t start = pos;
    next_code_point(s, pos);
    if (i < keep_first || i >= count - keep_last) {
      r.append(s.substr(start, pos - start));
    } else {
      r.push_back('*');
    }
  }
  return set_text(ctx, r, out);
}

ExprType string_type(const std::vector<NodePtr>& args) {
  return result_type(ValueKind::string, args);
}

template <FnImpl kFn>
bool build_text_unary(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  coerce_to_text(c, args);
  ExprType t = string_type(args);
  constexpr CaseChange kCase = kFn == change_case_fn<true>    ? CaseChange::upper
                               : kFn == change_case_fn<false> ? CaseChange::lower
                                                              : CaseChange::none;
  if constexpr (kCase != CaseChange::none) {
    // Same type (a string, nullable as the CONCAT) and the same result, one copy fewer.
    if (auto* concat = dynamic_cast<ConcatNode*>(args[0].get());
        concat != nullptr && concat->fold_case_change(kCase)) {
      out = std::move(args[0]);
      return true;
    }
  }
  if (kFn == char_length_fn) t.kind = ValueKind::int64;
  out = std::make_unique<CallNode>(t, call.offset, "", kFn, true, std::move(args));
  return true;
}

bool build_concat_call(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  return build_concat(c, call.offset, std::move(args), out);
}

bool build_concat_ws(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  coerce_to_text(c, args);
  ExprType t = string_type(args);
  t.nullable = args[0]->type().nullable;
  out =
      std::make_unique<CallNode>(t, call.offset, "CONCAT_WS", concat_ws_fn, false, std::move(args));
  return true;
}

bool build_substr(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (!require_integer(c, args[i], call.text)) return false;
  }
  coerce_to_text(c, args, 0, 1);
  out = std::make_unique<SubstrNode>(string_type(args), call.offset, std::move(args));
  return true;
}

bool build_replace(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  coerce_to_text(c, args);
  out = std::make_unique<CallNode>(string_type(args), call.offset, "REPLACE", replace_fn, true,
                                   std::move(args));
  return true;
}

bool build_split_index(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  if (!require_integer(c, args[2], "SPLIT_INDEX")) return false;
  coerce_to_text(c, args, 0, 2);
  out = std::make_unique<CallNode>(result_type(ValueKind::string, args, true), call.offset,
                                   "SPLIT_INDEX", split_index_fn, true, std::move(args));
  return true;
}

bool build_mask(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  if (!require_integer(c, args[1], "MASK") || !require_integer(c, args[2], "MASK")) return false;
  coerce_to_text(c, args, 0, 1);
  out = std::make_unique<CallNode>(string_type(args), call.offset, "MASK", mask_fn, true,
                                   std::move(args));
  return true;
}

constexpr FunctionDef kStringFunctions[] = {
    {"UPPER", 1, 1, build_text_unary<change_case_fn<true>>},
    {"UCASE", 1, 1, build_text_unary<change_case_fn<true>>},
    {"LOWER", 1, 1, build_text_unary<change_case_fn<false>>},
    {"LCASE", 1, 1, build_text_unary<change_case_fn<false>>},
    {"TRIM", 1, 1, build_text_unary<trim_fn<true, true>>},
    {"LTRIM", 1, 1, build_text_unary<trim_fn<true, false>>},
    {"RTRIM", 1, 1, build_text_unary<trim_fn<false, true>>},
    {"CHAR_LENGTH", 1, 1, build_text_unary<char_length_fn>},
    {"CHARACTER_LENGTH", 1, 1, build_text_unary<char_length_fn>},
    {"CONCAT", 1, kMaxArgs, build_concat_call},
    {"CONCAT_WS", 2, kMaxArgs, build_concat_ws},
    {"SUBSTR", 2, 3, build_substr},
    {"SUBSTRING", 2, 3, build_substr},
    {"REPLACE", 3, 3, build_replace},
    {"SPLIT_INDEX", 3, 3, build_split_index},
    {"MASK", 3, 3, build_mask},
};

}  // namespace

bool build_concat(Compiler& c, uint32_t offset, std::vector<NodePtr> args, NodePtr& out) {
  coerce_to_text(c, args);
  out = std::make_unique<ConcatNode>(string_type(args), offset, std::move(args));
  return true;
}

std::span<const FunctionDef> string_functions() { return kStringFunctions; }

}  // namespace cdc::expr
