// RedisOptions: every option of the Redis sink, defined once. config/ fills it from the
// pipeline YAML (`sink: {type: redis, ...}`, the key named on each field), derives the defaults
// that depend on the pipeline or the mode (normalize) and checks it; the sink reads it. This
// header and redis_options.cpp form the library cdc_sink_redis_options (cdc_core and cdc_json's
// format only), so that config/ need not link the sink. Plain value types. Not reloadable.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/json/format.h"
#include "cdc/core/result.h"

namespace cdc::sinks::redis {

// What a change becomes in Redis.
enum class Mode {
  string,      // SET key <row JSON or one column> [PX ttl]; DEL on delete
  hash,        // HSET key col val ...; DEL on delete
  invalidate,  // DEL key [+ PUBLISH channel key]
  stream,      // XADD <key> [MAXLEN ~ n] * op .. key .. value <event in value.format>
};

// YAML spellings; parse_mode is case-insensitive and reads '_' as '-'.
std::string_view to_string(Mode v);
std::optional<Mode> parse_mode(std::string_view s);

// One piece of a key template: literal text or a {name} placeholder ({db}, {table}, {pk} or a
// column name).
struct KeyPart {
  bool placeholder = false;
  std::string text;  // the literal text, or the placeholder's name
  friend bool operator==(const KeyPart&, const KeyPart&) = default;
};

// The syntax of a key template such as "user:{id}" or "{db}:{table}:{pk}": literal text and
// {name} placeholders, with "{{" and "}}" for literal braces. Errc::invalid_config naming the
// offset of an unclosed '{', a stray '}', an empty or nested placeholder, or a template with no
// text at all. What a name means is decided by the sink against each schema (key_template.h).
Result<std::vector<KeyPart>> parse_key_template(std::string_view text);

// The keys that may be set for the whole sink and overridden per table.
struct TableRule {
  // `source-table` (table items only): ECMAScript regex matched in full against "db.table";
  // the first matching item applies. Required in an item; unused in the defaults.
  std::string source_table;
  // `mode`: string | hash | invalidate | stream. Default: string.
  Mode mode = Mode::string;
  // `key`: the key template (the stream's name in stream mode), see parse_key_template; {pk}
  // is the primary-key columns joined by key.separator. Default: "{db}:{table}:{pk}", in stream
  // mode "{db}:{table}:changes" (filled in by config's normalize()).
  std::string key;
  // `value.column` (string mode): SET the text of this one column instead of the row as a
  // JSON object. Default: "" (the row).
  std::string value_column;
  // `ttl` (string and hash modes): expiry set with each write (SET PX / PEXPIRE). Unit:
  // duration. Default: 0 = no expiry.
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

struct RedisOptions {
  // `host`, `port`: the server over TCP. Defaults: 127.0.0.1, 6379.
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  // `socket`: a unix socket path instead of host/port. Default: "".
  std::string socket;
  // `username`, `password`: AUTH [username] password after connecting (Redis 6 ACL users
  // need both). Never logged. Defaults: "" = no AUTH.
  std::string username;
  std::string password;
  // `tls`: TLS to the server through OpenSSL (managed Redis services require it; Redis's
  // `tls-port`). The server's certificate is always verified: against `tls.ca`, else the
  // system's CA certificates. Not over a unix socket. Default: false.
  bool tls = false;
  // `tls.ca`: PEM file of the CA certificates the server's certificate must chain to.
  // Default: "" (the system's).
  std::string tls_ca;
  // `tls.cert`, `tls.key`: PEM client certificate (chain) and its key, for a server that asks
  // for one (`tls-auth-clients`). Both or neither. Default: none.
  std::string tls_cert;
  std::string tls_key;
  // `tls.verify-identity`: the certificate must name `host` (a DNS name or an IP address in its
  // subjectAltName), as MySQL's verify-identity. The host also goes out as SNI when it is a
  // name. Default: true.
  bool tls_verify_identity = true;
  // `database`: SELECT this database number. Default: 0.
  uint32_t database = 0;
  // `connect.timeout`, `command.timeout`: bound the connect and each reply. Unit: duration.
  // Defaults: 5s, 30s.
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds command_timeout{30000};
  // `pipeline.max-in-flight`: commands sent before their replies are read, >= 1. Default: 1000.
  uint32_t max_in_flight = 1000;
  // `batch.max-commands`: data commands buffered before they are written as one atomic
  // MULTI/EXEC with their own resume position, >= 1; bounds memory within a checkpoint.
  // Default: 10000.
  uint32_t batch_max_commands = 10000;
  // `offset.key`: where the resume position lives, next to the data. Default:
  // "sluice:offset:<pipeline name>" (filled in by config's normalize()).
  std::string offset_key;
  // `key.separator`: joins the primary-key columns of {pk}. Default: ":".
  std::string key_separator = ":";
  // `key.null-handling`: error (false) | skip (true), for a row whose key column is NULL: stop
  // the pipeline naming the column, or skip the row with a warning. Default: error.
  bool skip_null_keys = false;
  // `value.format` (stream mode): debezium-json | upsert | canal-json. Default: debezium-json.
  json::Format stream_format = json::Format::debezium_json;
  // `row-image.partial`: string mode (and stream mode with upsert) writes whole rows: an insert
  // or update whose after image leaves columns out (binlog_row_image=MINIMAL/NOBLOB) stops the
  // pipeline (fail) or is left out with a warning (skip). Hash mode writes the present fields.
  // Default: fail.
  json::PartialRowPolicy partial_rows = json::PartialRowPolicy::fail;
  // `toast.placeholder`: json::EncoderOptions::toast_placeholder, for stream and string mode
  // (hash mode leaves an unchanged field as it is). Default: unset.
  std::optional<std::string> toast_placeholder;
  // The sink-level `mode`, `key`, ... : the defaults of every table.
  TableRule defaults;
  // `tables`: per-table overrides, each {source-table, and any of the keys above}; what an
  // item does not name comes from the sink level, except `key` when the item's mode differs
  // (a template is written for one mode). The first whose source_table matches applies.
  std::vector<TableRule> tables;

  // Derived from the pipeline by config's normalize(), not sink keys:
  // `pipeline.name`: for logs and metrics.
  std::string pipeline;
  // `pipeline.delivery` is exactly-once (the default): MULTI/EXEC per batch with the offset,
  // fenced; at-least-once: plain pipelined writes.
  bool exactly_once = true;
};

}  // namespace cdc::sinks::redis
