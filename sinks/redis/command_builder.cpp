#include "sinks/redis/command_builder.h"

#include <algorithm>
#include <charconv>

#include "cdc/core/log.h"
#include "cdc/core/regex.h"
#include "sinks/redis/value_text.h"

namespace cdc::sinks::redis {

namespace {

std::string where(const ChangeEvent& e) {
  std::string s = "table " + e.schema->id.to_string();
  if (!std::holds_alternative<std::monostate>(e.source.at)) s += " at " + to_string(e.source.at);
  return s;
}

std::string millis(std::chrono::milliseconds d) { return std::to_string(d.count()); }

std::string_view mode_name(Mode m) {
  switch (m) {
    case Mode::string: return "string";
    case Mode::hash: return "hash";
    case Mode::invalidate: return "invalidate";
    case Mode::stream: return "stream";
  }
  return "?";
}

// Values equal as the sink renders them (null differs from every non-null value).
bool same_text(const Value& a, const Value& b, std::string& ta, std::string& tb) {
  if (a.is_null() || b.is_null()) return a.is_null() == b.is_null();
  ta.clear();
  tb.clear();
  append_value_text(a, ta);
  append_value_text(b, tb);
  return ta == tb;
}

}  // namespace

CommandBuilder::CommandBuilder(const RedisOptions& options)
    : options_(std::make_shared<const RedisOptions>(options)),
      row_encoder_(
          json::make_encoder(json::Format::upsert,
                             json::EncoderOptions{.toast_placeholder = options.toast_placeholder})),
      stream_encoder_(
          json::make_encoder(options.stream_format,
                             json::EncoderOptions{.toast_placeholder = options.toast_placeholder})),
      string_rows_(options.partial_rows, "Redis string mode", "sink.redis",
                   options.toast_placeholder.has_value()),
      stream_rows_(options.partial_rows, "Redis stream mode with value.format upsert", "sink.redis",
                   options.toast_placeholder.has_value()) {}

Result<CommandBuilder> CommandBuilder::create(const RedisOptions& options) {
  CommandBuilder b(options);
  auto parts = parse_key_template(options.defaults.key);
  if (!parts) return std::move(parts).error().with_context("sink.key");
  b.default_key_ = std::move(*parts);
  for (size_t i = 0; i < options.tables.size(); ++i) {
    const std::string item = "sink.tables[" + std::to_string(i) + "]";
    parts = parse_key_template(options.tables[i].key);
    if (!parts) return std::move(parts).error().with_context(item + ".key");
    b.table_keys_.push_back(std::move(*parts));
    auto re = compile_regex(options.tables[i].source_table, RegexCase::sensitive);
    if (!re) {
      return make_error(Errc::invalid_config, item + ".source-table: invalid regex '" +
                                                  options.tables[i].source_table +
                                                  "': " + re.error().message);
    }
    b.table_patterns_.push_back(std::move(*re));
  }
  return b;
}

Result<const CommandBuilder::Bound*> CommandBuilder::bind(const ChangeEvent& e) {
  if (auto it = bound_.find(e.schema); it != bound_.end()) return &it->second;
  const std::string name = e.schema->id.to_string();
  const TableRule* rule = &options_->defaults;
  const std::vector<KeyPart>* key_parts = &default_key_;
  std::string rule_name = "sink";
  for (size_t i = 0; i < table_patterns_.size(); ++i) {
    if (std::regex_match(name, table_patterns_[i])) {
      rule = &options_->tables[i];
      key_parts = &table_keys_[i];
      rule_name = "sink.tables[" + std::to_string(i) + "]";
      break;
    }
  }
  auto key = KeyTemplate::bind(*key_parts, *e.schema, options_->key_separator);
  if (!key) return std::move(key).error().with_context(rule_name + ".key");
  CDC_TRY_ASSIGN(TableSchemaPtr owned, held_schema(e));
  Bound b{std::move(owned), rule, std::move(*key), std::nullopt};
  if (!rule->value_column.empty()) {
    b.value_column = e.schema->column_index(rule->value_column);
    if (!b.value_column) {
      return make_error(Errc::invalid_config, rule_name + ".value.column: table " + name +
                                                  " has no column '" + rule->value_column + "'");
    }
  }
  return &bound_.emplace(e.schema, std::move(b)).first->second;
}

Result<bool> CommandBuilder::key_of(const Bound& b, const ChangeEvent& e, const RowImage& row,
                                    std::string& out) {
  out.clear();
  std::string_view null_column;
  if (b.key.render(row, out, &null_column)) return true;
  if (options_->skip_null_keys) {
    ++skipped_rows_;
    log::get("sink.redis")
        ->warn("[pipeline={}] skipping a row of {}: key column '{}' is NULL (skipped so far: {})",
               options_->pipeline, where(e), null_column, skipped_rows_);
    return false;
  }
  return make_error(Errc::malformed,
                    where(e) + ": key column '" + std::string(null_column) +
                        "' is NULL, so the row has no key (set sink.key.null-handling: "
                        "skip to skip such rows)");
}

Status CommandBuilder::append(const ChangeEvent& e, CommandBuffer& out) {
  if (!e.schema) return make_error(Errc::internal, "change event without a schema");
  CDC_TRY_ASSIGN(const Bound* b, bind(e));
  if (e.op == Op::truncate && b->rule->mode != Mode::stream) {
    return make_error(
        Errc::unsupported,
        where(e) + ": TRUNCATE cannot be applied to keys in mode " +
            std::string(mode_name(b->rule->mode)) +
            " (Redis has no index of a table's keys): delete the table's keys and start the "
            "pipeline past this event (scan.startup.mode: specific-offset)");
  }
  switch (b->rule->mode) {
    case Mode::string: return append_string(*b, e, out);
    case Mode::hash: return append_hash(*b, e, out);
    case Mode::invalidate: return append_invalidate(*b, e, out);
    case Mode::stream: return append_stream(*b, e, out);
  }
  return make_error(Errc::internal, "unknown redis mode");
}

Result<CommandBuilder::Target> CommandBuilder::target(const Bound& b, const ChangeEvent& e,
                                                      CommandBuffer& out) {
  if (e.op == Op::erase) {
    CDC_TRY_ASSIGN(bool has_key, key_of(b, e, e.before, key_));
    if (has_key) out.command(CommandType::del, {"DEL", key_});
    return Target::done;
  }
  CDC_TRY_ASSIGN(bool has_key, key_of(b, e, e.after, key_));
  if (!has_key) return Target::done;
  if (e.op == Op::update && b.key.uses_columns() && e.before.present) {
    // A changed key moves the row: the old key must not keep serving it.
    CDC_TRY_ASSIGN(bool had_key, key_of(b, e, e.before, old_key_));
    if (had_key && old_key_ != key_) {
      out.command(CommandType::del, {"DEL", old_key_});
      return Target::moved;
    }
  }
  return Target::same;
}

Status CommandBuilder::append_string(const Bound& b, const ChangeEvent& e, CommandBuffer& out) {
  if (!b.value_column || e.after.is_absent(*b.value_column)) {
    CDC_TRY_ASSIGN(const bool whole, string_rows_.admit(e));
    if (!whole) return {};
  }
  CDC_TRY_ASSIGN(Target t, target(b, e, out));
  if (t == Target::done) return {};
  value_.clear();
  if (b.value_column) {
    const uint32_t col = *b.value_column;
    const bool unchanged = std::find(e.unchanged_columns.begin(), e.unchanged_columns.end(), col) !=
                           e.unchanged_columns.end();
    const bool in_before = e.before.holds_value(col);
    // An unchanged TOAST value was not sent: the key keeps what it holds (a moved key's old one
    // is gone already), unless the before image has it (REPLICA IDENTITY FULL).
    if (unchanged && !in_before) return {};
    const Value& v = unchanged ? e.before[col] : col < e.after.size ? e.after[col] : Value();
    if (v.is_null()) {  // no value to cache: the key must not serve an old one
      out.command(CommandType::del, {"DEL", key_});
      return {};
    }
    append_value_text(v, value_);
  } else {
    row_encoder_->encode_value(e, value_);
  }
  if (b.rule->ttl.count() > 0) {
    const std::string px = millis(b.rule->ttl);
    out.command(CommandType::set, {"SET", key_, value_, "PX", px});
  } else {
    out.set(key_, value_);
  }
  return {};
}

void CommandBuilder::append_ttl(const Bound& b, std::string_view key, CommandBuffer& out) {
  if (b.rule->ttl.count() > 0)
    out.command(CommandType::pexpire, {"PEXPIRE", key, millis(b.rule->ttl)});
}

void CommandBuilder::append_full_hash(const Bound& b, const RowImage& row, std::string_view key,
                                      CommandBuffer& out, std::span<const uint32_t> unchanged) {
  const auto& columns = b.schema->columns;
  const size_t n = std::min<size_t>(row.size, columns.size());
  const auto kept = [&](size_t i) {
    return std::find(unchanged.begin(), unchanged.end(), i) != unchanged.end();
  };
  // The hash is the row's non-NULL columns: DEL first so that columns now NULL disappear;
  // unless a column was not sent (PostgreSQL unchanged TOAST): its field stays as it is, so
  // the others that became NULL are HDEL'd one by one instead.
  size_t fields = 0;
  std::vector<std::string_view> nulls;
  for (size_t i = 0; i < n; ++i) {
    if (kept(i)) continue;
    if (row[i].is_null()) {
      nulls.push_back(columns[i].name);
    } else {
      ++fields;
    }
  }
  if (unchanged.empty()) {
    out.command(CommandType::del, {"DEL", key});
  } else if (!nulls.empty()) {
    out.start(CommandType::hdel, 2 + nulls.size());
    out.arg("HDEL");
    out.arg(key);
    for (std::string_view name : nulls) out.arg(name);
  }
  if (fields == 0) return;
  out.start(CommandType::hset, 2 + 2 * fields);
  out.arg("HSET");
  out.arg(key);
  for (size_t i = 0; i < n; ++i) {
    if (row[i].is_null() || kept(i)) continue;
    text_.clear();
    append_value_text(row[i], text_);
    out.arg(columns[i].name);
    out.arg(text_);
  }
  append_ttl(b, key, out);
}

Status CommandBuilder::append_hash(const Bound& b, const ChangeEvent& e, CommandBuffer& out) {
  CDC_TRY_ASSIGN(Target t, target(b, e, out));
  if (t == Target::done) return {};
  if (e.op != Op::update || !b.rule->hash_changed_only || t == Target::moved || !e.before.present) {
    // Fields of columns the image does not carry (unchanged TOAST, a partial row image) stay.
    std::span<const uint32_t> kept = e.after.absent;
    if (e.op == Op::update && !e.unchanged_columns.empty()) {
      kept_.assign(e.unchanged_columns.begin(), e.unchanged_columns.end());
      kept_.insert(kept_.end(), e.after.absent.begin(), e.after.absent.end());
      kept = kept_;
    }
    append_full_hash(b, e.after, key_, out, kept);
    return {};
  }
  // Only what changed: HSET the new values, HDEL the columns that became NULL.
  const auto& columns = b.schema->columns;
  const size_t n = std::min<size_t>({e.after.size, e.before.size, columns.size()});
  std::vector<uint32_t> set, unset;
  for (uint32_t i = 0; i < n; ++i) {
    bool unchanged = e.after.is_absent(i);  // not in the image: the field stays
    for (uint32_t u : e.unchanged_columns) unchanged |= (u == i);
    if (unchanged) continue;
    // A column the before image does not carry has no old value to compare with.
    if (!e.before.is_absent(i) && same_text(e.before[i], e.after[i], text_, before_text_)) continue;
    (e.after[i].is_null() ? unset : set).push_back(i);
  }
  if (!set.empty()) {
    out.start(CommandType::hset, 2 + 2 * set.size());
    out.arg("HSET");
    out.arg(key_);
    for (uint32_t i : set) {
      text_.clear();
      append_value_text(e.after[i], text_);
      out.arg(columns[i].name);
      out.arg(text_);
    }
  }
  if (!unset.empty()) {
    out.start(CommandType::hdel, 2 + unset.size());
    out.arg("HDEL");
    out.arg(key_);
    for (uint32_t i : unset) out.arg(columns[i].name);
  }
  append_ttl(b, key_, out);
  return {};
}

Status CommandBuilder::append_invalidate(const Bound& b, const ChangeEvent& e, CommandBuffer& out) {
  // Both images' keys: an insert may replace a cached miss, an update may move the row.
  old_key_.clear();
  bool has_old = false;
  if (e.before.present) {
    CDC_TRY_ASSIGN(has_old, key_of(b, e, e.before, old_key_));
  }
  bool has_new = false;
  if (e.after.present) {
    CDC_TRY_ASSIGN(has_new, key_of(b, e, e.after, key_));
  }
  if (has_new && has_old && key_ == old_key_) has_old = false;
  for (const auto& [has, key] :
       {std::pair<bool, const std::string*>{has_old, &old_key_}, {has_new, &key_}}) {
    if (!has) continue;
    out.command(CommandType::del, {"DEL", *key});
    if (!b.rule->channel.empty())
      out.command(CommandType::publish, {"PUBLISH", b.rule->channel, *key});
  }
  return {};
}

Status CommandBuilder::append_stream(const Bound& b, const ChangeEvent& e, CommandBuffer& out) {
  if (options_->stream_format == json::Format::upsert) {
    CDC_TRY_ASSIGN(const bool whole, stream_rows_.admit(e));
    if (!whole) return {};
  }
  const RowImage& row = e.after.present ? e.after : e.before;
  CDC_TRY_ASSIGN(bool has_key, key_of(b, e, row, key_));
  if (!has_key) return {};
  field_.clear();
  const bool has_record_key = stream_encoder_->encode_key(e, field_);
  value_.clear();
  const bool has_value = stream_encoder_->encode_value(e, value_);
  const char op[2] = {op_code(e.op), '\0'};
  const bool trim = b.rule->stream_maxlen > 0;
  const std::string maxlen = trim ? std::to_string(b.rule->stream_maxlen) : std::string();
  out.start(CommandType::xadd,
            3 + (trim ? 3 : 0) + 2 + (has_record_key ? 2 : 0) + (has_value ? 2 : 0));
  out.arg("XADD");
  out.arg(key_);
  if (trim) {
    out.arg("MAXLEN");
    out.arg("~");
    out.arg(maxlen);
  }
  out.arg("*");
  out.arg("op");
  out.arg(std::string_view(op, 1));
  if (has_record_key) {
    out.arg("key");
    out.arg(field_);
  }
  if (has_value) {  // an upsert tombstone has none
    out.arg("value");
    out.arg(value_);
  }
  return {};
}

}  // namespace cdc::sinks::redis
