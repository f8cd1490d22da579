// Options of the MySQL/MariaDB source (`source: {type: mysql, ...}`). A plain value type;
// YAML key names are given in each comment. None of these is reloadable: a change needs a restart.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config_enums.h"

namespace cdc::config {

// Replica server ids the source may use, inclusive. One id per binlog connection.
struct ServerIdRange {
  uint32_t first = 0;
  uint32_t last = 0;
  bool operator==(const ServerIdRange&) const = default;
};

struct MysqlSourceOptions {
  // `hostname`: host name or IP address of the server. Required.
  std::string hostname;
  // `port`: TCP port, 1..65535. Default: 3306.
  uint16_t port = 3306;
  // `username`: needs REPLICATION SLAVE, REPLICATION CLIENT (MariaDB: BINLOG MONITOR) and SELECT.
  // Required.
  std::string username;
  // `password`: never logged nor shown in an error (`<redacted>`); use `${ENV_VAR}`. Default: "".
  std::string password;
  // `tables`: ECMAScript regexes matched in full against "db.table"; comma-separated in YAML
  // (or a YAML list), e.g. `app_db.orders, app_db.order_items_\d+`. Required, at least one.
  std::vector<std::string> tables;
  // `tables.exclude`: regexes of "db.table" names to leave out although `tables` matches them.
  // Default: none.
  std::vector<std::string> tables_exclude;
  // `schema.unparseable-ddl`: what a DDL that touches a captured table and cannot be parsed (or
  // applied to the schema history) does: `stop` the pipeline with an error naming the statement,
  // binlog file and position, or `resync`: re-read the touched tables from information_schema
  // and log a warning. DDL of tables not captured is ignored either way. Default: stop.
  UnparseableDdl unparseable_ddl = UnparseableDdl::stop;
  // `server-id`: the replica id(s) this source registers with, `5401` or a range `5400-5404`.
  // Required, no default: two replicas with the same id make the server silently drop the older
  // connection, so a guessed default would break another consumer of the same server.
  ServerIdRange server_id;
  // `server-time-zone`: zone of the server's DATETIME/TIMESTAMP session values (IANA name or
  // offset). Default: "UTC". Wrong values shift every TIMESTAMP column.
  std::string server_time_zone = "UTC";
  // `scan.startup.mode`: initial | snapshot | latest-offset | earliest-offset | specific-offset |
  // timestamp. Used only when the pipeline has no checkpoint yet. Default: initial.
  StartupMode startup_mode = StartupMode::initial;
  // `scan.startup.specific-offset.file` / `.pos`: binlog file name and byte offset to start at.
  // Needed (or `gtid-set`) for startup mode specific-offset. Default: unset.
  std::string startup_specific_offset_file;
  std::optional<uint64_t> startup_specific_offset_pos;
  // `scan.startup.specific-offset.gtid-set`: executed GTID set to start after. Default: unset.
  std::string startup_specific_offset_gtid_set;
  // `scan.startup.timestamp-millis`: epoch milliseconds; startup mode timestamp starts at the
  // first binlog file with events at or after it. Required for that mode. Default: unset.
  std::optional<int64_t> startup_timestamp_ms;
  // `heartbeat.interval`: period of the server's heartbeat events; keeps the position fresh on
  // an idle server. Unit: duration (`30s`). Default: 30s.
  std::chrono::milliseconds heartbeat_interval{30'000};
  // `connect.timeout`: time allowed for a connection attempt. Default: 30s.
  std::chrono::milliseconds connect_timeout{30'000};
  // `ssl-mode`: disabled | preferred | required | verify-ca | verify-identity. Default: preferred.
  SslMode ssl_mode = SslMode::preferred;
  // `ssl.ca`, `ssl.cert`, `ssl.key`: PEM file paths. Default: none.
  std::string ssl_ca;
  std::string ssl_cert;
  std::string ssl_key;
  // `scan.incremental.snapshot.chunk.size`: rows per snapshot chunk; each finished chunk is
  // checkpointed, so this bounds the work repeated after a crash. Default: 8096.
  uint32_t snapshot_chunk_size = 8096;
  // `scan.snapshot.fetch.size`: rows fetched per round trip while reading a chunk. Default: 1024.
  uint32_t snapshot_fetch_size = 1024;
  // `zero-date.handling`: null | string. MySQL's '0000-00-00' is no valid date: emit NULL
  // (true) or the literal text (false). Default: null (true).
  bool zero_date_as_null = true;
  // `transaction-payload.max-size`: the largest uncompressed MySQL 8 compressed transaction
  // (binlog_transaction_compression) that is unpacked; it is held in memory while it streams,
  // and a larger one stops the source with an error naming this key. Unit: size. Default: 256mb.
  uint64_t transaction_payload_max_bytes = uint64_t{256} << 20;
  // `geometry.format`: wkb | wkt. GEOMETRY values as OGC WKB (base64 in JSON:
  // {"wkb": ..., "srid": n}) or as WKT text like the server's ST_AsText ({"wkt": "POINT(1 2)",
  // "srid": n}); the SRID is kept either way. Default: wkb.
  GeometryFormat geometry_format = GeometryFormat::wkb;
};

}  // namespace cdc::config
