// RecordBuilder: turns one ChangeEvent into the Kafka records it becomes (topic, key, value,
// headers' text) in the configured format: debezium-json (plus a tombstone after a delete),
// upsert (value = row after, tombstone on delete, a tombstone for the old key when an update
// changes the key), canal-json, and Debezium's schema-change record. Owns reusable buffers:
// the records of build() point into them and stay valid until the next build(). Not
// thread-safe (one per sink).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/change_event.h"
#include "cdc/core/json/encoder.h"
#include "cdc/core/result.h"
#include "sinks/common/partial_rows.h"
#include "sinks/kafka/kafka_options.h"

namespace cdc::sinks::kafka {

struct OutRecord {
  std::string_view topic;
  std::optional<std::string_view> key;    // nullopt: null key
  std::optional<std::string_view> value;  // nullopt: tombstone (null value)
};

class RecordBuilder {
 public:
  explicit RecordBuilder(const KafkaOptions& options);

  // The records of `e`, in the order they must be produced; empty for an event the format
  // cannot express (upsert truncate: counted in skipped(); an upsert row with absent columns
  // under row-image.partial: skip, logged). Errc::unsupported for such a row under `fail`.
  // Errc::invalid_config when a configured key column is missing from the event's table.
  Result<std::span<const OutRecord>> build(const ChangeEvent& e);

  uint64_t skipped() const { return skipped_; }

 private:
  const std::string& topic_for(const TableSchema& schema);
  // Appends the key of `row` (the configured columns, else the primary key) to `out`; false
  // when the table has no key.
  Result<bool> key_of(const ChangeEvent& e, const RowImage& row, std::string& out);
  void schema_change(const ChangeEvent& e);

  const KafkaOptions& options_;  // outlives the builder (owned by the sink)
  std::unique_ptr<json::Encoder> encoder_;
  // Topic per table ("db\0table"), so that a template is expanded once per table.
  std::map<std::string, std::string, std::less<>> topics_;
  std::string table_key_;
  TableSchemaPtr last_schema_;               // the previous event's table and its topic
  const std::string* last_topic_ = nullptr;  // in topics_
  std::string key_, old_key_, value_;
  std::vector<OutRecord> records_;
  uint64_t skipped_ = 0;
  std::optional<PartialRows> whole_rows_;  // upsert only
};

// Expands a topic template's {prefix}, {db} and {table}; Errc::invalid_config for any other
// placeholder or an unclosed brace.
Result<std::string> expand_topic(std::string_view tmpl, std::string_view prefix,
                                 const TableId& table);

}  // namespace cdc::sinks::kafka
