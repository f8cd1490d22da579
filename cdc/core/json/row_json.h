// Internal to cdc_json: row and key rendering shared by the three encoders.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "cdc/core/change_event.h"
#include "cdc/core/json/encoder.h"
#include "cdc/core/json/json_writer.h"
#include "cdc/core/result.h"

namespace cdc::json {

// Debezium's placeholder for a value that was not sent (unchanged TOAST), as its
// `unavailable.value.placeholder` default.
inline constexpr std::string_view kUnavailableValue = "__debezium_unavailable_value";

// What to write for a column listed in ChangeEvent::unchanged_columns: the before image's value
// when `from_before` and it holds a non-null one, else `placeholder` when set, else nothing (the
// column is left out of the object).
struct UnchangedStyle {
  bool from_before = false;
  std::optional<std::string_view> placeholder;
};

// EncoderOptions::toast_placeholder as an UnchangedStyle placeholder.
inline std::optional<std::string_view> placeholder_of(const EncoderOptions& o) {
  if (!o.toast_placeholder) return std::nullopt;
  return std::string_view(*o.toast_placeholder);
}

enum class ValueStyle { typed, text };

bool is_unchanged(std::span<const uint32_t> unchanged, uint32_t col_idx);

// Writes `row` as an object keyed by the schema's column names (columns beyond the image, and
// the columns it does not carry, RowImage::absent, are left out). `unchanged` applies to this
// image; `before` feeds UnchangedStyle::from_before.
void write_row(JsonWriter& w, const TableSchema& schema, const RowImage& row,
               std::span<const uint32_t> unchanged, UnchangedStyle unchanged_style,
               const RowImage& before, ValueStyle style);

// The names of `columns` (indices into the schema) as a JSON array.
void write_column_names(JsonWriter& w, const TableSchema& schema,
                        std::span<const uint32_t> columns);

// `"absent":{"before":[names],"after":[names]}` (each array only when non-empty) for the columns
// a partial row image leaves out (RowImage::absent); nothing when both are empty. Written by
// debezium-json (in `source`) and canal-json (top level).
void write_absent_columns(JsonWriter& w, const TableSchema& schema,
                          std::span<const uint32_t> absent_before,
                          std::span<const uint32_t> absent_after);

// The PK object shared by every format's encode_key (typed values).
bool append_key(const ChangeEvent& e, std::string& out, InvalidUtf8Policy policy);

std::unique_ptr<Encoder> make_debezium_encoder(EncoderOptions options);
std::unique_ptr<Encoder> make_upsert_encoder(EncoderOptions options);
std::unique_ptr<Encoder> make_canal_encoder(EncoderOptions options);

}  // namespace cdc::json
