// CommandBuilder: turns change events into Redis commands by the table's rule (mode, key
// template, TTL, ...). Pure: it appends to a CommandBuffer and never talks to Redis, so every
// mode is unit-tested byte for byte. Caches one bound key template per schema version.
// Sink-thread only.
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include "cdc/core/change_event.h"
#include "cdc/core/json/encoder.h"
#include "cdc/core/result.h"
#include "sinks/common/partial_rows.h"
#include "sinks/redis/command_buffer.h"
#include "sinks/redis/key_template.h"
#include "sinks/redis/redis_options.h"

namespace cdc::sinks::redis {

class CommandBuilder {
 public:
  // Errc::invalid_config for a table regex that does not compile or a key template that does
  // not parse.
  static Result<CommandBuilder> create(const RedisOptions& options);

  // Appends the commands of `e` to `out` (nothing when the row is skipped for a NULL key
  // column under key.null-handling: skip). Errc::invalid_config when the rule does not fit the
  // table (an unknown column in the key or value.column); Errc::malformed for a NULL key
  // column under key.null-handling: error; Errc::unsupported for a TRUNCATE outside stream mode.
  Status append(const ChangeEvent& e, CommandBuffer& out);

  // Rows skipped so far for a NULL key column.
  uint64_t skipped_rows() const { return skipped_rows_; }

 private:
  struct Bound {
    TableSchemaPtr schema;  // keeps the pointer used as the cache key alive
    const TableRule* rule = nullptr;
    KeyTemplate key;
    std::optional<uint32_t> value_column;
  };
  // What target() left to do for an event: nothing more (a delete, or a skipped row), write
  // key_, or write key_ after the old key was deleted (the update changed the key).
  enum class Target { done, same, moved };
  explicit CommandBuilder(const RedisOptions& options);
  Result<Target> target(const Bound& b, const ChangeEvent& e, CommandBuffer& out);
  Result<const Bound*> bind(const ChangeEvent& e);
  // The key of `row` in `out`; false when the row is skipped (NULL key column, skip policy).
  Result<bool> key_of(const Bound& b, const ChangeEvent& e, const RowImage& row, std::string& out);
  Status append_string(const Bound& b, const ChangeEvent& e, CommandBuffer& out);
  Status append_hash(const Bound& b, const ChangeEvent& e, CommandBuffer& out);
  Status append_invalidate(const Bound& b, const ChangeEvent& e, CommandBuffer& out);
  Status append_stream(const Bound& b, const ChangeEvent& e, CommandBuffer& out);
  // `unchanged`: columns the image does not carry (ChangeEvent::unchanged_columns,
  // RowImage::absent), whose fields stay.
  void append_full_hash(const Bound& b, const RowImage& row, std::string_view key,
                        CommandBuffer& out, std::span<const uint32_t> unchanged = {});
  void append_ttl(const Bound& b, std::string_view key, CommandBuffer& out);

  std::shared_ptr<const RedisOptions> options_;   // shared so that moves keep rule pointers valid
  std::vector<std::regex> table_patterns_;        // parallel to options_->tables
  std::vector<KeyPart> default_key_;              // options_->defaults.key, parsed
  std::vector<std::vector<KeyPart>> table_keys_;  // parallel to options_->tables
  std::unique_ptr<json::Encoder> row_encoder_;    // upsert: the row as a flat JSON object
  std::unique_ptr<json::Encoder> stream_encoder_;
  // Whole rows (string mode without value.column, stream mode with upsert): the policy for an
  // after image with absent columns.
  PartialRows string_rows_, stream_rows_;
  std::unordered_map<const TableSchema*, Bound> bound_;
  uint64_t skipped_rows_ = 0;
  // Scratch buffers reused across events.
  std::string key_, old_key_, value_, field_, text_, before_text_;
  std::vector<uint32_t> kept_;
};

}  // namespace cdc::sinks::redis
