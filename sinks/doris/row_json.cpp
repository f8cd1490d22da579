#include "sinks/doris/row_json.h"

#include <algorithm>

#include "cdc/core/json/json_writer.h"
#include "cdc/core/json/value_json.h"
#include "sinks/doris/position_sequence.h"

namespace cdc::sinks::doris {

namespace {

void append_image(std::string& out, const TableSchema& schema, const RowImage& image, bool remove,
                  std::string_view sequence, std::span<const uint32_t> omit = {}) {
  json::JsonWriter w(out);
  w.begin_object();
  for (uint32_t i = 0; i < image.size; ++i) {
    if (std::find(omit.begin(), omit.end(), i) != omit.end()) continue;
    w.key(schema.columns[i].name);
    json::write_value_as_text(w, image[i]);
  }
  w.key(kDeleteSign);
  w.int64(remove ? 1 : 0);
  if (!sequence.empty()) {
    w.key(kSequenceColumn);
    w.string(sequence);  // as text: a LARGEINT does not fit a JSON number's usual 64 bits
  }
  w.end_object();
  out.push_back('\n');
}

bool key_changed(const ChangeEvent& e) {
  if (!e.before.present || e.before.size != e.after.size) return false;
  for (uint32_t k : e.schema->primary_key) {
    if (!(e.before[k] == e.after[k])) return true;
  }
  return false;
}

}  // namespace

Status append_row_json(std::string& out, const ChangeEvent& e, std::string_view sequence,
                       std::span<const uint32_t> omit) {
  const bool remove = e.op == Op::erase;
  const RowImage& image = remove ? e.before : e.after;
  if (!image.present || image.size != e.schema->columns.size()) {
    return make_error(Errc::malformed, std::string("a '") + op_code(e.op) + "' change of " +
                                           e.schema->id.to_string() +
                                           " has no complete row image to load");
  }
  // An update that changes the primary key moves the row: the old key is deleted first (a
  // Unique Key table keys rows by it), as Flink CDC splits it into -U and +U.
  if (e.op == Op::update && key_changed(e)) {
    if (!omit.empty()) {
      return make_error(Errc::unsupported,
                        "an update of " + e.schema->id.to_string() +
                            " changes the primary key and leaves columns out without their "
                            "values (PostgreSQL unchanged TOAST, or a MySQL partial row image): "
                            "the row under the new key cannot be loaded; set REPLICA IDENTITY "
                            "FULL on the table (PostgreSQL) or binlog_row_image=FULL in the "
                            "writing session (MySQL)");
    }
    append_image(out, *e.schema, e.before, true, sequence);
  }
  append_image(out, *e.schema, image, remove, sequence, omit);
  return {};
}

}  // namespace cdc::sinks::doris
