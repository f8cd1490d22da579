// Date/time functions: NOW/CURRENT_TIMESTAMP/LOCALTIMESTAMP/CURRENT_DATE/CURRENT_TIME,
// DATE_FORMAT, TO_TIMESTAMP, TO_DATE, UNIX_TIMESTAMP, FROM_UNIXTIME, TIMESTAMP_DIFF
// (TIMESTAMPDIFF) and TIMESTAMPADD. TIMESTAMP_LTZ values are shown and split into fields in
// CompileOptions::time_zone; zoneless TIMESTAMP (datetime) values are taken as they are.
#include <algorithm>
#include <cctype>

#include "cdc/expr/functions.h"

namespace cdc::expr {
namespace {

ExprType typed(ValueKind kind, bool nullable, uint8_t fsp = 0) {
  ExprType t;
  t.kind = kind;
  t.nullable = nullable;
  t.fsp = fsp;
  return t;
}

// ---- current time -------------------------------------------------------------------------

Status now_fn(const EvalContext& ctx, const CallNode&, const Value*, size_t, Value& out) {
  out = Value::timestamp_micros(ctx.row.now_ms * 1000, 3);
  return {};
}
Status localtimestamp_fn(const EvalContext& ctx, const CallNode&, const Value*, size_t,
                         Value& out) {
  out = datetime_value(fields_from_timestamp(ctx.row.now_ms * 1000, ctx.zone), 3);
  return {};
}
Status current_date_fn(const EvalContext& ctx, const CallNode&, const Value*, size_t, Value& out) {
  out = date_value(fields_from_timestamp(ctx.row.now_ms * 1000, ctx.zone));
  return {};
}
Status current_time_fn(const EvalContext& ctx, const CallNode&, const Value*, size_t, Value& out) {
  DateTimeFields f = fields_from_timestamp(ctx.row.now_ms * 1000, ctx.zone);
  out = Value::time_micros((int64_t{f.hour} * 3600 + f.minute * 60 + f.second) * 1000000, 0);
  return {};
}

template <FnImpl kFn, ValueKind kKind, uint8_t kFsp>
bool build_now(Compiler&, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  out = std::make_unique<CallNode>(typed(kKind, false, kFsp), call.offset, "NOW", kFn, true,
                                   std::move(args));
  return true;
}

// ---- patterns -----------------------------------------------------------------------------

// A date pattern argument: checked once at compile time when it is a literal.
struct PatternState final : FnState {
  bool constant = false;
  std::string pattern;
};

std::unique_ptr<PatternState> pattern_state(Compiler& c, const std::vector<NodePtr>& args,
                                            size_t index, std::string_view default_pattern,
                                            bool& ok) {
  auto st = std::make_unique<PatternState>();
  ok = true;
  if (index >= args.size()) {
    st->constant = true;
    st->pattern = std::string(default_pattern);
    return st;
  }
  const Value* lit = args[index]->constant();
  if (lit != nullptr && is_text_kind(lit->kind)) {
    std::string error;
    if (!check_date_pattern(lit->text, error)) {
      ok = c.fail(args[index]->offset(), error);
      return st;
    }
    st->constant = true;
    st->pattern = std::string(lit->text);
  }
  return st;
}

// The pattern for this row: the compiled literal, or the argument checked now.
Status row_pattern(const EvalContext& ctx, const CallNode& call, const Value* a, size_t n,
                   size_t index, std::string_view& pattern) {
  const PatternState& st = call.state<PatternState>();
  if (st.constant) {
    pattern = st.pattern;
    return {};
  }
  if (index >= n) {  // no pattern argument: the caller parses ISO text
    pattern = {};
    return {};
  }
  std::string error;
  if (!check_date_pattern(a[index].text, error)) {
    return runtime_error(ctx, call.offset(), error);
  }
  pattern = a[index].text;
  return {};
}

Status date_format_fn(const EvalContext& ctx, const CallNode& call, const Value* a, size_t n,
                      Value& out) {
  std::string_view pattern;
  CDC_TRY(row_pattern(ctx, call, a, n, 1, pattern));
  DateTimeFields f;
  if (!fields_from_value(a[0], ctx.zone, f)) {
    return runtime_error(ctx, call.offset(), "DATE_FORMAT needs a date or timestamp");
  }
  std::string& s = scratch();
  format_with_pattern(f, pattern, s);
  return set_text(ctx, s, out);
}

bool build_date_format(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  ValueKind k = args[0]->type().kind;
  if (is_text_kind(k)) {
    args[0] = c.coerce(std::move(args[0]), typed(ValueKind::datetime, true, 6));
  } else if (!is_datetime_kind(k) && k != ValueKind::null) {
    return c.fail(args[0]->offset(),
                  "DATE_FORMAT needs a DATE or TIMESTAMP, got " + type_name(args[0]->type()));
  }
  coerce_to_text(c, args, 1, 2);
  bool ok = true;
  auto st = pattern_state(c, args, 1, "yyyy-MM-dd HH:mm:ss", ok);
  if (!ok) return false;
  out = std::make_unique<CallNode>(result_type(ValueKind::string, args), call.offset, "DATE_FORMAT",
                                   date_format_fn, true, std::move(args), std::move(st));
  return true;
}

// Parses a[0] with the pattern (or ISO when none was given). False: not a valid date/time.
bool parse_text_time(const CallNode& call, std::string_view pattern, bool has_pattern,
                     std::string_view text, DateTimeFields& f) {
  (void)call;
  if (!has_pattern) return parse_iso_datetime(text, f);
  return parse_with_pattern(text, pattern, f);
}

// TO_TIMESTAMP(s[, pattern]) -> TIMESTAMP(3) (zoneless, as Flink). NULL when s does not match.
Status to_timestamp_fn(const EvalContext& ctx, const CallNode& call, const Value* a, size_t n,
                       Value& out) {
  std::string_view pattern;
  CDC_TRY(row_pattern(ctx, call, a, n, 1, pattern));
  DateTimeFields f;
  if (!parse_text_time(call, pattern, n > 1, a[0].text, f)) {
    out = Value();
    return {};
  }
  out = call.type().kind == ValueKind::date ? date_value(f) : datetime_value(f, 3);
  return {};
}

template <ValueKind kKind>
bool build_to_timestamp(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  coerce_to_text(c, args);
  bool ok = true;
  auto st = pattern_state(c, args, 1, "", ok);
  if (!ok) return false;
  if (args.size() == 1) st->constant = false;  // ISO parsing, no pattern argument
  out = std::make_unique<CallNode>(typed(kKind, true, kKind == ValueKind::date ? 0 : 3),
                                   call.offset, "TO_TIMESTAMP", to_timestamp_fn, true,
                                   std::move(args), std::move(st));
  return true;
}

// UNIX_TIMESTAMP() -> now; UNIX_TIMESTAMP(ts) -> its epoch seconds; UNIX_TIMESTAMP(s[, pattern])
// -> s parsed in the zone ('yyyy-MM-dd HH:mm:ss' by default), NULL when it does not match.
Status unix_timestamp_fn(const EvalContext& ctx, const CallNode& call, const Value* a, size_t n,
                         Value& out) {
  if (n == 0) {
    out = Value::int64(ctx.row.now_ms / 1000 - (ctx.row.now_ms % 1000 < 0 ? 1 : 0));
    return {};
  }
  int64_t micros = 0;
  if (is_text_kind(a[0].kind)) {
    std::string_view pattern;
    CDC_TRY(row_pattern(ctx, call, a, n, 1, pattern));
    DateTimeFields f;
    if (!parse_with_pattern(a[0].text, pattern, f)) {
      out = Value();
      return {};
    }
    micros = timestamp_from_fields(f, ctx.zone);
  } else if (a[0].kind == ValueKind::timestamp) {
    micros = a[0].i;
  } else {
    DateTimeFields f;
    (void)fields_from_value(a[0], ctx.zone, f);  // ignored: typed as a date/datetime
    micros = timestamp_from_fields(f, ctx.zone);
  }
  int64_t secs = micros / 1000000;
  if (micros % 1000000 < 0) --secs;
  out = Value::int64(secs);
  return {};
}

bool build_unix_timestamp(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  if (!args.empty()) {
    ValueKind k = args[0]->type().kind;
    if (!is_text_kind(k) && !is_datetime_kind(k) && k != ValueKind::null) {
      return c.fail(args[0]->offset(), "UNIX_TIMESTAMP needs a string or a timestamp, got " +
                                           type_name(args[0]->type()));
    }
    if (args.size() > 1 && !is_text_kind(k)) {
      return c.fail(args[1]->offset(), "UNIX_TIMESTAMP takes a pattern only with a string");
    }
  }
  coerce_to_text(c, args, 1, 2);
  bool ok = true;
  auto st = pattern_state(c, args, 1, "yyyy-MM-dd HH:mm:ss", ok);
  if (!ok) return false;
  bool nullable = !args.empty();
  out = std::make_unique<CallNode>(typed(ValueKind::int64, nullable), call.offset, "UNIX_TIMESTAMP",
                                   unix_timestamp_fn, true, std::move(args), std::move(st));
  return true;
}

// FROM_UNIXTIME(seconds[, pattern]) -> the time in the zone as text.
Status from_unixtime_fn(const EvalContext& ctx, const CallNode& call, const Value* a, size_t n,
                        Value& out) {
  std::string_view pattern;
  CDC_TRY(row_pattern(ctx, call, a, n, 1, pattern));
  int64_t secs = as_int64(a[0]);
  // Keeps the microsecond arithmetic in range (+-292 000 years).
  if (secs > 9'000'000'000'000 || secs < -9'000'000'000'000) {
    return overflow(ctx, call.offset(), "FROM_UNIXTIME argument out of range", out);
  }
  std::string& s = scratch();
  format_with_pattern(fields_from_timestamp(secs * 1000000, ctx.zone), pattern, s);
  return set_text(ctx, s, out);
}

bool build_from_unixtime(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  if (!require_integer(c, args[0], "FROM_UNIXTIME")) return false;
  coerce_to_text(c, args, 1, 2);
  bool ok = true;
  auto st = pattern_state(c, args, 1, "yyyy-MM-dd HH:mm:ss", ok);
  if (!ok) return false;
  out =
      std::make_unique<CallNode>(result_type(ValueKind::string, args), call.offset, "FROM_UNIXTIME",
                                 from_unixtime_fn, true, std::move(args), std::move(st));
  return true;
}

// ---- TIMESTAMP_DIFF / TIMESTAMPADD --------------------------------------------------------

enum class Unit : uint8_t {
  microsecond,
  millisecond,
  second,
  minute,
  hour,
  day,
  week,
  month,
  quarter,
  year
};

struct UnitState final : FnState {
  Unit unit = Unit::second;
};

bool parse_unit(Compiler& c, const Ast& call, Unit& unit) {
  const Ast& a = *call.children[0];
  if (a.kind != AstKind::column && a.kind != AstKind::string_literal) {
    return c.fail(a.offset, call.text +
                                " needs a unit first: SECOND, MINUTE, HOUR, DAY, WEEK, "
                                "MONTH, QUARTER or YEAR");
  }
  std::string name = a.text;
  for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (name.starts_with("SQL_TSI_")) name = name.substr(8);  // JDBC spelling Calcite accepts
  static constexpr std::pair<std::string_view, Unit> kUnits[] = {{"MICROSECOND", Unit::microsecond},
                                                                 {"MILLISECOND", Unit::millisecond},
                                                                 {"SECOND", Unit::second},
                                                                 {"MINUTE", Unit::minute},
                                                                 {"HOUR", Unit::hour},
                                                                 {"DAY", Unit::day},
                                                                 {"WEEK", Unit::week},
                                                                 {"MONTH", Unit::month},
                                                                 {"QUARTER", Unit::quarter},
                                                                 {"YEAR", Unit::year}};
  for (const auto& [n, u] : kUnits) {
    if (name == n) {
      unit = u;
      return true;
    }
  }
  return c.fail(a.offset, "unknown time unit '" + a.text + "' in " + call.text +
                              " (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR)");
}

int64_t unit_micros(Unit u) {
  switch (u) {
    case Unit::microsecond: return 1;
    case Unit::millisecond: return 1000;
    case Unit::second: return 1000000;
    case Unit::minute: return 60'000'000;
    case Unit::hour: return 3'600'000'000;
    case Unit::day: return 86'400'000'000;
    case Unit::week: return 604'800'000'000;
    default: return 0;
  }
}

int64_t local_wall_micros(const Value& v, const TimeZone& zone) {
  DateTimeFields f;
  (void)fields_from_value(v, zone, f);  // ignored: typed as a date/datetime/timestamp
  return wall_micros(f);
}

// Whole months from a to b, truncated toward zero like Calcite's TIMESTAMPDIFF(MONTH, ...).
int64_t months_between(const DateTimeFields& a, const DateTimeFields& b) {
  int64_t months = (int64_t{b.year} - a.year) * 12 + (int64_t{b.month} - a.month);
  auto rest = [](const DateTimeFields& f) {
    return ((int64_t{f.day} * 24 + f.hour) * 3600 + f.minute * 60 + f.second) * 1000000 + f.micros;
  };
  if (months > 0 && rest(b) < rest(a)) --months;
  if (months < 0 && rest(b) > rest(a)) ++months;
  return months;
}

Status timestamp_diff_fn(const EvalContext& ctx, const CallNode& call, const Value* a, size_t,
                         Value& out) {
  Unit unit = call.state<UnitState>().unit;
  if (unit == Unit::month || unit == Unit::quarter || unit == Unit::year) {
    DateTimeFields fa, fb;
    (void)fields_from_value(a[0], ctx.zone, fa);  // ignored: typed at compile time
    (void)fields_from_value(a[1], ctx.zone, fb);
    int64_t months = months_between(fa, fb);
    out = Value::int64(unit == Unit::month ? months : months / (unit == Unit::quarter ? 3 : 12));
    return {};
  }
  int64_t diff = 0;
  int64_t x = a[0].kind == ValueKind::timestamp ? a[0].i : local_wall_micros(a[0], ctx.zone);
  int64_t y = a[1].kind == ValueKind::timestamp ? a[1].i : local_wall_micros(a[1], ctx.zone);
  if (a[0].kind == ValueKind::timestamp && a[1].kind != ValueKind::timestamp) {
    x = local_wall_micros(a[0], ctx.zone);
  } else if (a[1].kind == ValueKind::timestamp && a[0].kind != ValueKind::timestamp) {
    y = local_wall_micros(a[1], ctx.zone);
  }
  if (__builtin_sub_overflow(y, x, &diff)) {
    return overflow(ctx, call.offset(), "TIMESTAMP_DIFF overflow", out);
  }
  out = Value::int64(diff / unit_micros(unit));
  return {};
}

bool require_datetime(Compiler& c, std::vector<NodePtr>& args, size_t i, const Ast& call) {
  ValueKind k = args[i]->type().kind;
  if (is_text_kind(k)) {
    args[i] = c.coerce(std::move(args[i]), typed(ValueKind::datetime, true, 6));
    return true;
  }
  if (is_datetime_kind(k) || k == ValueKind::null) return true;
  return c.fail(args[i]->offset(),
                call.text + " needs a DATE or TIMESTAMP, got " + type_name(args[i]->type()));
}

bool build_timestamp_diff(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  auto st = std::make_unique<UnitState>();
  if (!parse_unit(c, call, st->unit)) return false;
  if (!require_datetime(c, args, 0, call) || !require_datetime(c, args, 1, call)) return false;
  ExprType t = result_type(ValueKind::int64, args, c.options().overflow_is_null);
  out = std::make_unique<CallNode>(t, call.offset, "TIMESTAMP_DIFF", timestamp_diff_fn, true,
                                   std::move(args), std::move(st));
  return true;
}

Status timestamp_add_fn(const EvalContext& ctx, const CallNode& call, const Value* a, size_t,
                        Value& out) {
  Unit unit = call.state<UnitState>().unit;
  int64_t n = as_int64(a[0]);
  const Value& v = a[1];
  DateTimeFields f;
  (void)fields_from_value(v, ctx.zone, f);  // ignored: typed at compile time
  if (unit == Unit::month || unit == Unit::quarter || unit == Unit::year) {
    int64_t months = n * (unit == Unit::month ? 1 : unit == Unit::quarter ? 3 : 12);
    int64_t total = int64_t{f.year} * 12 + (f.month - 1) + months;
    if (n > 1'000'000 || n < -1'000'000 || total < 0 || total > 9999 * 12 + 11) {
      return overflow(ctx, call.offset(), "TIMESTAMPADD result out of range", out);
    }
    f.year = static_cast<int32_t>(total / 12);
    f.month = static_cast<uint32_t>(total % 12) + 1;
    while (!valid_date(f.year, f.month, f.day) && f.day > 28) --f.day;  // Jan 31 + 1 month
  } else {
    int64_t delta = 0, micros = 0;
    if (__builtin_mul_overflow(n, unit_micros(unit), &delta) ||
        __builtin_add_overflow(wall_micros(f), delta, &micros)) {
      return overflow(ctx, call.offset(), "TIMESTAMPADD result out of range", out);
    }
    f = fields_from_wall_micros(micros);
  }
  switch (call.type().kind) {
    case ValueKind::date: out = date_value(f); break;
    case ValueKind::timestamp:
      out = Value::timestamp_micros(timestamp_from_fields(f, ctx.zone), v.fsp);
      break;
    default: out = datetime_value(f, call.type().fsp); break;
  }
  return {};
}

bool build_timestamp_add(Compiler& c, const Ast& call, std::vector<NodePtr>& args, NodePtr& out) {
  auto st = std::make_unique<UnitState>();
  if (!parse_unit(c, call, st->unit)) return false;
  if (!require_integer(c, args[0], call.text) || !require_datetime(c, args, 1, call)) {
    return false;
  }
  ExprType t = args[1]->type();
  if (t.kind == ValueKind::null) t = typed(ValueKind::datetime, true, 6);
  if (t.kind == ValueKind::date && st->unit < Unit::day) t = typed(ValueKind::datetime, true, 0);
  t.nullable = t.nullable || args[0]->type().nullable || c.options().overflow_is_null;
  out = std::make_unique<CallNode>(t, call.offset, "TIMESTAMPADD", timestamp_add_fn, true,
                                   std::move(args), std::move(st));
  return true;
}

constexpr FunctionDef kTemporalFunctions[] = {
    {"NOW", 0, 0, build_now<now_fn, ValueKind::timestamp, 3>},
    {"CURRENT_TIMESTAMP", 0, 0, build_now<now_fn, ValueKind::timestamp, 3>},
    {"LOCALTIMESTAMP", 0, 0, build_now<localtimestamp_fn, ValueKind::datetime, 3>},
    {"CURRENT_DATE", 0, 0, build_now<current_date_fn, ValueKind::date, 0>},
    {"CURRENT_TIME", 0, 0, build_now<current_time_fn, ValueKind::time, 0>},
    {"LOCALTIME", 0, 0, build_now<current_time_fn, ValueKind::time, 0>},
    {"DATE_FORMAT", 1, 2, build_date_format},
    {"TO_TIMESTAMP", 1, 2, build_to_timestamp<ValueKind::datetime>},
    {"TO_DATE", 1, 2, build_to_timestamp<ValueKind::date>},
    {"UNIX_TIMESTAMP", 0, 2, build_unix_timestamp},
    {"FROM_UNIXTIME", 1, 2, build_from_unixtime},
    {"TIMESTAMP_DIFF", 3, 3, build_timestamp_diff, true},
    {"TIMESTAMPDIFF", 3, 3, build_timestamp_diff, true},
    {"TIMESTAMPADD", 3, 3, build_timestamp_add, true},
    {"TIMESTAMP_ADD", 3, 3, build_timestamp_add, true},
};

}  // namespace

std::span<const FunctionDef> temporal_functions() { return kTemporalFunctions; }

}  // namespace cdc::expr
