// PartialRows: what a sink that writes whole rows (upsert records, Redis string values) does
// with an event whose after image leaves columns out: RowImage::absent (the writing MySQL
// session had binlog_row_image=MINIMAL or NOBLOB), or ChangeEvent::unchanged_columns whose value
// the before image does not hold either (PostgreSQL's unchanged TOAST values under REPLICA
// IDENTITY DEFAULT), unless the sink was told to write a placeholder for those
// (`toast.placeholder`). Such a sink cannot merge the missing values in, and writing null or a
// placeholder nobody asked for would overwrite the stored ones, so it stops naming the table,
// the columns and the setting, or skips the event with a warning under
// `row-image.partial: skip` (json::PartialRowPolicy). One per sink; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cdc/core/change_event.h"
#include "cdc/core/json/format.h"
#include "cdc/core/result.h"

namespace cdc::sinks {

class PartialRows {
 public:
  // `writer` names what writes whole rows in messages ("the upsert format");
  // `placeholder_for_unchanged`: the encoder writes toast.placeholder for unchanged values.
  PartialRows(json::PartialRowPolicy policy, std::string writer, std::string_view log_module,
              bool placeholder_for_unchanged = false);

  // Whether to write `e`: true when its after image is whole (or it has none); false, after
  // a warning, for a partial one under `skip`; Errc::unsupported under `fail`.
  Result<bool> admit(const ChangeEvent& e);

  uint64_t skipped() const { return skipped_; }

 private:
  json::PartialRowPolicy policy_;
  std::string writer_;
  std::string log_module_;
  bool placeholder_for_unchanged_ = false;
  uint64_t skipped_ = 0;
};

}  // namespace cdc::sinks
