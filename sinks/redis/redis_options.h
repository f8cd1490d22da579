// What the Redis sink needs to know, already validated (config/ checks it; cdc/daemon/wiring
// converts config::RedisSinkOptions into this). Plain value types.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cdc/core/json/encoder.h"

namespace cdc::sinks::redis {

enum class Mode { string, hash, invalidate, stream };

// One piece of a key template: literal text or a {name} placeholder ({db}, {table}, {pk} or a
// column name).
struct KeyPart {
  bool placeholder = false;
  std::string text;
};

// How the changes of one table become commands; config::RedisTableOptions explains each.
struct TableRule {
  std::string source_table;  // ECMAScript regex over "db.table"; unused in the defaults
  Mode mode = Mode::string;
  std::vector<KeyPart> key;
  std::string value_column;  // string mode: "" = the row as JSON
  std::chrono::milliseconds ttl{0};
  bool hash_changed_only = false;
  std::string channel;
  uint64_t stream_maxlen = 0;
};

struct RedisOptions {
  std::string pipeline;  // for logs and metrics
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string socket;  // unix socket path; overrides host/port when set
  std::string username;
  std::string password;
  uint32_t database = 0;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds command_timeout{30000};
  uint32_t max_in_flight = 1000;
  uint32_t batch_max_commands = 10000;
  std::string offset_key;
  std::string key_separator = ":";
  bool skip_null_keys = false;  // false: a NULL key column stops the pipeline
  json::Format stream_format = json::Format::debezium_json;
  // exactly-once: MULTI/EXEC per batch with the offset, fenced; else plain pipelined writes.
  bool exactly_once = true;
  TableRule defaults;
  std::vector<TableRule> tables;  // the first whose source_table matches applies
};

}  // namespace cdc::sinks::redis
