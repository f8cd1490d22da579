// The value sluice gives Doris's sequence column (`sink.sequence-column: source-position`): the
// change's source position as one LARGEINT that grows with the position, so that Doris keeps
// the newest version of a row whatever order its loads arrive in (Doris: a row replaces the
// stored one only when its sequence value is not smaller). Pure.
#pragma once

#include <string>

#include "cdc/core/change_event.h"

namespace cdc::sinks::doris {

// The hidden column of a table created with `function_column.sequence_type` (Doris docs,
// "Sequence Column"), loaded through `hidden_columns` and `function_column.sequence_col`.
inline constexpr std::string_view kSequenceColumn = "__DORIS_SEQUENCE_COL__";

// The decimal text of the sequence of `e`:
// - MySQL/MariaDB: binlog file number × 2^96 + offset of the row event × 2^32 + row index in
//   the event (127 bits: LARGEINT is a signed 128-bit integer); a snapshot row carries the
//   position of its consistent read, row 0, which is below every change streamed after it;
// - PostgreSQL: the change's LSN (a later change of the same row has a larger LSN: a writer
//   waits for the row's earlier writer to commit);
// - datagen: the row's sequence number.
// Errc::unsupported for an event without a position, or a binlog file number of 2^31 or more.
Result<std::string> position_sequence(const ChangeEvent& e);

}  // namespace cdc::sinks::doris
