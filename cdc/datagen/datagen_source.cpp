#include "cdc/datagen/datagen_source.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <regex>
#include <thread>

namespace cdc::datagen {

namespace {

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// splitmix64: a fast, well-mixed hash so each (seed, row, column) gets independent bits.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

struct ParsedType {
  ValueKind kind;
  bool is_unsigned = false;
  uint32_t length = 0;
  uint32_t precision = 0;
  uint32_t scale = 0;
  uint8_t fsp = 0;
  double type_min = 0;
  double type_max = 0;
};

Result<ParsedType> parse_type(const std::string& text) {
  static const std::regex re(
      R"(^\s*([a-z]+)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*(unsigned)?\s*$)",
      std::regex::icase);
  std::smatch m;
  if (!std::regex_match(text, m, re)) {
    return make_error(Errc::invalid_config, "cannot parse column type '" + text + "'");
  }
  std::string base = m[1].str();
  std::transform(base.begin(), base.end(), base.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  const uint32_t a1 = m[2].matched ? static_cast<uint32_t>(std::stoul(m[2].str())) : 0;
  const uint32_t a2 = m[3].matched ? static_cast<uint32_t>(std::stoul(m[3].str())) : 0;
  ParsedType t{};
  t.is_unsigned = m[4].matched;
  auto integer = [&](double lo, double hi, double uhi) {
    t.kind = t.is_unsigned ? ValueKind::uint64 : ValueKind::int64;
    t.type_min = t.is_unsigned ? 0 : lo;
    t.type_max = t.is_unsigned ? uhi : hi;
  };
  if (base == "tinyint")
    integer(-128, 127, 255);
  else if (base == "smallint")
    integer(-32768, 32767, 65535);
  else if (base == "int" || base == "integer")
    integer(-1e9, 1e9, 1e9);
  else if (base == "bigint")
    integer(-1e9, 1e9, 1e9);
  else if (base == "boolean" || base == "bool")
    t.kind = ValueKind::boolean;
  else if (base == "float") {
    t.kind = ValueKind::float32;
    t.type_min = -1e6;
    t.type_max = 1e6;
  } else if (base == "double") {
    t.kind = ValueKind::float64;
    t.type_min = -1e6;
    t.type_max = 1e6;
  } else if (base == "decimal" || base == "numeric") {
    t.kind = ValueKind::decimal;
    t.precision = a1 == 0 ? 10 : a1;
    t.scale = a2;
    if (t.precision > 65 || t.scale > 30 || t.scale > t.precision) {
      return make_error(Errc::invalid_config,
                        "decimal(" + std::to_string(t.precision) + "," + std::to_string(t.scale) +
                            ") is out of range (precision ≤ 65, scale ≤ 30 and ≤ precision)");
    }
    const double digits = std::min<double>(t.precision - t.scale, 9);
    t.type_max = std::pow(10.0, digits) - 1;
    t.type_min = t.is_unsigned ? 0 : -t.type_max;
  } else if (base == "char" || base == "varchar") {
    t.kind = ValueKind::string;
    t.length = a1 == 0 ? 1 : a1;
  } else if (base == "text") {
    t.kind = ValueKind::string;
    t.length = 65535;
  } else if (base == "date")
    t.kind = ValueKind::date;
  else if (base == "datetime")
    t.kind = ValueKind::datetime;
  else if (base == "timestamp")
    t.kind = ValueKind::timestamp;
  else if (base == "json")
    t.kind = ValueKind::json;
  else {
    return make_error(
        Errc::invalid_config,
        "unsupported datagen column type '" + text +
            "' (supported: tinyint, smallint, int, bigint [unsigned], boolean, float, "
            "double, decimal(p,s), char(n), varchar(n), text, date, datetime(fsp), "
            "timestamp(fsp), json)");
  }
  if (t.kind == ValueKind::datetime || t.kind == ValueKind::timestamp) {
    if (a1 > 6)
      return make_error(Errc::invalid_config, "fractional seconds of '" + text + "' exceed 6");
    t.fsp = static_cast<uint8_t>(a1);
  }
  return t;
}

// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
void civil_from_days(int64_t z, int32_t* y, uint32_t* m, uint32_t* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<uint64_t>(z - era * 146097);
  const uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<uint32_t>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<uint32_t>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int32_t>(yy + (*m <= 2));
}

constexpr int64_t kEpoch2020Seconds = 1577836800;  // 2020-01-01T00:00:00Z
constexpr uint64_t kFiveYearsSeconds = 5ull * 365 * 86400;

std::string_view format_decimal(int64_t scaled, uint32_t scale, Arena& arena) {
  const bool neg = scaled < 0;
  uint64_t mag = neg ? 0 - static_cast<uint64_t>(scaled) : static_cast<uint64_t>(scaled);
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, mag);
  std::string_view ds(digits, static_cast<size_t>(end - digits));
  std::string s;
  if (neg) s.push_back('-');
  if (scale == 0) {
    s.append(ds);
  } else {
    std::string padded(ds);
    if (padded.size() <= scale) padded.insert(0, scale + 1 - padded.size(), '0');
    s.append(padded, 0, padded.size() - scale);
    s.push_back('.');
    s.append(padded, padded.size() - scale, scale);
  }
  return arena.copy(s);
}

}  // namespace

Result<TableSchemaPtr> make_schema(const DatagenOptions& options) {
  if (options.table.empty()) return make_error(Errc::invalid_config, "datagen: table is required");
  if (options.columns.empty())
    return make_error(Errc::invalid_config, "datagen: columns are required");
  auto schema = std::make_shared<TableSchema>();
  schema->id = TableId{options.database, options.table};
  for (uint32_t i = 0; i < options.columns.size(); ++i) {
    const ColumnSpec& spec = options.columns[i];
    auto parsed = parse_type(spec.type);
    if (!parsed)
      return std::move(parsed).error().with_context("datagen column '" + spec.name + "'");
    Column col;
    col.name = spec.name;
    col.source_type = spec.type;
    col.kind = parsed->kind;
    col.nullable = !spec.primary_key && spec.null_rate > 0;
    col.is_unsigned = parsed->is_unsigned;
    col.length = parsed->length;
    col.precision = parsed->precision;
    col.scale = parsed->scale;
    col.fsp = parsed->fsp;
    if (col.kind == ValueKind::string || col.kind == ValueKind::json) col.charset = "utf8mb4";
    schema->columns.push_back(std::move(col));
    if (spec.primary_key) schema->primary_key.push_back(i);
  }
  return TableSchemaPtr(std::move(schema));
}

Result<std::unique_ptr<DatagenSource>> DatagenSource::create(DatagenOptions options) {
  CDC_TRY_ASSIGN(TableSchemaPtr schema, make_schema(options));
  if (options.batch_size == 0)
    return make_error(Errc::invalid_config, "datagen: batch-size must be ≥ 1");
  return std::unique_ptr<DatagenSource>(new DatagenSource(std::move(options), std::move(schema)));
}

DatagenSource::DatagenSource(DatagenOptions options, TableSchemaPtr schema)
    : options_(std::move(options)), schema_(std::move(schema)) {}

Status DatagenSource::open(const Position& resume) {
  if (const auto* d = std::get_if<DatagenPosition>(&resume)) {
    next_row_ = d->next_row;
  } else if (!std::holds_alternative<std::monostate>(resume)) {
    return make_error(Errc::invalid_config, "datagen cannot resume from a non-datagen position " +
                                                to_string(resume) +
                                                " (the state dir belongs to another source)");
  } else {
    next_row_ = 0;
  }
  first_row_of_run_ = next_row_;
  run_start_ = std::chrono::steady_clock::now();
  return {};
}

void DatagenSource::generate_row(uint64_t n, Arena& arena, std::span<Value> out) const {
  for (size_t c = 0; c < out.size(); ++c) {
    const ColumnSpec& spec = options_.columns[c];
    const Column& col = schema_->columns[c];
    const uint64_t h = mix(options_.seed ^ mix(n * 0x100000001b3ull + c));
    const uint64_t h2 = mix(h);
    if (!spec.primary_key && spec.null_rate > 0 &&
        static_cast<double>(h2 >> 11) * 0x1.0p-53 < spec.null_rate) {
      out[c] = Value::null_value();
      continue;
    }
    if (!spec.values.empty()) {
      const std::string& pick = spec.kind == ColumnSpec::Kind::sequence
                                    ? spec.values[n % spec.values.size()]
                                    : spec.values[h % spec.values.size()];
      out[c] = col.kind == ValueKind::json ? Value::json(arena.copy(pick))
                                           : Value::string(arena.copy(pick));
      continue;
    }
    const bool seq = spec.kind == ColumnSpec::Kind::sequence;
    const double lo = spec.min.value_or(seq ? 1 : (col.kind == ValueKind::uint64 ? 0 : -1000));
    const double hi = spec.max.value_or(1e6);
    const double span = hi >= lo ? hi - lo : 0;
    const double unit = static_cast<double>(h >> 11) * 0x1.0p-53;  // [0, 1)
    const int64_t ilo = static_cast<int64_t>(lo);
    const uint64_t irange = static_cast<uint64_t>(span) + 1;
    const int64_t ival =
        seq ? ilo + static_cast<int64_t>(n) : ilo + static_cast<int64_t>(h % irange);
    switch (col.kind) {
      case ValueKind::int64: out[c] = Value::int64(ival); break;
      case ValueKind::uint64: out[c] = Value::uint64(static_cast<uint64_t>(ival)); break;
      case ValueKind::boolean: out[c] = Value::boolean(seq ? n % 2 == 1 : (h & 1) != 0); break;
      case ValueKind::float32:
        out[c] = Value::float32(static_cast<float>(seq ? lo + n : lo + unit * span));
        break;
      case ValueKind::float64:
        out[c] = Value::float64(seq ? lo + static_cast<double>(n) : lo + unit * span);
        break;
      case ValueKind::decimal: {
        int64_t pow10 = 1;
        for (uint32_t i = 0; i < col.scale && i < 9; ++i) pow10 *= 10;
        const int64_t scaled =
            seq ? (ilo + static_cast<int64_t>(n)) * pow10
                : static_cast<int64_t>(lo * pow10) +
                      static_cast<int64_t>(h % (static_cast<uint64_t>(span * pow10) + 1));
        out[c] = Value::decimal(format_decimal(scaled, std::min<uint32_t>(col.scale, 9), arena),
                                col.scale);
        break;
      }
      case ValueKind::string: {
        const uint32_t len = spec.length.value_or(std::min<uint32_t>(col.length, 16));
        std::string s;
        if (seq) {
          s = spec.name + "-" + std::to_string(n);
        } else {
          static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
          uint64_t bits = h;
          for (uint32_t i = 0; i < len; ++i) {
            if (i % 10 == 9) bits = mix(bits);
            s.push_back(kAlphabet[bits % 36]);
            bits /= 36;
          }
        }
        if (s.size() > col.length && col.length > 0) s.resize(col.length);
        out[c] = Value::string(arena.copy(s));
        break;
      }
      case ValueKind::date: {
        int32_t y;
        uint32_t m, d;
        civil_from_days(18262 + static_cast<int64_t>(seq ? n : h % 3650), &y, &m,
                        &d);  // from 2020-01-01
        out[c] = Value::date(y, m, d);
        break;
      }
      case ValueKind::datetime:
      case ValueKind::timestamp: {
        const int64_t secs =
            kEpoch2020Seconds + static_cast<int64_t>(seq ? n : h % kFiveYearsSeconds);
        uint32_t micros = static_cast<uint32_t>(h2 % 1000000);
        uint32_t scale = 1;  // keep only the column's fractional digits
        for (int i = col.fsp; i < 6; ++i) scale *= 10;
        micros = micros / scale * scale;
        if (col.kind == ValueKind::timestamp) {
          out[c] = Value::timestamp_micros(secs * 1000000 + micros, col.fsp);
        } else {
          int32_t y;
          uint32_t mo, d;
          civil_from_days(secs / 86400, &y, &mo, &d);
          const int64_t sod = secs % 86400;
          out[c] = Value::datetime(y, mo, d, static_cast<uint32_t>(sod / 3600),
                                   static_cast<uint32_t>(sod / 60 % 60),
                                   static_cast<uint32_t>(sod % 60), micros, col.fsp);
        }
        break;
      }
      case ValueKind::json: {
        const std::string j =
            "{\"n\":" + std::to_string(n) + ",\"tag\":\"t" + std::to_string(h % 100) + "\"}";
        out[c] = Value::json(arena.copy(j));
        break;
      }
      default: out[c] = Value::null_value(); break;
    }
  }
}

Result<std::unique_ptr<Batch>> DatagenSource::poll(std::chrono::milliseconds max_wait) {
  const uint64_t limit = options_.number_of_rows;
  uint64_t want = options_.batch_size;
  if (limit != 0) want = std::min<uint64_t>(want, limit - std::min(limit, next_row_));
  if (options_.rows_per_second > 0 && want > 0) {
    // Rows allowed so far in this run at the configured rate; wait for the next one if none.
    const auto elapsed = std::chrono::steady_clock::now() - run_start_;
    const double secs = std::chrono::duration<double>(elapsed).count();
    const auto allowed = static_cast<uint64_t>(secs * options_.rows_per_second) + 1;
    const uint64_t produced = next_row_ - first_row_of_run_;
    if (allowed <= produced) {
      const double next_at = static_cast<double>(produced) / options_.rows_per_second;
      const auto sleep = std::chrono::duration<double>(next_at - secs);
      std::this_thread::sleep_for(std::min<std::chrono::duration<double>>(sleep, max_wait));
      return std::unique_ptr<Batch>();
    }
    want = std::min(want, allowed - produced);
  }
  auto batch = std::make_unique<Batch>();
  batch->events.reserve(want);
  const int64_t now = unix_ms();
  const size_t ncols = schema_->columns.size();
  for (uint64_t i = 0; i < want; ++i) {
    const uint64_t n = next_row_ + i;
    auto values = batch->arena.make_array<Value>(ncols);
    generate_row(n, batch->arena, values);
    ChangeEvent& e = batch->events.emplace_back();
    e.op = Op::insert;
    e.schema = batch->hold(schema_);
    e.after = RowImage(values);
    e.source.connector = "datagen";
    e.source.name = options_.pipeline_name;
    e.source.commit_ts_ms = now;
    e.source.at = RowSequence{n};
    e.ts_ms = now;
  }
  next_row_ += want;
  batch->end = DatagenPosition{next_row_};
  batch->end_of_stream = limit != 0 && next_row_ >= limit;
  return batch;
}

}  // namespace cdc::datagen
