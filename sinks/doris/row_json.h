// One change as one JSON line of a Doris Stream Load (format json, read_json_by_line): the
// row's columns by name, values as text (json::write_value_as_text: DATETIME with a space,
// DECIMAL as its exact digits, binary as base64), plus __DORIS_DELETE_SIGN__ (1 for a delete,
// loaded through the `hidden_columns` header). Pure; appends to a caller's buffer.
#pragma once

#include <span>
#include <string>

#include "cdc/core/change_event.h"

namespace cdc::sinks::doris {

inline constexpr std::string_view kDeleteSign = "__DORIS_DELETE_SIGN__";

// Appends the line (with its '\n') for an insert, update, snapshot read (the after image) or
// delete (the before image, delete sign 1); an update that changes the primary key appends
// the before image's delete first. A non-empty `sequence` (position_sequence.h) is added to
// each line as __DORIS_SEQUENCE_COL__. Columns in `omit` (an update's unchanged or absent
// columns, a delete's absent ones: loaded as a partial column update) are left out. Errc::malformed
// when the image the op needs is absent; Errc::unsupported for a key-changing update with columns
// left out (the new key's row would lack their values).
Status append_row_json(std::string& out, const ChangeEvent& e, std::string_view sequence = {},
                       std::span<const uint32_t> omit = {});

}  // namespace cdc::sinks::doris
