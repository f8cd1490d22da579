// The snapshot signal: a row of the user's signal table (`signal.data-collection`, Debezium's
// shape: id, type, data) that asks for a re-snapshot without shell access. Debezium's form is
// type `execute-snapshot` with data `{"data-collections": ["db.table", ...], "type":
// "incremental"}`; sluice reads tables named exactly (no patterns) and only the incremental
// kind (the one that streams meanwhile). Pure function over untrusted bytes (fuzzed).
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "cdc/core/batch.h"
#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"

namespace cdc::snapshot {

inline constexpr std::string_view kExecuteSnapshot = "execute-snapshot";

// The tables a signal's `data` names. Errors (Errc::malformed, saying what is wrong): not a JSON
// object, no non-empty `data-collections` array of "db.table" strings, a `type` other than
// incremental.
Result<std::vector<TableId>> parse_snapshot_signal(std::string_view data);

// The table `signal.data-collection` names: "<a>.<b>", both parts non-empty (`form` names the
// parts in the error: "db.table", "schema.table").
Result<TableId> parse_signal_table(std::string_view option, std::string_view form);

// Takes the rows of `signal_table` out of `batch` (unless `deliver`: the user's `tables` capture
// it too): each `execute-snapshot` insert is handed to `queue` (the tables it names, and "signal
// '<id>'" as who asked); a bad one, or one `queue` refuses, is logged with its id and otherwise
// ignored. The source's reader thread, after the stream filled the batch.
using QueueSnapshot =
    std::function<Status(const std::vector<TableId>& tables, std::string_view asked_by)>;
void take_signals(Batch& batch, const TableId& signal_table, bool deliver,
                  std::string_view pipeline_name, const QueueSnapshot& queue);

}  // namespace cdc::snapshot
