#include "sinks/common/partial_rows.h"

#include "cdc/core/log.h"

namespace cdc::sinks {

namespace {

std::string absent_names(const ChangeEvent& e) {
  std::string names;
  for (uint32_t col_idx : e.after.absent) {
    if (!names.empty()) names += ", ";
    names += col_idx < e.schema->columns.size() ? e.schema->columns[col_idx].name
                                                : "#" + std::to_string(col_idx + 1);
  }
  return names;
}

}  // namespace

PartialRows::PartialRows(json::PartialRowPolicy policy, std::string writer,
                         std::string_view log_module)
    : policy_(policy), writer_(std::move(writer)), log_module_(log_module) {}

Result<bool> PartialRows::admit(const ChangeEvent& e) {
  if (!e.partial_after()) return true;
  std::string what = std::string(e.op == Op::update ? "the update" : "the insert") + " of " +
                     e.schema->id.to_string();
  if (!std::holds_alternative<std::monostate>(e.source.at)) what += " at " + to_string(e.source.at);
  what += " has no value for column(s) " + absent_names(e) +
          " (the writing session had binlog_row_image=MINIMAL or NOBLOB)";
  if (policy_ == json::PartialRowPolicy::fail) {
    return make_error(Errc::unsupported,
                      what + ", and " + writer_ +
                          " writes whole rows: set binlog_row_image=FULL in that session, or "
                          "row-image.partial: skip to leave such changes out");
  }
  // The first and then every 1000th: a MINIMAL session can change many rows.
  if (skipped_++ % 1000 == 0) {
    log::get(log_module_)
        ->warn("skipped {}: {} writes whole rows (row-image.partial: skip; {} skipped so far)",
               what, writer_, skipped_);
  }
  return false;
}

}  // namespace cdc::sinks
