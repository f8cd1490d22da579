// PostgresSourceOptions: every option of the PostgreSQL source, defined once, in Flink CDC's
// postgres pipeline shape. config/ fills it from `source: {type: postgres, ...}` (the key named
// on each field); cdc_postgres reads it. This header and postgres_source_options.cpp form the
// library cdc_postgres_options (cdc_core only). A plain value type; nothing is reloadable.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/postgres/types/pg_types.h"

namespace cdc::postgres {

// Where the source starts when the pipeline has no checkpoint yet.
enum class StartupMode : uint8_t {
  initial,           // snapshot, then the stream from the snapshot's consistent point
  snapshot,          // the snapshot only (through a temporary slot: no slot is left behind)
  latest_offset,     // the slot's position; a slot created now starts at its consistent point
  committed_offset,  // the slot's confirmed position; the slot must exist
};

// libpq's sslmode, passed through unchanged.
enum class SslMode : uint8_t { disable, allow, prefer, require, verify_ca, verify_full };

std::string_view to_string(StartupMode v);
std::string_view to_string(SslMode v);
std::optional<StartupMode> parse_startup_mode(std::string_view s);
std::optional<SslMode> parse_ssl_mode(std::string_view s);
std::optional<DecimalHandling> parse_decimal_handling(std::string_view s);
std::optional<TemporalInfinity> parse_temporal_infinity(std::string_view s);

struct PostgresSourceOptions {
  // `hostname`: host name or IP address. Required.
  std::string host;
  // `port`: 1..65535. Default: 5432.
  uint16_t port = 5432;
  // `username`: needs REPLICATION (or superuser) and SELECT on the captured tables; CREATE on
  // the database when the publication is created by sluice. Required.
  std::string user;
  // `password`: never logged nor shown (`<redacted>`); use `${ENV_VAR}`. Default: "".
  std::string password;
  // `database-name`: the database whose changes are read (a slot belongs to one). Required.
  std::string database;
  // `sslmode`: disable | allow | prefer | require | verify-ca | verify-full (libpq's).
  // `sslrootcert`, `sslcert`, `sslkey`: PEM file paths. Defaults: prefer, none.
  SslMode ssl_mode = SslMode::prefer;
  std::string ssl_root_cert;
  std::string ssl_cert;
  std::string ssl_key;
  // `tables`: ECMAScript regexes matched in full against "db.schema.table" (Flink CDC's
  // postgres form), comma-separated or a YAML list. Required, at least one.
  std::vector<std::string> table_include;
  // `tables.exclude`: regexes of "db.schema.table" left out although `tables` matches.
  std::vector<std::string> table_exclude;
  // `slot.name`: the logical replication slot (pgoutput). Created when missing (not in mode
  // committed-offset). Required: a slot retains WAL until it is dropped, so none is guessed.
  std::string slot_name;
  // `slot.takeover`: when another backend holds the slot ("replication slot ... is active for
  // PID n"), terminate it (pg_terminate_backend) instead of retrying with backoff.
  // Default: false.
  bool slot_takeover = false;
  // `publication.name`: the publication read. Created `FOR TABLE` the captured tables when
  // missing; an existing one is used as it is. Default: "sluice_" + slot.name.
  std::string publication_name;
  // `publication.publish-via-partition-root`: create the publication with
  // publish_via_partition_root, so changes of partitions arrive as their root table's.
  // Default: false.
  bool publish_via_partition_root = false;
  // `decoding.plugin.name`: pgoutput only (the core plugin: no server install). Default: pgoutput.
  std::string decoding_plugin = "pgoutput";
  // `protocol.version`: pgoutput proto_version, 1 or 2. 2 with `streaming` lets the server
  // send a large transaction before its commit (spooled to disk by sluice). Default: 2.
  uint32_t proto_version = 2;
  // `streaming`: request streaming of in-progress transactions (protocol 2). Default: true.
  bool streaming = true;
  // `scan.startup.mode`: see StartupMode. Default: initial, as Flink CDC's and the MySQL
  // source's: the existing rows, then the stream, each change once.
  StartupMode startup_mode = StartupMode::initial;
  // `scan.incremental.snapshot.chunk.size`: rows per keyset chunk of the snapshot. Default: 8096.
  uint32_t snapshot_chunk_size = 8096;
  // `scan.snapshot.parallelism`: connections that read the snapshot at once, 1..64. All of them
  // import the one snapshot the slot (or, after a restart inside the snapshot, a temporary slot)
  // exported, so every table part is read at the same consistent point (ARCHITECTURE.md
  // "Snapshots", PostgreSQL). Default 1: one query connection's load on the server.
  uint32_t snapshot_parallelism = 1;
  // `status.interval`: how often a standby status update reports the last committed
  // checkpoint's LSN, also while the sink is slow (below wal_sender_timeout/2, default 60s/2).
  // Unit: duration. Default: 10s.
  std::chrono::milliseconds status_interval{10'000};
  // `heartbeat.interval`: after this long without a delivered transaction, sluice writes a
  // transactional logical decoding message (pg_logical_emit_message, prefix
  // "sluice_heartbeat", nothing written to user tables), so that the slot advances on an idle
  // or filtered database instead of holding WAL until the disk is full. Unit: duration. 0
  // disables it. Default: 30s.
  std::chrono::milliseconds heartbeat_interval{30'000};
  // `connect.timeout`: Unit: duration (whole seconds for libpq). Default: 30s.
  std::chrono::milliseconds connect_timeout{30'000};
  // `decimal.handling.mode` (precise | string | double) and `temporal.infinity.handling`
  // (fail | null): how values sluice's kinds cannot hold are converted (pg_types.h; README
  // "PostgreSQL values"). Defaults: precise, fail.
  PgTypeOptions types;
  // `spool.dir`: where streamed transactions wait for their Stream Commit (one file per
  // transaction, deleted when it is emitted or aborted). Default: "" = the system temp dir.
  std::string spool_dir;
  // `signal.data-collection`: "schema.table" of a signal table (Debezium's shape: id, type,
  // data) whose `execute-snapshot` inserts ask for a re-snapshot while streaming; read whatever
  // `tables` says (added to the publication sluice owns; a publication of the user's must carry
  // it) and delivered only when `tables` captures it. Default: "" = none.
  std::string signal_data_collection;

  // Set by the daemon from the pipeline, not source keys:
  std::string pipeline_name;
  size_t max_batch_events = 1024;
  // Tests only: a pause between a re-snapshot window's snapshot and its watermark, so that
  // transactions the snapshot does not see reach the stream before the chunk (pg_resnapshot.h).
  std::chrono::milliseconds resnapshot_window_pause{0};
  // Windows opened again in a row before a re-snapshot gives up with an error log, the stream
  // going on (pg_resnapshot.h): a transaction the stream delivered that stays invisible to new
  // snapshots this long is no commit/visibility race, and a table without a key changed inside
  // every window cannot be read this way. Not a YAML option; tests lower it.
  uint64_t resnapshot_max_reopens = 1000;

  std::string publication() const {
    return publication_name.empty() ? "sluice_" + slot_name : publication_name;
  }
};

}  // namespace cdc::postgres
