// Conditional functions (COALESCE, IF, NULLIF), regular expressions (REGEXP, REGEXP_REPLACE
// with PCRE2, JIT-compiled once per call site), JSON_VALUE (simdjson) and hashes (MD5,
// SHA256 with OpenSSL's EVP one-shot digest).
#define PCRE2_CODE_UNIT_WIDTH 8
#include <openssl/evp.h>
#include <pcre2.h>
#include <simdjson.h>

#include <array>
#include <charconv>
#include <random>

#include "cdc/expr/conditional_nodes.h"
#include "cdc/expr/functions.h"

namespace cdc::expr {
namespace {

// ---- COALESCE / IF / NULLIF (the nodes of the first two: conditional_nodes.cpp) ------------

bool unify(Compiler& c, const Ast& call, std::vector<NodePtr>& args, size_t from,
           ExprType& common) {
  common = args[from]->type();
  for (size_t i = from + 1; i < args.size(); ++i) {
    ExprType next;
    if (!Compiler::common_type(common, args[i]->type(), next)) {
      return c.fail(args[i]->offset(), call.text + " arguments have incompatible types " +
                                           type_name(common) + " and " +
                                           type_name(args[i]->type()));
    }
    common = next;
  }
  for (size_t i = from; i < args.size(); ++i) args[i] = c.coerce(std::move(args[i]), common);
  return true;
}

bool build_coalesce(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  ExprType t;
  if (!unify(c, call, args, 0, t)) return false;
  t.nullable = true;
  for (const NodePtr& a : args) t.nullable = t.nullable && a->type().nullable;
  out = make_coalesce(t, call.offset, std::move(args));
  return true;
}

bool build_if(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  ValueKind k = args[0]->type().kind;
  if (k != ValueKind::boolean && k != ValueKind::null) {
    return c.fail(args[0]->offset(),
                  "IF needs a BOOLEAN condition, got " + type_name(args[0]->type()));
  }
  ExprType t;
  if (!unify(c, call, args, 1, t)) return false;
  out = make_if(t, call.offset, std::move(args[0]), std::move(args[1]), std::move(args[2]));
  return true;
}

struct NullIfState final : FnState {
  CompareMode mode = CompareMode::integer;
};

Status nullif_fn(const EvalContext& ctx, const CallNode& call, const Value* a, size_t, Value& out) {
  if (!a[0].is_null() && !a[1].is_null() &&
      compare_values(call.state<NullIfState>().mode, a[0], a[1], ctx.zone) == 0) {
    out = Value();
  } else {
    out = a[0];
  }
  return {};
}

bool build_nullif(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  ExprType t;
  if (!unify(c, call, args, 0, t)) return false;
  auto st = std::make_unique<NullIfState>();
  st->mode = Compiler::compare_mode(t);
  t.nullable = true;
  out = std::make_unique<CallNode>(t, call.offset, "NULLIF", nullif_fn, false, std::move(args),
                                   std::move(st));
  return true;
}

// ---- regular expressions ------------------------------------------------------------------

struct Pcre2CodeFree {
  void operator()(pcre2_code* p) const { pcre2_code_free(p); }
};

// One compiled pattern per call site. Patterns must be literals: compiling per row would cost
// more than everything else the row does (a deliberate difference from Flink).
struct RegexState final : FnState {
  std::unique_ptr<pcre2_code, Pcre2CodeFree> code;
  std::string replacement;  // REGEXP_REPLACE: Java's $1 syntax is PCRE2's too
};

// Per-thread match resources: the match data (sized for any pattern's first 64 groups), a
// JIT stack larger than the 32 KiB default, and limits so a catastrophic pattern fails
// cleanly instead of running for minutes.
struct MatchResources {
  pcre2_match_data* data = pcre2_match_data_create(64, nullptr);
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  pcre2_jit_stack* jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr);
  MatchResources() {
    pcre2_set_match_limit(context, 10'000'000);
    pcre2_set_depth_limit(context, 10'000);
    pcre2_jit_stack_assign(context, nullptr, jit_stack);
  }
  ~MatchResources() {
    pcre2_match_data_free(data);
    pcre2_match_context_free(context);
    pcre2_jit_stack_free(jit_stack);
  }
  MatchResources(const MatchResources&) = delete;
  MatchResources& operator=(const MatchResources&) = delete;
};

MatchResources& match_resources() {
  thread_local MatchResources r;
  return r;
}

std::string pcre2_message(int code) {
  std::array<PCRE2_UCHAR, 256> buf{};
  pcre2_get_error_message(code, buf.data(), buf.size());
  return reinterpret_cast<const char*>(buf.data());
}

Status regexp_fn(const EvalContext& ctx, const CallNode& call, const Value* a, size_t, Value& out) {
  MatchResources& r = match_resources();
  const RegexState& st = call.state<RegexState>();
  int rc = pcre2_match(st.code.get(), reinterpret_cast<PCRE2_SPTR>(a[0].text.data()),
                       a[0].text.size(), 0, 0, r.data, r.context);
  if (rc == PCRE2_ERROR_NOMATCH) {
    out = Value::boolean(false);
    return {};
  }
  if (rc < 0 && rc != 0) {
    return runtime_error(ctx, call.offset(), "REGEXP failed: " + pcre2_message(rc));
  }
  out = Value::boolean(true);
  return {};
}

Status regexp_replace_fn(const EvalContext& ctx, const CallNode& call, const Value* a, size_t,
                         Value& out) {
  MatchResources& r = match_resources();
  const RegexState& st = call.state<RegexState>();
  std::string& buf = scratch();
  buf.resize(a[0].text.size() * 2 + 64);
  for (int attempt = 0; attempt < 2; ++attempt) {
    PCRE2_SIZE length = buf.size();
    int rc = pcre2_substitute(
        st.code.get(), reinterpret_cast<PCRE2_SPTR>(a[0].text.data()), a[0].text.size(), 0,
        PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH, r.data, r.context,
        reinterpret_cast<PCRE2_SPTR>(st.replacement.data()), st.replacement.size(),
        reinterpret_cast<PCRE2_UCHAR*>(buf.data()), &length);
    if (rc == PCRE2_ERROR_NOMEMORY && attempt == 0) {
      buf.resize(length + 1);  // PCRE2 reported the size it needs
      continue;
    }
    if (rc < 0) {
      return runtime_error(ctx, call.offset(), "REGEXP_REPLACE failed: " + pcre2_message(rc));
    }
    return set_text(ctx, std::string_view(buf.data(), length), out);
  }
  return runtime_error(ctx, call.offset(), "REGEXP_REPLACE: result buffer");
}

bool compile_regex(Compiler& c, const NodePtr& pattern, RegexState& st) {
  const Value* lit = pattern->constant();
  if (lit == nullptr || !is_text_kind(lit->kind)) {
    return c.fail(pattern->offset(), "the regular expression must be a string literal");
  }
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  // UTF: '.' matches a code point; MATCH_INVALID_UTF: bytes that are not UTF-8 never crash
  // or error, they just do not match multi-byte constructs.
  st.code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(lit->text.data()), lit->text.size(),
                              PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &error, &error_offset, nullptr));
  if (!st.code) {
    return c.fail(pattern->offset(), "invalid regular expression at character " +
                                         std::to_string(error_offset + 1) + " of '" +
                                         std::string(lit->text) + "': " + pcre2_message(error));
  }
  (void)pcre2_jit_compile(st.code.get(), PCRE2_JIT_COMPLETE);  // ignored: falls back to the
                                                               // interpreter when JIT is absent
  return true;
}

