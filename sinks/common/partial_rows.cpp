#include "sinks/common/partial_rows.h"

#include "cdc/core/log.h"

namespace cdc::sinks {

namespace {

void add_name(std::string& names, const ChangeEvent& e, uint32_t col_idx) {
  if (!names.empty()) names += ", ";
  names += col_idx < e.schema->columns.size() ? e.schema->columns[col_idx].name
                                              : "#" + std::to_string(col_idx + 1);
}

// The unchanged columns (PostgreSQL TOAST) whose value the before image does not hold either,
// as the encoders take it (json::UnchangedStyle::from_before), by name.
std::string unknown_unchanged_names(const ChangeEvent& e) {
  std::string names;
  for (uint32_t col_idx : e.unchanged_columns) {
    if (!e.before.holds_value(col_idx)) add_name(names, e, col_idx);
  }
  return names;
}

}  // namespace

PartialRows::PartialRows(json::PartialRowPolicy policy, std::string writer,
                         std::string_view log_module, bool placeholder_for_unchanged)
    : policy_(policy),
      writer_(std::move(writer)),
      log_module_(log_module),
      placeholder_for_unchanged_(placeholder_for_unchanged) {}

Result<bool> PartialRows::admit(const ChangeEvent& e) {
  const bool absent = e.partial_after();
  std::string unchanged;
  if (e.op == Op::update && !e.unchanged_columns.empty() && !placeholder_for_unchanged_) {
    unchanged = unknown_unchanged_names(e);
  }
  if (!absent && unchanged.empty()) return true;
  std::string what = std::string(e.op == Op::update ? "the update" : "the insert") + " of " +
                     e.schema->id.to_string();
  if (!std::holds_alternative<std::monostate>(e.source.at)) what += " at " + to_string(e.source.at);
  std::string fix;
  if (absent) {
    std::string names;
    for (uint32_t col_idx : e.after.absent) add_name(names, e, col_idx);
    what += " has no value for column(s) " + names +
            " (the writing session had binlog_row_image=MINIMAL or NOBLOB)";
    fix = "set binlog_row_image=FULL in that session";
  } else {
    what += " has no value for column(s) " + unchanged +
            " (PostgreSQL sends none for an unchanged TOASTed value under REPLICA IDENTITY "
            "DEFAULT)";
    fix =
        "set REPLICA IDENTITY FULL on the table, toast.placeholder to write a placeholder "
        "for such values";
  }
  if (policy_ == json::PartialRowPolicy::fail) {
    return make_error(Errc::unsupported, what + ", and " + writer_ + " writes whole rows: " + fix +
                                             ", or row-image.partial: skip to leave such "
                                             "changes out");
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
