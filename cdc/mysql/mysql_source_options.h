// MysqlSourceOptions: every option of the MySQL/MariaDB source, defined once. config/ fills it
// from the pipeline YAML (`source: {type: mysql, ...}`, the key named on each field) and checks
// it; cdc_mysql reads it. This header and mysql_source_options.cpp form the library
// cdc_mysql_options, which depends on cdc_core only, so that config/ need not link the source.
// A plain value type; none of these is reloadable: a change needs a restart.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/mysql/binlog_offset.h"
#include "cdc/mysql/protocol/tls_options.h"
#include "cdc/mysql/server_list.h"

namespace cdc::mysql {

// Where the source starts when the state store holds no checkpoint for the pipeline.
enum class StartupMode : uint8_t {
  initial,          // snapshot of the existing rows, then the binlog from the snapshot's start
                    // without a gap or a duplicate (cdc/snapshot; MariaDB only)
  snapshot,         // the snapshot only; the source then ends (sluice run exits 0)
  latest_offset,    // SHOW MASTER STATUS at open: only changes made after start
  earliest_offset,  // the oldest binlog still on the server (SHOW BINARY LOGS), offset 4
  specific_offset,  // `specific_offset()`: must be an event-group boundary; or, when
                    // `specific_gtid_set` is set, after the transactions of that set
  timestamp,        // the first transaction written at or after `startup_timestamp_ms`
                    // (timestamp_start.h); the server's end when none is that late yet
};

// What a DDL that touches a captured table and cannot be parsed (or applied to the schema
// history: a column it names is not there) does.
enum class UnparseableDdl : uint8_t {
  stop,    // the source stops with an error naming the statement, binlog file and position
  resync,  // the touched tables' schemas are re-read from information_schema, with a warning
};

// What a statement-based row change (a QUERY or LOAD DATA whose rows the binlog does not hold:
// binlog_format=STATEMENT, or MIXED) of a captured table, or of a table it cannot name, does.
enum class StatementEvents : uint8_t {
  fail,  // the source stops naming the statement, its table, the position and the setting
  warn,  // the statement is passed over with a warning (its changes are not emitted)
};

// How GEOMETRY values are emitted.
enum class GeometryFormat : uint8_t {
  wkb,  // OGC WKB bytes (base64 in JSON: {"wkb": ..., "srid": n})
  wkt,  // WKT text like the server's ST_AsText ({"wkt": "POINT(1 2)", "srid": n})
};

// What a character column's byte sequence that is invalid in its charset becomes.
enum class CharsetInvalid : uint8_t {
  fail,     // the source stops, naming the table, column, charset, byte offset and position
  replace,  // each invalid sequence becomes U+FFFD, and the row goes on
};

// YAML spellings (kebab case); parse_* is case-insensitive and reads '_' as '-'.
std::string_view to_string(StartupMode v);
std::string_view to_string(UnparseableDdl v);
std::string_view to_string(StatementEvents v);
std::string_view to_string(GeometryFormat v);
std::string_view to_string(CharsetInvalid v);
std::optional<StartupMode> parse_startup_mode(std::string_view s);
std::optional<UnparseableDdl> parse_unparseable_ddl(std::string_view s);
std::optional<StatementEvents> parse_statement_events(std::string_view s);
std::optional<GeometryFormat> parse_geometry_format(std::string_view s);
std::optional<CharsetInvalid> parse_charset_invalid(std::string_view s);
std::optional<TlsMode> parse_tls_mode(std::string_view s);

// Replica server ids the source may use, inclusive. One id per binlog connection.
struct ServerIdRange {
  uint32_t first = 0;
  uint32_t last = 0;
  bool operator==(const ServerIdRange&) const = default;
};

struct MysqlSourceOptions {
  // `hostname`: host name or IP address of the server, or a failover list of servers
  // `db1:3306,db2,[::1]:3307` (server_list.h) tried in order: the source reads from the first
  // that answers and qualifies, stays on it while it answers, and moves to the next one (resuming
  // by GTID) when it is gone (README "Failover to another server"). Required.
  std::string host;
  // `port`: TCP port, 1..65535, of the server, and of each list entry without a port.
  // Default: 3306.
  uint16_t port = 3306;
  // Not a YAML key (tests and tools): a unix socket path used instead of host and port.
  std::string unix_socket;
  // `username`: needs REPLICATION SLAVE, REPLICATION CLIENT (MariaDB: BINLOG MONITOR) and SELECT.
  // Required.
  std::string user;
  // `password`: never logged nor shown in an error (`<redacted>`); use `${ENV_VAR}`. Default: "".
  std::string password;
  // `ssl-mode` (tls.mode): disabled | preferred | required | verify-ca | verify-identity, for
  // both connections (queries and the dump); not used over `unix_socket`. `ssl.ca`, `ssl.cert`,
  // `ssl.key` (tls.ca, .cert, .key): PEM file paths. Defaults: preferred, none.
  TlsOptions tls;
  // `tables`: ECMAScript regexes matched in full against "db.table"; comma-separated in YAML
  // (or a YAML list), e.g. `app_db.orders, app_db.order_items_\d+`. Required, at least one.
  // Empty (only outside config/) = every table outside the system schemas.
  std::vector<std::string> table_include;
  // `tables.exclude`: regexes of "db.table" names to leave out although `tables` matches them.
  // Excluded tables' events still advance the position. Default: none.
  std::vector<std::string> table_exclude;
  // `schema.unparseable-ddl`: see UnparseableDdl. DDL of tables not captured is ignored either
  // way. Default: stop.
  UnparseableDdl unparseable_ddl = UnparseableDdl::stop;
  // `statement-events`: see StatementEvents. Statements on tables not captured are passed
  // over either way. Default: fail.
  StatementEvents statement_events = StatementEvents::fail;
  // `server-id`: the replica id(s) this source registers with, `5401` or a range `5400-5404`;
  // the binlog reader uses the first (a range is for parallel snapshot readers). Default: one
  // derived from the pipeline id in 5400..6399 (config/pipeline_id.h default_server_id), which
  // the source logs as a warning at start: two replicas with the same id make the server
  // silently drop the older connection, so a deployment beside other replicas should set it.
  ServerIdRange server_id;
  bool server_id_derived = false;  // server_id is the derived default, not from the file
  // `server-time-zone`: zone of the server's DATETIME/TIMESTAMP session values (IANA name or
  // offset). Default: "UTC". Wrong values shift every TIMESTAMP column.
  std::string server_time_zone = "UTC";
  // `scan.startup.mode`: see StartupMode. Used only when the pipeline has no checkpoint yet.
  // Default: initial.
  StartupMode startup_mode = StartupMode::initial;
  // `scan.startup.specific-offset.file` / `.pos`: binlog file name and byte offset to start at,
  // for startup mode specific-offset (or `specific_gtid_set`). Default: unset.
  std::string specific_offset_file;
  std::optional<BinlogOffset> specific_offset_pos;
  // `scan.startup.specific-offset.gtid-set`: executed GTID set to start after, MariaDB
  // ("0-1-100") or MySQL ("uuid:1-100"), as the server prints it. Default: unset.
  std::string specific_gtid_set;
  // `scan.startup.timestamp-millis`: milliseconds since the Unix epoch; startup mode timestamp
  // starts at the first transaction at or after it (binlog event times have whole seconds: a
  // fraction rounds up to the next second). Required for that mode. Default: unset.
  std::optional<int64_t> startup_timestamp_ms;
  // `heartbeat.interval`: the server sends a heartbeat after this much silence, which keeps the
  // position fresh on an idle server; the connection is declared dead after 2x this (min 10 s)
  // without any packet. Unit: duration (`30s`). 0 disables heartbeats. Default: 30s.
  std::chrono::milliseconds heartbeat_period{30'000};
  // `connect.timeout`: time allowed for a connection attempt. Unit: duration. Default: 30s.
  std::chrono::milliseconds connect_timeout{30'000};
  // `scan.incremental.snapshot.chunk.size`: rows per snapshot chunk; each finished chunk is
  // checkpointed, so this bounds the work repeated after a crash. Default: 8096.
  uint32_t snapshot_chunk_size = 8096;
  // `scan.snapshot.parallelism`: connections that read the initial snapshot at once, >= 1.
  // Each reads whole key ranges in consistent reads of its own (ARCHITECTURE.md "Snapshots").
  // Default 1: one read view and no extra load on the source unless asked for.
  uint32_t snapshot_parallelism = 1;
  // `scan.snapshot.fetch.size`: accepted for Flink CDC's configurations and unused: the
  // snapshot streams each chunk's rows from the server (mysql_use_result), one row held at a
  // time. Default: 1024.
  uint32_t snapshot_fetch_size = 1024;
  // `scan.incremental.snapshot.chunk.key-column`: `<table-pattern>:<column>[;...]` (Flink CDC's
  // pipeline syntax): the snapshot of a table matching the pattern (a `tables` regex) is chunked
  // by that NOT NULL column, then by its primary key columns (a unique order); a table without a
  // primary key is chunked by the column alone, each chunk ending after every row of its last
  // value. The first matching pattern wins. Default: none (the primary key).
  struct ChunkKeyColumn {
    std::string table_pattern;  // a regex over "db.table"
    std::string column;
  };
  std::vector<ChunkKeyColumn> snapshot_chunk_key_columns;
  // `scan.incremental.snapshot.backfill.skip`: when the snapshot was read in more than one
  // consistent read (a restart inside it, or scan.snapshot.parallelism > 1), stream every change
  // from the earliest read's position, without dropping those a later read already holds: at
  // least once. Default false (exactly once).
  bool snapshot_backfill_skip = false;
  // `scan.newly-added-table.enabled`: on a restart whose `tables` patterns capture tables the
  // pipeline did not capture before (a record of the patterns is in the state store), read
  // those tables' existing rows while the stream goes on (a re-snapshot), without reading the
  // others again. Off, they are streamed from the checkpoint on and a warning names them.
  // Default: false (Flink CDC's).
  bool newly_added_tables = false;
  // `signal.data-collection`: "db.table" of a signal table (Debezium's shape: id VARCHAR
  // primary key, type VARCHAR, data TEXT) whose `execute-snapshot` rows ask for a re-snapshot
  // (cdc/snapshot/snapshot_signal.h). Its changes are read from the binlog whatever `tables`
  // says, and delivered only if `tables` captures it. sluice never writes to it. Default:
  // unset (no signal table).
  std::string signal_data_collection;
  // `zero-date.handling`: null | string. MySQL's '0000-00-00' is no valid date: emit NULL
  // (true) or the literal text (false). Default: null (true).
  bool zero_date_as_null = true;
  // `transaction-payload.max-size`: the largest uncompressed MySQL 8 compressed transaction
  // (TRANSACTION_PAYLOAD) that is unpacked; the whole uncompressed transaction is held in
  // memory while it streams, and a larger one stops the source with an error naming this key
  // (never a silent skip). Unit: size (bytes). Default: 256mb.
  uint64_t max_transaction_payload_bytes = uint64_t{256} << 20;
  // `geometry.format`: see GeometryFormat; the SRID is kept either way. Default: wkb.
  GeometryFormat geometry_format = GeometryFormat::wkb;
  // `charset.invalid`: see CharsetInvalid. A value the server stored with bytes its charset
  // does not define (inserted through a binary cast, or by a client that lied about its
  // charset) is never emitted as wrong text silently. Default: fail.
  CharsetInvalid charset_invalid = CharsetInvalid::fail;
  // `include.query`: put the SQL statement that changed each row (MariaDB ANNOTATE_ROWS, MySQL
  // ROWS_QUERY with binlog_rows_query_log_events) in SourceInfo.query, as Debezium's option of
  // the same name. Off, the field is empty (null in debezium-json), MariaDB is not asked for
  // ANNOTATE_ROWS at all (they were 30 % of a catch-up's bytes) and MySQL's ROWS_QUERY events
  // are read and ignored; a row of a 1000-row INSERT then no longer carries the whole
  // statement. DDL events keep their statement either way. Default: false.
  bool include_query = false;

  // Set by the daemon from the pipeline, not source keys:
  // SourceInfo.name of every event: `pipeline.name`.
  std::string pipeline_name;
  // A batch is cut after this many change events, also in the middle of a transaction or a
  // row event, so a large transaction is never held in memory. Default: 1024.
  size_t max_batch_events = 1024;

  // The start of startup mode specific-offset given as a file: offset 4 (the first event)
  // when no `.pos` was given.
  // The servers of `hostname` (with `port` as the default port); the one of `unix_socket`
  // when that is set.
  Result<std::vector<ServerAddress>> servers() const {
    if (!unix_socket.empty()) return std::vector<ServerAddress>{{host, port}};
    return parse_server_list(host, port);
  }

  BinlogPosition specific_offset() const {
    return position_in(specific_offset_file, specific_offset_pos.value_or(kFirstEventOffset));
  }
};

}  // namespace cdc::mysql