bool build_regexp(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  coerce_to_text(c, args);
  auto st = std::make_unique<RegexState>();
  if (!compile_regex(c, args[1], *st)) return false;
  out = std::make_unique<CallNode>(result_type(ValueKind::boolean, args), call.offset, "REGEXP",
                                   regexp_fn, true, std::move(args), std::move(st));
  return true;
}

bool build_regexp_replace(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  coerce_to_text(c, args);
  auto st = std::make_unique<RegexState>();
  if (!compile_regex(c, args[1], *st)) return false;
  const Value* rep = args[2]->constant();
  if (rep == nullptr || !is_text_kind(rep->kind)) {
    return c.fail(args[2]->offset(), "the replacement of REGEXP_REPLACE must be a string literal");
  }
  st->replacement = std::string(rep->text);
  out = std::make_unique<CallNode>(result_type(ValueKind::string, args), call.offset,
                                   "REGEXP_REPLACE", regexp_replace_fn, true, std::move(args),
                                   std::move(st));
  return true;
}

// ---- JSON_VALUE ---------------------------------------------------------------------------

// A JSONPath of the subset Flink's JSON_VALUE is used with ($, .key, ['key'], [n]),
// translated once into an RFC 6901 JSON pointer.
struct JsonPathState final : FnState {
  std::string pointer;
};

