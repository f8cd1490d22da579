// Options of the Redis sink (`sink: {type: redis, ...}`): the connection, the exactly-once
// bookkeeping, and per-table modes (string, hash, invalidate, stream). Plain value types.
// Not reloadable: a change needs a restart.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_enums.h"

namespace cdc::config {

// What a change becomes in Redis.
enum class RedisMode {
  string,      // SET key <row JSON or one column> [PX ttl]; DEL on delete
  hash,        // HSET key col val ...; DEL on delete
  invalidate,  // DEL key [+ PUBLISH channel key]
  stream,      // XADD <key> [MAXLEN ~ n] * op .. key .. value <event in value.format>
};
// What a row whose key template names a NULL column does.
enum class RedisNullKey { error, skip };

std::string_view to_string(RedisMode v);
std::optional<RedisMode> parse_redis_mode(std::string_view s);
std::optional<RedisNullKey> parse_redis_null_key(std::string_view s);

// The keys that may be set for the whole sink and overridden per table.
struct RedisTableOptions {
  // `source-table` (table items only): ECMAScript regex matched in full against "db.table";
  // the first matching item applies. Required in an item.
  std::string source_table;
  // `mode`: string | hash | invalidate | stream. Default: string.
  RedisMode mode = RedisMode::string;
  // `key`: the key template (the stream's name in stream mode): text with {db}, {table},
  // {pk} (the primary-key columns joined by key.separator) and {<column>} placeholders;
  // `{{` and `}}` are literal braces. Default: "{db}:{table}:{pk}", in stream mode
  // "{db}:{table}:changes" (filled in by normalize()).
  std::string key;
  // `value.column` (string mode): SET the text of this one column instead of the row as a
  // JSON object. Default: "" (the row).
  std::string value_column;
  // `ttl` (string and hash modes): expiry set with each write (SET PX / PEXPIRE).
  // Default: 0 = no expiry.
  std::chrono::milliseconds ttl{0};
  // `hash.changed-columns-only` (hash mode): an update HSETs only the columns whose value
  // changed (and HDELs those that became NULL) instead of replacing the whole hash.
  // Default: false.
  bool hash_changed_only = false;
  // `invalidate.channel` (invalidate mode): PUBLISH each deleted key on this channel.
  // Default: "" = no message.
  std::string channel;
  // `stream.maxlen` (stream mode): XADD trims with MAXLEN ~ this. Default: 0 = no trimming.
  uint64_t stream_maxlen = 0;
};

struct RedisSinkOptions {
  // `host`, `port`: the server over TCP. Defaults: 127.0.0.1, 6379.
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  // `socket`: a unix socket path instead of host/port. Default: "".
  std::string socket;
  // `username`, `password`: AUTH [username] password after connecting (Redis 6 ACL users
  // need both). Defaults: "" = no AUTH.
  std::string username;
  std::string password;
  // `database`: SELECT this database number. Default: 0.
  uint32_t database = 0;
  // `connect.timeout`, `command.timeout`: bound the connect and each reply. Defaults: 5s, 30s.
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds command_timeout{30000};
  // `pipeline.max-in-flight`: commands sent before their replies are read, >= 1. Default: 1000.
  uint32_t max_in_flight = 1000;
  // `batch.max-commands`: data commands buffered before they are written as one atomic
  // MULTI/EXEC with their own resume position, >= 1; bounds memory within a checkpoint.
  // Default: 10000.
  uint32_t batch_max_commands = 10000;
  // `offset.key`: where the resume position lives, next to the data. Default:
  // "sluice:offset:<pipeline name>" (filled in by normalize()).
  std::string offset_key;
  // `key.separator`: joins the primary-key columns of {pk}. Default: ":".
  std::string key_separator = ":";
  // `key.null-handling`: error | skip, for a row whose key column is NULL. Default: error.
  RedisNullKey null_key = RedisNullKey::error;
  // `value.format` (stream mode): debezium-json | upsert | canal-json. Default: debezium-json.
  ValueFormat format = ValueFormat::debezium_json;
  // The sink-level `mode`, `key`, ... : the defaults of every table.
  RedisTableOptions defaults;
  // `tables`: per-table overrides, each {source-table, and any of the keys above}; what an
  // item does not name comes from the sink level, except `key` when the item's mode differs
  // (a template is written for one mode).
  std::vector<RedisTableOptions> tables;
};

}  // namespace cdc::config
