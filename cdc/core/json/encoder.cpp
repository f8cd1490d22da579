#include "cdc/core/json/encoder.h"

#include <algorithm>

#include "cdc/core/enum_names.h"

#include "cdc/core/json/row_json.h"
#include "cdc/core/json/value_json.h"

namespace cdc::json {

Encoder::~Encoder() = default;

namespace {
constexpr EnumNames<Format, 3> kFormats{{
    {Format::debezium_json, "debezium-json"},
    {Format::upsert, "upsert"},
    {Format::canal_json, "canal-json"},
}};
constexpr EnumNames<PartialRowPolicy, 2> kPartialRowPolicies{{
    {PartialRowPolicy::fail, "fail"},
    {PartialRowPolicy::skip, "skip"},
}};
}  // namespace

std::string_view to_string(Format format) { return enum_name(kFormats, format); }
std::optional<Format> parse_format(std::string_view name) { return enum_value(kFormats, name); }
std::string_view to_string(PartialRowPolicy policy) {
  return enum_name(kPartialRowPolicies, policy);
}
std::optional<PartialRowPolicy> parse_partial_row_policy(std::string_view name) {
  return enum_value(kPartialRowPolicies, name);
}

std::unique_ptr<Encoder> make_encoder(Format format, EncoderOptions options) {
  switch (format) {
    case Format::debezium_json: return make_debezium_encoder(std::move(options));
    case Format::upsert: return make_upsert_encoder(std::move(options));
    case Format::canal_json: return make_canal_encoder(std::move(options));
  }
  return nullptr;
}

bool is_unchanged(std::span<const uint32_t> unchanged, uint32_t col_idx) {
  // Usually empty (only Postgres TOAST fills it) and short: a linear scan beats a set.
  return std::find(unchanged.begin(), unchanged.end(), col_idx) != unchanged.end();
}

void write_row(JsonWriter& w, const TableSchema& schema, const RowImage& row,
               std::span<const uint32_t> unchanged, UnchangedStyle unchanged_style,
               const RowImage& before, ValueStyle style) {
  w.begin_object();
  const uint32_t n = std::min<uint32_t>(row.size, static_cast<uint32_t>(schema.columns.size()));
  for (uint32_t col_idx = 0; col_idx < n; ++col_idx) {
    if (!row.absent.empty() && row.is_absent(col_idx)) continue;  // not in the image: no key
    const Value* v = &row[col_idx];
    if (!unchanged.empty() && is_unchanged(unchanged, col_idx)) {
      const bool from_before = unchanged_style.from_before && before.holds_value(col_idx);
      if (!from_before) {
        if (!unchanged_style.placeholder) continue;
        w.key(schema.columns[col_idx].name);
        w.string(*unchanged_style.placeholder);
        continue;
      }
      v = &before[col_idx];
    }
    w.key(schema.columns[col_idx].name);
    if (style == ValueStyle::typed) {
      write_value(w, *v);
    } else {
      write_value_as_text(w, *v);
    }
  }
  w.end_object();
}

void write_column_names(JsonWriter& w, const TableSchema& schema,
                        std::span<const uint32_t> columns) {
  w.begin_array();
  for (uint32_t col_idx : columns) {
    if (col_idx < schema.columns.size()) w.string(schema.columns[col_idx].name);
  }
  w.end_array();
}

void write_absent_columns(JsonWriter& w, const TableSchema& schema,
                          std::span<const uint32_t> absent_before,
                          std::span<const uint32_t> absent_after) {
  if (absent_before.empty() && absent_after.empty()) return;
  w.key_ascii("absent");
  w.begin_object();
  if (!absent_before.empty()) {
    w.key_ascii("before");
    write_column_names(w, schema, absent_before);
  }
  if (!absent_after.empty()) {
    w.key_ascii("after");
    write_column_names(w, schema, absent_after);
  }
  w.end_object();
}

bool append_key(const ChangeEvent& e, std::string& out, InvalidUtf8Policy policy) {
  if (!e.schema || e.schema->primary_key.empty()) return false;
  const RowImage& row = e.after.present ? e.after : e.before;
  if (!row.present) return false;
  const TableSchema& schema = *e.schema;
  JsonWriter w(out, policy);
  w.begin_object();
  for (uint32_t col_idx : schema.primary_key) {
    if (col_idx >= schema.columns.size()) continue;
    w.key(schema.columns[col_idx].name);
    if (col_idx < row.size) {
      write_value(w, row[col_idx]);
    } else {
      w.null();
    }
  }
  w.end_object();
  return true;
}

}  // namespace cdc::json