bool json_path_to_pointer(std::string_view path, std::string& pointer, std::string& error) {
  pointer.clear();
  size_t i = 0;
  if (path.empty() || path[0] != '$') {
    error = "a JSON path starts with '$'";
    return false;
  }
  // Optional "lax "/"strict " prefix of SQL/JSON paths.
  ++i;
  auto append_key = [&](std::string_view key) {
    pointer.push_back('/');
    for (char ch : key) {
      if (ch == '~') {
        pointer += "~0";
      } else if (ch == '/') {
        pointer += "~1";
      } else {
        pointer.push_back(ch);
      }
    }
  };
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t j = ++i;
      while (j < path.size() && path[j] != '.' && path[j] != '[') ++j;
      if (j == i) {
        error = "empty key after '.' at character " + std::to_string(i + 1);
        return false;
      }
      append_key(path.substr(i, j - i));
      i = j;
    } else if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string_view::npos) {
        error = "unclosed '[' at character " + std::to_string(i + 1);
        return false;
      }
      std::string_view inside = path.substr(i + 1, close - i - 1);
      if (inside.size() >= 2 && (inside.front() == '\'' || inside.front() == '"') &&
          inside.back() == inside.front()) {
        append_key(inside.substr(1, inside.size() - 2));
      } else if (!inside.empty() &&
                 inside.find_first_not_of("0123456789") == std::string_view::npos) {
        pointer.push_back('/');
        pointer += inside;
      } else {
        error = "expected an index or a quoted key in [" + std::string(inside) + "]";
        return false;
      }
      i = close + 1;
    } else {
      error = "unexpected '" + std::string(1, path[i]) + "' at character " + std::to_string(i + 1);
      return false;
    }
  }
  return true;
}

// JSON_VALUE(json, path): the scalar at path as text (strings unquoted); NULL when the text
// is not JSON, the path is missing, or it names an object, array or JSON null (Flink's
// defaults NULL ON EMPTY, NULL ON ERROR).
Status json_value_fn(const EvalContext& ctx, const CallNode& call, const Value* a, size_t,
                     Value& out) {
  thread_local simdjson::dom::parser parser;  // reuses its buffers: no allocation per row
  out = Value();
  std::string pointer_buf;
  const std::string* pointer = &call.state<JsonPathState>().pointer;
  if (pointer->empty() && a[1].text != "$") {
    std::string error;
    if (!json_path_to_pointer(a[1].text, pointer_buf, error)) {
      return runtime_error(ctx, call.offset(),
                           "JSON_VALUE path '" + std::string(a[1].text) + "': " + error);
    }
    pointer = &pointer_buf;
  }
  simdjson::dom::element doc;
  if (parser.parse(a[0].text.data(), a[0].text.size(), true).get(doc) != simdjson::SUCCESS) {
    return {};
  }
  simdjson::dom::element e;
  if (doc.at_pointer(*pointer).get(e) != simdjson::SUCCESS) return {};
  char buf[32];
  switch (e.type()) {
    case simdjson::dom::element_type::STRING: {
      std::string_view s;
      if (e.get(s) != simdjson::SUCCESS) return {};
      return set_text(ctx, s, out);
    }
    case simdjson::dom::element_type::INT64: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, int64_t(e));
      return set_text(ctx, std::string_view(buf, end - buf), out);
    }
    case simdjson::dom::element_type::UINT64: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, uint64_t(e));
      return set_text(ctx, std::string_view(buf, end - buf), out);
    }
    case simdjson::dom::element_type::DOUBLE: {
      std::string& s = scratch();
      append_text(Value::float64(double(e)), ctx.zone, s);
      return set_text(ctx, s, out);
    }
    case simdjson::dom::element_type::BOOL: return set_text(ctx, bool(e) ? "true" : "false", out);
    default: return {};
  }
}

