// MysqlSourceOptions: everything MysqlSource needs, as a plain struct (the daemon maps the
// pipeline config onto it; cdc_mysql does not depend on config/). Not reloadable: a change
// needs a re-open.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cdc/core/position.h"
#include "cdc/mysql/protocol/tls_options.h"

namespace cdc::mysql {

enum class StartupMode : uint8_t {
  latest_offset,    // SHOW MASTER STATUS at open: only changes made after start
  earliest_offset,  // the oldest binlog still on the server (SHOW BINARY LOGS), offset 4
  specific_offset,  // `specific_offset` (file, offset): must be an event-group boundary; or,
                    // when `specific_gtid_set` is set, after the transactions of that set
  timestamp,        // the first transaction written at or after `startup_timestamp_ms`
                    // (timestamp_start.h); the server's end when none is that late yet
};

// `schema.unparseable-ddl`: what a DDL that touches a captured table and cannot be parsed (or
// applied to the schema history: a column it names is not there) does.
enum class UnparseableDdl : uint8_t {
  stop,    // the source stops with an error naming the statement, binlog file and position
  resync,  // the touched tables' schemas are re-read from information_schema, with a warning
};

struct MysqlSourceOptions {
  // Server address. Default: 127.0.0.1:3306. `unix_socket`, when set, is used instead.
  std::string host = "127.0.0.1";
  uint16_t port = 3306;
  std::string unix_socket;
  // Needs REPLICATION SLAVE and BINLOG MONITOR (MariaDB 10.5+) / REPLICATION CLIENT (MySQL).
  std::string user;
  std::string password;  // never logged
  // TLS for both connections (queries and the dump). Default: preferred. Not used over
  // `unix_socket`.
  TlsOptions tls;
  // Regexes matched against the whole "db.table" (ECMAScript, full match). Empty include =
  // every table outside the system schemas (mysql, sys, information_schema,
  // performance_schema). Exclude wins. Excluded tables' events still advance the position.
  std::vector<std::string> table_include;
  std::vector<std::string> table_exclude;
  // Replica server id. No default (0 is refused): two replicas with the same id disconnect
  // each other silently.
  uint32_t server_id = 0;
  // Where to start when open() gets no checkpoint. Default: latest_offset.
  StartupMode startup_mode = StartupMode::latest_offset;
  BinlogPosition specific_offset;  // for StartupMode::specific_offset
  // For StartupMode::specific_offset instead of a file: an executed GTID set, MariaDB
  // ("0-1-100") or MySQL ("uuid:1-100"), as the server prints it.
  std::string specific_gtid_set;
  // For StartupMode::timestamp: milliseconds since the Unix epoch (binlog event times have whole
  // seconds: a fraction rounds up to the next second).
  int64_t startup_timestamp_ms = 0;
  // The server sends a heartbeat after this much silence; the connection is declared dead
  // after 2x this (min 10 s) without any packet. Default: 30 s. 0 disables heartbeats.
  std::chrono::milliseconds heartbeat_period{30000};
  // Default: 30 s.
  std::chrono::milliseconds connect_timeout{30000};
  // SourceInfo.name of every event (the pipeline name).
  std::string pipeline_name;
  // A batch is cut after this many change events, also in the middle of a transaction or a
  // row event, so a large transaction is never held in memory. Default: 1024.
  size_t max_batch_events = 1024;
  // Largest uncompressed MySQL 8 compressed transaction (TRANSACTION_PAYLOAD, bytes) that is
  // unpacked; the whole uncompressed transaction is held in memory while it streams. A larger
  // one stops the source with an error naming the config key `transaction-payload.max-size`
  // (never a silent skip). Default: 256 MiB.
  uint64_t max_transaction_payload_bytes = uint64_t{256} << 20;
  // See UnparseableDdl. Default: stop.
  UnparseableDdl unparseable_ddl = UnparseableDdl::stop;
  // GEOMETRY values as WKT text (Value::geometry_wkt) instead of WKB (config `geometry.format`).
  bool geometry_wkt = false;
};

}  // namespace cdc::mysql
