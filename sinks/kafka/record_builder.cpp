#include "sinks/kafka/record_builder.h"

#include <charconv>

#include "cdc/core/json/json_writer.h"
#include "cdc/core/json/value_json.h"
#include "cdc/core/position.h"
#include "sinks/kafka/schema_change_json.h"

namespace cdc::sinks::kafka {

Result<std::string> expand_topic(std::string_view tmpl, std::string_view prefix,
                                 const TableId& table) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    const char c = tmpl[i];
    if (c != '{') {
      out.push_back(c);
      ++i;
      continue;
    }
    const size_t close = tmpl.find('}', i);
    if (close == std::string_view::npos) {
      return make_error(Errc::invalid_config, "topic template '" + std::string(tmpl) +
                                                  "': '{' at " + std::to_string(i) +
                                                  " is not closed");
    }
    const std::string_view name = tmpl.substr(i + 1, close - i - 1);
    if (name == "prefix") {
      out += prefix;
    } else if (name == "db") {
      out += table.db;
    } else if (name == "table") {
      out += table.table;
    } else {
      return make_error(Errc::invalid_config, "topic template '" + std::string(tmpl) +
                                                  "': unknown placeholder {" + std::string(name) +
                                                  "}; expected {prefix}, {db} or {table}");
    }
    i = close + 1;
  }
  return out;
}

RecordBuilder::RecordBuilder(const KafkaOptions& options)
    : options_(options),
      encoder_(json::make_encoder(
          options.format, json::EncoderOptions{.toast_placeholder = options.toast_placeholder})) {
  if (options.format == json::Format::upsert)
    whole_rows_.emplace(options.partial_rows, "the upsert format", "sink.kafka",
                        options.toast_placeholder.has_value());
}

const std::string& RecordBuilder::topic_for(const TableSchema& schema) {
  if (!options_.topic.empty()) return options_.topic;
  if (&schema == last_schema_.get()) return *last_topic_;
  table_key_.assign(schema.id.db);
  table_key_.push_back('\0');
  table_key_ += schema.id.table;
  auto it = topics_.find(table_key_);
  if (it == topics_.end()) {
    // The template was checked by KafkaSink::create(); a failure here cannot happen.
    auto topic = expand_topic(options_.topic_template, options_.topic_prefix, schema.id);
    it = topics_.emplace(table_key_, topic ? std::move(*topic) : options_.topic_prefix).first;
  }
  last_topic_ = &it->second;
  return it->second;
}

Result<bool> RecordBuilder::key_of(const ChangeEvent& e, const RowImage& row, std::string& out) {
  if (options_.key_columns.empty()) {
    if (&row == &e.after || !e.after.present) return encoder_->encode_key(e, out);
    ChangeEvent only_before = e;  // the key of the before image (an update that moved the key)
    only_before.after = RowImage();
    return encoder_->encode_key(only_before, out);
  }
  if (!row.present) return false;
  const TableSchema& schema = *e.schema;
  json::JsonWriter w(out);
  w.begin_object();
  for (const std::string& name : options_.key_columns) {
    const auto col_idx = schema.column_index(name);
    if (!col_idx) {
      return make_error(Errc::invalid_config, "sink.key.columns: table " + schema.id.to_string() +
                                                  " has no column '" + name + "'");
    }
    w.key(name);
    if (*col_idx < row.size) {
      json::write_value(w, row[*col_idx]);
    } else {
      w.null();
    }
  }
  w.end_object();
  return true;
}

void RecordBuilder::schema_change(const ChangeEvent& e) {
  key_.clear();
  value_.clear();
  append_schema_change_key(e, key_);
  append_schema_change_value(e, value_);
  records_.push_back(
      OutRecord{options_.schema_change_topic, std::string_view(key_), std::string_view(value_)});
}

Result<std::span<const OutRecord>> RecordBuilder::build(const ChangeEvent& e) {
  records_.clear();
  if (e.op == Op::schema_change) {
    if (!options_.schema_change_topic.empty()) schema_change(e);
    return std::span<const OutRecord>(records_);
  }
  if (whole_rows_) {
    CDC_TRY_ASSIGN(const bool whole, whole_rows_->admit(e));
    if (!whole) return std::span<const OutRecord>(records_);
  }
  const std::string_view topic = topic_for(*e.schema);
  // Held, so that its address cannot be reused by another table; copied only when it changes
  // (an atomic reference count shared with the reader thread, per event, is not free).
  if (last_schema_.get() != e.schema) last_schema_ = schema_of(e.schema);  // keeps the key unique
  key_.clear();
  value_.clear();
  const RowImage& key_row = e.after.present ? e.after : e.before;
  CDC_TRY_ASSIGN(const bool has_key, key_of(e, key_row, key_));
  const std::optional<std::string_view> key =
      has_key ? std::optional<std::string_view>(key_) : std::nullopt;
  const bool has_value = encoder_->encode_value(e, value_);
  const std::optional<std::string_view> value =
      has_value ? std::optional<std::string_view>(value_) : std::nullopt;

  switch (options_.format) {
    case json::Format::debezium_json:
      records_.push_back({topic, key, value});
      // Debezium's tombstones.on.delete: lets log compaction drop the deleted key.
      if (e.op == Op::erase && options_.tombstones_on_delete && key) {
        records_.push_back({topic, key, std::nullopt});
      }
      break;
    case json::Format::upsert:
      if (e.op == Op::truncate) {
        // upsert-kafka has no record for "every key": counted and logged by the sink.
        ++skipped_;
        break;
      }
      if (e.op == Op::update && e.before.present && key) {
        old_key_.clear();
        CDC_TRY_ASSIGN(const bool has_old, key_of(e, e.before, old_key_));
        // The row moved to another key: the old key is deleted (Flink's upsert-kafka emits
        // -U/+U as a tombstone of the old key and the new row).
        if (has_old && old_key_ != key_)
          records_.push_back({topic, std::string_view(old_key_), std::nullopt});
      }
      records_.push_back({topic, key, value});
      break;
    case json::Format::canal_json: records_.push_back({topic, key, value}); break;
  }
  return std::span<const OutRecord>(records_);
}

}  // namespace cdc::sinks::kafka