bool build_json_value(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  coerce_to_text(c, args);
  auto st = std::make_unique<JsonPathState>();
  if (const Value* lit = args[1]->constant(); lit != nullptr && is_text_kind(lit->kind)) {
    std::string error;
    if (!json_path_to_pointer(lit->text, st->pointer, error)) {
      return c.fail(args[1]->offset(),
                    "invalid JSON path '" + std::string(lit->text) + "': " + error);
    }
  }
  out =
      std::make_unique<CallNode>(result_type(ValueKind::string, args, true), call.offset,
                                 "JSON_VALUE", json_value_fn, true, std::move(args), std::move(st));
  return true;
}

// ---- hashes -------------------------------------------------------------------------------

template <bool kSha256>
Status digest_fn(const EvalContext& ctx, const CallNode& call, const Value* a, size_t, Value& out) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(a[0].text.data(), a[0].text.size(), md, &len, kSha256 ? EVP_sha256() : EVP_md5(),
                 nullptr) != 1) {
    return runtime_error(ctx, call.offset(), "OpenSSL digest failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  char hex[EVP_MAX_MD_SIZE * 2];
  for (unsigned int i = 0; i < len; ++i) {
    hex[2 * i] = kHex[md[i] >> 4];
    hex[2 * i + 1] = kHex[md[i] & 15];
  }
  return set_text(ctx, std::string_view(hex, len * 2), out);
}

template <bool kSha256>
bool build_digest(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  coerce_to_text(c, args);
  out = std::make_unique<CallNode>(result_type(ValueKind::string, args), call.offset,
                                   kSha256 ? "SHA256" : "MD5", digest_fn<kSha256>, true,
                                   std::move(args));
  return true;
}

// ---- UUID ---------------------------------------------------------------------------------

// UUID(): a random RFC 4122 version 4 UUID per call, from a per-thread generator seeded from
// std::random_device (not cryptographic; Flink uses java.util.UUID.randomUUID()).
Status uuid_fn(const EvalContext& ctx, const CallNode&, const Value*, size_t, Value& out) {
  thread_local std::mt19937_64 rng{(static_cast<uint64_t>(std::random_device{}()) << 32) ^
                                   std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                         // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[36];
  size_t pos = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) buf[pos++] = '-';
    uint64_t word = i < 16 ? hi : lo;
    buf[pos++] = kHex[(word >> (60 - 4 * (i % 16))) & 0xF];
  }
  return set_text(ctx, std::string_view(buf, sizeof buf), out);
}

bool build_uuid(Compiler&, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  out = std::make_unique<CallNode>(result_type(ValueKind::string, args), call.offset, "UUID",
                                   uuid_fn, true, std::move(args));
  return true;
}

constexpr FunctionDef kSpecialFunctions[] = {
    {"COALESCE", 1, kMaxArgs, build_coalesce},
    {"IFNULL", 2, 2, build_coalesce},
    {"UUID", 0, 0, build_uuid},
    {"IF", 3, 3, build_if},
    {"NULLIF", 2, 2, build_nullif},
    {"REGEXP", 2, 2, build_regexp},
    {"REGEXP_LIKE", 2, 2, build_regexp},
    {"REGEXP_REPLACE", 3, 3, build_regexp_replace},
    {"JSON_VALUE", 2, 2, build_json_value},
    {"MD5", 1, 1, build_digest<false>},
    {"SHA256", 1, 1, build_digest<true>},
};

}  // namespace

std::span<const FunctionDef> special_functions() { return kSpecialFunctions; }

}  // namespace cdc::expr
