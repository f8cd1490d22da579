#include "cdc/mysql/mysql_source.h"
#include "cdc/mysql/timestamp_start.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "cdc/core/log.h"
#include "cdc/core/regex.h"
#include "cdc/core/text.h"
#include "cdc/mysql/binlog/column_type.h"
#include "cdc/mysql/binlog_file_reader.h"
#include "cdc/mysql/binlog_stream.h"
#include "cdc/mysql/captured_tables.h"
#include "cdc/mysql/gtid_resume.h"
#include "cdc/mysql/gtid_set.h"
#include "cdc/mysql/mysql_metrics.h"
#include "cdc/mysql/protocol/dump_request.h"
#include "cdc/mysql/protocol/mysql_connection.h"
#include "cdc/mysql/schema/catalog_schema.h"
#include "cdc/mysql/schema/ddl_statement.h"
#include "cdc/mysql/schema/schema_history.h"
#include "cdc/mysql/schema/table_map_cache.h"
#include "cdc/mysql/server_list.h"
#include "cdc/mysql/snapshot/mysql_chunk_reader.h"
#include "cdc/snapshot/parallel_snapshot_reader.h"
#include "cdc/snapshot/resnapshot.h"
#include "cdc/snapshot/resnapshot_queue.h"
#include "cdc/snapshot/snapshot_reader.h"
#include "cdc/snapshot/snapshot_signal.h"
#include "cdc/snapshot/stream_filter.h"
#include "cdc/snapshot/table_progress.h"

namespace cdc::mysql {

struct MysqlSource::Impl {
  Impl(MysqlSourceOptions o, std::unique_ptr<SchemaHistoryStore> store,
       std::shared_ptr<ServerSelection> sel, std::shared_ptr<MysqlMetrics> m)
      : options(std::move(o)),
        selection(sel ? std::move(sel) : std::make_shared<ServerSelection>()),
        metrics(std::move(m)),
        history_store(std::move(store)),
        history(history_store.get()) {}

  MysqlSourceOptions options;
  std::shared_ptr<ServerSelection> selection;
  std::shared_ptr<MysqlMetrics> metrics;  // may be null
  ServerAddress server;        // of `hostname` (and `port`): the one open() reads from or tries now
  bool failover_list = false;  // `hostname` lists more than one server
  bool moved = false;          // open() tries another server than the last one read from
  std::unique_ptr<SchemaHistoryStore> history_store;
  SchemaHistory history;
  bool history_loaded = false;
  std::vector<std::regex> include, exclude;
  // scan.incremental.snapshot.chunk.key-column, compiled by prepare().
  std::vector<std::pair<std::regex, std::string>> chunk_key_columns;
  std::unique_ptr<MysqlConnection> dump;    // the replication stream
  std::unique_ptr<MysqlConnection> query;   // catalog look-ups while streaming
  std::unique_ptr<BinlogFileReader> files;  // offline: the events come from here, not `dump`
  Flavor flavor = Flavor::mariadb;
  DecodeContext ctx;               // from the server's settings, until the stream's FDE arrives
  ConnectOptions connect_options;  // of the last open()
  uint64_t bytes_read = 0;         // raw events handed to the stream (live and offline)
  TableMapCache tables;            // kept across re-opens so schema versions keep counting
  std::map<TableId, bool> filter_cache;
  std::map<TableId, bool> json_checked;
  std::optional<BinlogStream> stream;  // from open(); stays for position() after close()
  bool opened = false;
  // The snapshot (startup modes initial and snapshot, ARCHITECTURE.md "Snapshots"): while
  // `snapshot` is set, poll() reads rows through it; then, for initial, the stream starts with
  // `filter` until it passes every segment's position. `finished` holds the position of a
  // snapshot-only run that has read everything.
  // One connection each (scan.snapshot.parallelism); `snapshot` uses them and goes first.
  std::vector<std::unique_ptr<MysqlChunkReader>> chunk_readers;
  std::unique_ptr<snapshot::SnapshotRun> snapshot;
  std::optional<snapshot::StreamFilter> filter;
  std::optional<SnapshotPosition> finished;
  SnapshotProgress snapshot_done;  // the progress of a snapshot read to its end by this instance
  std::vector<TableSnapshotProgress> snapshot_done_tables;  // as snapshot_done, per table
  // Re-snapshots while streaming (request_snapshot, the signal table): requests are queued by
  // any thread; the reader thread takes them, with what is to resume (a re-snapshot a restart
  // cut short, then the newly captured tables of scan.newly-added-table.enabled), once the
  // initial snapshot's filter is done; each chunk is emitted at its window (the stream paused
  // exactly at the window's position). Batch ends record them meanwhile.
  snapshot::ResnapshotQueue resnaps{reader_options(), resnapshot_hooks()};
  std::optional<TableId> signal_table;  // signal.data-collection
  bool signal_delivered = false;        // the user's `tables` capture the signal table too
  // The newly added tables queued by this open, until their rows are read or the stream meets
  // their CREATE (created after the checkpoint: the stream has them whole).
  std::vector<TableId> newly_added;
  // The captured-tables record to store once a checkpoint of this instance commits (its
  // positions carry the new tables' re-snapshot, so an older checkpoint never meets it).
  std::string captured_record;
  std::atomic<bool> captured_record_pending{false};

  MysqlPosition position() const { return stream ? stream->position() : MysqlPosition{}; }

  // The resume position of a batch that ends at stream position `end`: a plain binlog position,
  // or a SnapshotPosition while the initial snapshot's filter merges or a re-snapshot is asked
  // for or runs (its tables and progress, so that a restart goes on with it).
  Position stream_end(const MysqlPosition& end) const {
    std::vector<SnapshotTable> tables;
    std::string after;
    resnaps.pending(tables, after);
    return snapshot::stream_resume_position(
        end, filter ? filter->segments() : std::vector<SnapshotSegment>{}, std::move(tables),
        std::move(after));
  }
  // The initial snapshot's position with the re-snapshots waiting for its end (to resume,
  // requests), so that a restart goes on with them.
  Position snapshot_end(SnapshotPosition p) const {
    std::vector<SnapshotTable> tables;
    std::string after;
    resnaps.pending(tables, after);
    if (!tables.empty()) {
      p.resnapshot_tables = std::move(tables);
      p.resnapshot_after_key = std::move(after);
    }
    return p;
  }

  // What the snapshot engine's readers are told (the initial snapshot adds its chunk key).
  snapshot::SnapshotReaderOptions reader_options() const {
    snapshot::SnapshotReaderOptions so;
    so.pipeline_name = options.pipeline_name;
    so.connector = "mysql";
    so.chunk_size = options.snapshot_chunk_size;
    return so;
  }
  snapshot::ResnapshotHooks resnapshot_hooks() {
    snapshot::ResnapshotHooks h;
    // Patterns compiled here: callers may be on any thread.
    h.captured = [this](const TableId& t) {
      std::vector<std::regex> inc, exc;
      for (auto* list : {&options.table_include, &options.table_exclude}) {
        for (const auto& pattern : *list) {
          auto re = compile_regex(pattern, RegexCase::sensitive);
          if (!re) return false;  // the pattern was checked at open
          (list == &options.table_include ? inc : exc).push_back(std::move(*re));
        }
      }
      return captured_by(inc, exc, t);
    };
    h.schema_of = [this](const TableId& t) { return history.current(t); };
    h.connect_reader = [this]() -> Result<std::unique_ptr<snapshot::ChunkReader>> {
      CDC_TRY_ASSIGN(auto reader, connect_chunk_reader());
      return std::unique_ptr<snapshot::ChunkReader>(std::move(reader));
    };
    return h;
  }
  // A chunk reader on a connection of its own (the server and settings of the last open()).
  Result<std::unique_ptr<MysqlChunkReader>> connect_chunk_reader() const {
    return MysqlChunkReader::connect(
        connect_options, options.pipeline_name, options.geometry_format == GeometryFormat::wkt,
        options.charset_invalid == CharsetInvalid::replace ? InvalidText::replace
                                                           : InvalidText::fail);
  }

  // The stream merge from `stream` on, unless nothing is to be filtered, or the user traded it
  // away (scan.incremental.snapshot.backfill.skip: every change from the earliest read on).
  void start_filter(const std::vector<SnapshotSegment>& segments, const MysqlPosition& stream) {
    filter.emplace(segments, nullptr, chunk_key());
    if (filter->done(stream)) {
      filter.reset();
    } else if (options.snapshot_backfill_skip) {
      log::get("snapshot")
          ->warn(
              "[source={}] scan.incremental.snapshot.backfill.skip: every change from {} is "
              "delivered, also those the later of the snapshot's {} reads already hold (at least "
              "once)",
              options.pipeline_name, to_string(Position(stream)), segments.size());
      filter.reset();
    }
  }

  // The snapshot's chunk key of each table (scan.incremental.snapshot.chunk.key-column); unset
  // when the option names none.
  snapshot::ChunkKeyFn chunk_key() const {
    if (chunk_key_columns.empty()) return nullptr;
    return [columns = chunk_key_columns](const TableSchema& t) -> Result<snapshot::ChunkKey> {
      const std::string name = t.id.db + "." + t.id.table;
      for (const auto& [re, column] : columns) {
        if (!std::regex_match(name, re)) continue;
        const auto idx = t.column_index(column);
        if (!idx) {
          return make_error(Errc::invalid_config, "scan.incremental.snapshot.chunk.key-column: " +
                                                      name + " has no column '" + column + "'");
        }
        // `key > x` never holds for NULL: such rows would be read by no chunk.
        if (t.columns[*idx].nullable) {
          return make_error(Errc::invalid_config,
                            "scan.incremental.snapshot.chunk.key-column: column '" + column +
                                "' of " + name + " is nullable; a chunk key must be NOT NULL");
        }
        snapshot::ChunkKey key{{*idx}, !t.primary_key.empty()};
        for (uint32_t col : t.primary_key) {
          if (col != *idx) key.columns.push_back(col);
        }
        return key;
      }
      return snapshot::ChunkKey{t.primary_key, true};
    };
  }

  bool included(const TableId& id) {
    auto it = filter_cache.find(id);
    if (it != filter_cache.end()) return it->second;
    // The signal table's rows are read whatever the patterns say (handle_signals).
    const bool in = captured_by(include, exclude, id) || (signal_table && id == *signal_table);
    filter_cache[id] = in;
    return in;
  }
  static bool captured_by(const std::vector<std::regex>& include,
                          const std::vector<std::regex>& exclude, const TableId& id) {
    return mysql::captured_by(include, exclude, id);
  }

  Status prepare();
  std::string server_name() const {
    return options.unix_socket.empty() ? server.to_string() : options.unix_socket;
  }
  void close_all();
  Status open_list(const std::vector<ServerAddress>& servers, const Position& resume);
  Status open_on(const Position& resume);
  Status check_gtid_mode();
  std::vector<Error> preflight_server();
  Status check_snapshot_here(const SnapshotPosition& snap);
  Result<MysqlPosition> resume_point(const MysqlPosition& checkpoint);
  ConnectOptions make_connect_options() const;
  std::vector<Error> server_problems();
  Status check_server();
  std::vector<Error> privilege_problems();
  std::vector<Error> unmatched_table_patterns();
  Status seed_schema_history(const MysqlPosition& start);
  Result<MysqlPosition> start_position();
  Status detect_json_columns(const TableMapEvent& map, TableMapCache& cache);
  Status start_dump_by_gtid(const GtidSet& gtids);
  Result<bool> binlog_point_is_here(const MysqlPosition& start);
  Status check_gtids_held(const GtidSet& gtids);
  Status start_stream(const MysqlPosition& start);
  Status open_snapshot(const SnapshotPosition& start);
  Status resume_resnapshot(const Position& resume, const std::vector<TableId>& read_now = {});
  Status check_captured_tables(bool resumed, const std::vector<TableId>& read_now = {});
  void drop_created_tables(const Batch& batch);
  Status end_snapshot(Batch& batch);
  Status filter_stream(Batch& batch, const MysqlPosition& end);
  Status queue_snapshot(const std::vector<TableId>& tables, std::string_view asked_by);
  Result<bool> resnapshot_step(Batch& batch);
  bool at_window() const;
  void handle_signals(Batch& batch);
  Position current() const;
  BinlogStreamConfig stream_config();
  Result<std::optional<std::span<const std::byte>>> next_raw(std::chrono::milliseconds wait);
};

BinlogStreamConfig MysqlSource::Impl::stream_config() {
  BinlogStreamConfig config;
  config.pipeline_name = options.pipeline_name;
  config.max_batch_events = options.max_batch_events;
  config.max_transaction_payload_bytes = options.max_transaction_payload_bytes;
  config.include_query = options.include_query;
  config.included = [this](const TableId& id) { return included(id); };
  // Offline there is no catalog: the TableMapCache's completer names JSON columns instead.
  if (!files) {
    config.on_table_map = [this](const TableMapEvent& map, TableMapCache& cache) {
      return detect_json_columns(map, cache);
    };
    config.history = &history;
    config.unparseable_ddl = options.unparseable_ddl;
    config.read_catalog =
        [this](const std::vector<TableId>& tables) -> Result<std::vector<TableSchema>> {
      if (!query) return make_error(Errc::internal, "no catalog connection");
      return read_catalog_schemas(
          *query, flavor, [this](const TableId& id) { return included(id); }, &tables);
    };
  }
  // Offline (sluice binlog) a statement-based change is shown as a warning and the file is
  // decoded to its end: there is no pipeline whose output it would leave incomplete.
  config.statement_events = files ? StatementEvents::warn : options.statement_events;
  config.warn = [this](const std::string& message) {
    log::get("mysql")->warn("[source={}] {}", options.pipeline_name, message);
  };
  return config;
}

// The next raw event: from the dump connection, or offline from the files. Offline, the stream
// starts at each file's first event (its FORMAT_DESCRIPTION sets the decode context), and again
// whenever a file follows that the previous one's ROTATE did not name.
Result<std::optional<std::span<const std::byte>>> MysqlSource::Impl::next_raw(
    std::chrono::milliseconds wait) {
  if (!files) {
    auto next = dump->read_event(wait);
    if (!next) return std::move(next).error().with_context("binlog stream at " + stream->file());
    if (*next) bytes_read += (*next)->size();
    return next;
  }
  CDC_TRY_ASSIGN(auto ev, files->next());  // its errors name the path and offset already
  if (!ev) return std::optional<std::span<const std::byte>>();
  if (!stream || stream->file() != ev->file) {
    GtidSet gtids;
    if (stream) {
      CDC_TRY_ASSIGN(gtids, GtidSet::parse(stream->position().gtid_set));
    }
    MysqlPosition start;
    start.binlog = position_in(std::string(ev->file), ev->offset);
    stream.emplace(stream_config(), tables, ctx, start, std::move(gtids));
    stream->start_batch();
  }
  bytes_read += ev->bytes.size();
  return std::optional<std::span<const std::byte>>(ev->bytes);
}

MysqlSource::MysqlSource(MysqlSourceOptions options,
                         std::unique_ptr<SchemaHistoryStore> history_store,
                         std::shared_ptr<ServerSelection> selection,
                         std::shared_ptr<MysqlMetrics> metrics)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(history_store),
                                   std::move(selection), std::move(metrics))) {
  impl_->tables.set_geometry_wkt(impl_->options.geometry_format == GeometryFormat::wkt);
  impl_->tables.set_invalid_text(impl_->options.charset_invalid == CharsetInvalid::replace
                                     ? InvalidText::replace
                                     : InvalidText::fail);
}
MysqlSource::MysqlSource(MysqlSourceOptions options, std::unique_ptr<BinlogFileReader> files,
                         TableMapCache::Completer complete)
    : MysqlSource(std::move(options)) {
  impl_->files = std::move(files);
  impl_->tables.set_completer(std::move(complete));
}
MysqlSource::~MysqlSource() = default;

MysqlPosition MysqlSource::position() const { return impl_->position(); }
const SchemaHistory& MysqlSource::schema_history() const { return impl_->history; }

std::vector<TableSchemaPtr> MysqlSource::known_schemas() const {
  std::vector<TableSchemaPtr> out;
  for (const TableId& table : impl_->history.tables()) {
    if (TableSchemaPtr schema = impl_->history.current(table)) out.push_back(std::move(schema));
  }
  return out;
}
Position MysqlSource::current_position() const { return impl_->current(); }

Position MysqlSource::Impl::current() const {
  if (snapshot) return snapshot_end(snapshot->position());
  if (finished) return *finished;
  return stream_end(position());
}

void MysqlSource::close() { impl_->close_all(); }

void MysqlSource::Impl::close_all() {
  dump.reset();
  query.reset();
  snapshot.reset();
  chunk_readers.clear();
  if (resnaps.running()) {
    log::get("snapshot")
        ->info(
            "[source={}] a re-snapshot was cut short: the next open resumes it after the last row "
            "the checkpoint holds",
            options.pipeline_name);
  }
  resnaps.end();
  opened = false;
}

// Every server setting that stops the stream, each with the change to make; sets flavor and
// ctx from what the server has. One query: a failure of it is the only problem then.
std::vector<Error> MysqlSource::Impl::server_problems() {
  auto rows = query->query(
      "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', "
      "'binlog_format', 'binlog_row_image', 'binlog_row_metadata', 'binlog_checksum')");
  if (!rows) return {std::move(rows).error()};
  std::map<std::string, std::string> vars;
  for (const auto& r : *rows) {
    if (r.size() >= 2 && r[0] && r[1]) {
      std::string v = *r[1];
      for (auto& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      vars[*r[0]] = v;
    }
  }
  const std::string server = server_name();
  std::vector<Error> problems;
  auto require = [&](const std::string& var, const std::string& want) {
    const auto it = vars.find(var);
    if (it != vars.end() && it->second == want) return;
    const std::string found = it == vars.end() ? "(not supported by this server)" : it->second;
    problems.push_back(make_error(Errc::invalid_config, "server " + server + " has " + var + "=" +
                                                            found + ": set " + var + "=" + want +
                                                            " (SET GLOBAL " + var + "=" + want +
                                                            " and in my.cnf)"));
  };
  if (vars["log_bin"] != "ON") {
    problems.push_back(
        make_error(Errc::invalid_config, "server " + server +
                                             " has the binary log disabled: set log_bin (my.cnf) "
                                             "and restart the server"));
  }
  require("binlog_format", "ROW");
  // MINIMAL and NOBLOB images leave columns out: each sink writes what it can of them (README
  // "Partial row images"); a session may choose either whatever the global value is.
  const std::string image = vars["binlog_row_image"];
  if (image == "MINIMAL" || image == "NOBLOB") {
    log::get("mysql")->warn(
        "[source={}] server {} has binlog_row_image={}: row images leave columns out; sinks "
        "that write whole rows (upsert, Redis string mode, Doris) stop at such a change unless "
        "row-image.partial: skip; binlog_row_image=FULL is recommended",
        options.pipeline_name, server, image);
  } else {
    require("binlog_row_image", "FULL");
  }
  // MINIMAL (MySQL 8's default) and NO_LOG (MariaDB before 10.5, which also lacks the variable)
  // leave column names, ENUM/SET labels and the primary key out of TABLE_MAP: the schema
  // history (information_schema + DDL) supplies them, checked column by column against the
  // TABLE_MAP's types (complete_table_map). FULL lets sluice check the names as well.
  const auto metadata = vars.find("binlog_row_metadata");
  if (metadata == vars.end() || metadata->second != "FULL") {
    const std::string found =
        metadata == vars.end() ? "(absent: no column metadata)" : metadata->second;
    if (metadata != vars.end() && found != "MINIMAL" && found != "NO_LOG") {
      require("binlog_row_metadata", "FULL");
    } else {
      log::get("mysql")->warn(
          "[source={}] server {} has binlog_row_metadata={}: column names, ENUM/SET labels and "
          "primary keys are taken from the schema history and checked against each TABLE_MAP's "
          "column types only; binlog_row_metadata=FULL is recommended (sluice then checks the "
          "names too)",
          options.pipeline_name, server, found);
    }
  }
  const std::string alg = vars["binlog_checksum"];
  if (alg != "CRC32" && alg != "NONE") {
    problems.push_back(make_error(Errc::unsupported, "binlog_checksum=" + alg));
  }
  flavor = query->server_version().find("MariaDB") != std::string::npos ? Flavor::mariadb
                                                                        : Flavor::mysql;
  ctx = DecodeContext::v4_defaults(alg == "CRC32" ? ChecksumAlg::crc32 : ChecksumAlg::off, flavor);
  return problems;
}

Status MysqlSource::Impl::check_server() {
  auto problems = server_problems();
  if (!problems.empty()) return std::move(problems.front());
  return {};
}

// REPLICATION SLAVE, which the dump needs, as SHOW GRANTS lists it for the current user and
// its active roles (MariaDB 10.5+ also spells it REPLICATION REPLICA). The preflight asks
// here because it must not start a dump: a running replica with the same server-id would be
// disconnected. The other statements the start runs check their own privileges.
std::vector<Error> MysqlSource::Impl::privilege_problems() {
  auto rows = query->query("SHOW GRANTS");
  if (!rows) return {std::move(rows).error().with_context("SHOW GRANTS")};
  for (const auto& r : *rows) {
    if (r.empty() || !r[0]) continue;
    const std::string grant = upper_ascii(*r[0]);
    if (grant.find(" ON *.* ") == std::string::npos) continue;
    if (grant.find("ALL PRIVILEGES") != std::string::npos ||
        grant.find("REPLICATION SLAVE") != std::string::npos ||
        grant.find("REPLICATION REPLICA") != std::string::npos) {
      return {};
    }
  }
  return {make_error(Errc::auth, "user '" + options.user + "' on server " + server_name() +
                                     " lacks REPLICATION SLAVE, which reading the binlog needs "
                                     "(GRANT REPLICATION SLAVE ON *.* TO ...)")};
}

// The `tables` patterns that match none of the tables read from the catalog.
std::vector<Error> MysqlSource::Impl::unmatched_table_patterns() {
  std::vector<Error> problems;
  const std::vector<TableId> known = history.tables();
  for (size_t i = 0; i < include.size(); ++i) {
    const bool matched = std::any_of(known.begin(), known.end(), [&](const TableId& id) {
      return std::regex_match(id.db + "." + id.table, include[i]);
    });
    if (!matched) {
      problems.push_back(
          make_error(Errc::invalid_config, "tables pattern '" + options.table_include[i] +
                                               "' matches no table on server " + server_name()));
    }
  }
  return problems;
}

Result<MysqlPosition> MysqlSource::Impl::start_position() {
  MysqlPosition p;
  switch (options.startup_mode) {
    case StartupMode::initial:
    case StartupMode::snapshot:
      return make_error(Errc::internal, "a snapshot mode has no stream start of its own");
    case StartupMode::latest_offset: {
      CDC_TRY_ASSIGN(auto rows, query->query("SHOW MASTER STATUS"));
      if (rows.empty() || rows[0].size() < 2 || !rows[0][0] || !rows[0][1]) {
        return make_error(Errc::invalid_config,
                          "SHOW MASTER STATUS returned nothing: is log_bin on?");
      }
      p.binlog.file = *rows[0][0];
      p.binlog.offset = std::stoull(*rows[0][1]);
      CDC_TRY_ASSIGN(auto g, query->query(flavor == Flavor::mariadb ? "SELECT @@gtid_binlog_pos"
                                                                    : "SELECT @@gtid_executed"));
      if (!g.empty() && !g[0].empty() && g[0][0]) p.gtid_set = *g[0][0];
      break;
    }
    case StartupMode::earliest_offset: {
      CDC_TRY_ASSIGN(auto rows, query->query("SHOW BINARY LOGS"));
      if (rows.empty() || rows[0].empty() || !rows[0][0]) {
        return make_error(Errc::invalid_config, "SHOW BINARY LOGS returned nothing");
      }
      p.binlog.file = *rows[0][0];
      p.binlog.offset = 4;
      break;
    }
    case StartupMode::timestamp: {
      CDC_TRY_ASSIGN(p.binlog,
                     find_binlog_position_at(connect_options, *query, ctx, options.server_id.first,
                                             options.startup_timestamp_ms.value_or(0)));
      break;
    }
    case StartupMode::specific_offset:
      if (!options.specific_gtid_set.empty()) {
        p.gtid_set = options.specific_gtid_set;  // no file: open() starts by GTID
        break;
      }
      p.binlog = options.specific_offset();
      if (p.binlog.file.empty()) {
        return make_error(Errc::invalid_config,
                          "specific-offset startup needs a binlog file or a GTID set");
      }
      if (p.binlog.offset < 4) p.binlog.offset = 4;
      break;
  }
  return p;
}

// A start (or a checkpoint taken before the first transaction after such a start) without a
// binlog file: the server finds the first transaction not in `gtids`. The fake ROTATE that
// opens the stream names the file; the first transaction's GTID event gives the offset, so
// every later checkpoint has a file and position again.
Status MysqlSource::Impl::start_dump_by_gtid(const GtidSet& gtids) {
  if (gtids.empty()) {
    return make_error(Errc::invalid_config, "a start position needs a binlog file or a GTID set");
  }
  const std::string wanted = gtids.to_string();
  if (flavor == Flavor::mariadb) {
    if (gtids.has_mysql()) {
      return make_error(Errc::invalid_config, "GTID set '" + wanted +
                                                  "' has MySQL uuid GTIDs; MariaDB GTIDs look "
                                                  "like domain-server-sequence (0-1-100)");
    }
    // Strict: a GTID the server's binlogs do not have is an error (1236), never a silent
    // start somewhere else.
    CDC_TRY(dump->execute("SET @slave_connect_state = '" + dump->escape(wanted) + "'"));
    CDC_TRY(dump->execute("SET @slave_gtid_strict_mode = 1"));
    CDC_TRY(dump->execute("SET @slave_gtid_ignore_duplicates = 0"));
    return dump->start_binlog_dump(options.server_id.first, BinlogPosition{"", 4},
                                   binlog_dump_flags(flavor, options.include_query));
  }
  if (gtids.has_mariadb()) {
    return make_error(Errc::invalid_config, "GTID set '" + wanted +
                                                "' has MariaDB GTIDs; MySQL GTIDs look like "
                                                "uuid:1-100");
  }
  CDC_TRY_ASSIGN(const std::string sids, gtids.encode_mysql());
  return dump->start_binlog_dump_gtid(options.server_id.first, sids);
}

// What open() and preflight() check before connecting: the options and the table patterns.
Status MysqlSource::Impl::prepare() {
  const auto& o = options;
  if (o.server_id.first == 0 && !files) {
    return make_error(Errc::invalid_config, "server_id must be set (a unique non-zero replica id)");
  }
  if (o.max_batch_events == 0) return make_error(Errc::invalid_config, "max_batch_events is 0");
  include.clear();
  exclude.clear();
  for (auto* list : {&o.table_include, &o.table_exclude}) {
    for (const auto& pattern : *list) {
      auto re = compile_regex(pattern, RegexCase::sensitive);
      if (!re)
        return make_error(Errc::invalid_config,
                          "bad table regex '" + pattern + "': " + re.error().message);
      (list == &o.table_include ? include : exclude).push_back(std::move(*re));
    }
  }
  chunk_key_columns.clear();
  for (const auto& ck : o.snapshot_chunk_key_columns) {
    auto re = compile_regex(ck.table_pattern, RegexCase::sensitive);
    if (!re) {
      return make_error(Errc::invalid_config,
                        "scan.incremental.snapshot.chunk.key-column: bad table regex '" +
                            ck.table_pattern + "': " + re.error().message);
    }
    chunk_key_columns.emplace_back(std::move(*re), ck.column);
  }
  filter_cache.clear();
  signal_table.reset();
  if (const std::string& sig = o.signal_data_collection; !sig.empty()) {
    CDC_TRY_ASSIGN(signal_table, snapshot::parse_signal_table(sig, "db.table"));
    signal_delivered = captured_by(include, exclude, *signal_table);
  }
  return {};
}

ConnectOptions MysqlSource::Impl::make_connect_options() const {
  const auto& o = options;
  return ConnectOptions{server.host, server.port, o.user, o.password, o.unix_socket,
                        o.connect_timeout,
                        std::max(std::chrono::milliseconds(10000), o.heartbeat_period * 2), o.tls,
                        // The heartbeats keep an idle stream talking; without them silence is
                        // no sign of a dead path.
                        o.heartbeat_period.count() > 0
                            ? std::max(std::chrono::milliseconds(10000), o.heartbeat_period * 2)
                            : std::chrono::milliseconds(0)};
}

std::vector<Error> MysqlSource::preflight() {
  auto& s = *impl_;
  close();
  if (s.files) return {make_error(Errc::internal, "preflight() of offline binlog decoding")};
  if (auto st = s.prepare(); !st) return {std::move(st).error()};
  auto servers = s.options.servers();
  if (!servers) return {std::move(servers).error().with_context("hostname")};
  s.failover_list = servers->size() > 1;
  // Each server of a failover list is checked: a replica that could not take over is found now,
  // not at the failover.
  std::vector<Error> problems;
  for (const ServerAddress& server : *servers) {
    s.server = server;
    for (Error& e : s.preflight_server()) {
      problems.push_back(s.failover_list ? std::move(e).with_context("server " + server.to_string())
                                         : std::move(e));
    }
  }
  return problems;
}

std::vector<Error> MysqlSource::Impl::preflight_server() {
  auto& s = *this;
  s.connect_options = s.make_connect_options();
  auto conn = MysqlConnection::connect(s.connect_options);
  if (!conn) return {std::move(conn).error()};  // nothing more can be asked
  s.query = std::move(*conn);
  std::vector<Error> problems = s.server_problems();
  if (auto st = s.check_gtid_mode(); !st) problems.push_back(std::move(st).error());
  for (Error& e : s.privilege_problems()) problems.push_back(std::move(e));
  auto start = s.start_position();
  if (!start) problems.push_back(std::move(start).error().with_context("the start position"));
  // The tables are read even without a start: they are checked whatever it is.
  if (auto st = s.seed_schema_history(start ? *start : MysqlPosition{}); !st) {
    problems.push_back(std::move(st).error().with_context("reading the captured tables"));
  } else {
    for (Error& e : s.unmatched_table_patterns()) problems.push_back(std::move(e));
  }
  s.query.reset();
  return problems;
}

Status MysqlSource::open(const Position& resume) {
  auto& s = *impl_;
  close();
  CDC_TRY(s.prepare());
  if (s.files) {
    if (!std::holds_alternative<std::monostate>(resume)) {
      return make_error(Errc::invalid_config,
                        "offline binlog decoding cannot resume from " + to_string(resume));
    }
    s.stream.reset();  // next_raw() starts it at the first event
    s.ctx = DecodeContext::v4_defaults(ChecksumAlg::off, Flavor::mysql);  // until the FDE
    s.opened = true;
    return {};
  }
  // What no server can change is refused before any is tried.
  const auto* snap = std::get_if<SnapshotPosition>(&resume);
  if (snap != nullptr && of_postgres(*snap)) {
    return make_error(Errc::invalid_config, "the checkpoint holds a snapshot of another source (" +
                                                to_string(resume) + "), not of a binlog");
  }
  if (snap == nullptr && !std::holds_alternative<MysqlPosition>(resume) &&
      !std::holds_alternative<std::monostate>(resume)) {
    return make_error(Errc::invalid_config,
                      "the MySQL source cannot resume from " + to_string(resume));
  }
  CDC_TRY_ASSIGN(const std::vector<ServerAddress> servers, s.options.servers());
  s.failover_list = servers.size() > 1;
  if (!s.failover_list) {
    s.server = servers.front();
    s.moved = false;
    CDC_TRY(s.open_on(resume));
    if (s.metrics) s.metrics->set_connected(0);
    return {};
  }
  return s.open_list(servers, resume);
}

std::string MysqlSource::server() const { return impl_->opened ? impl_->server_name() : ""; }

namespace {

// The GTID set a resume continues after, for the failover's log line.
std::string resume_gtids(const Position& resume) {
  if (const auto* p = std::get_if<MysqlPosition>(&resume)) return p->gtid_set;
  if (const auto* sp = std::get_if<SnapshotPosition>(&resume)) {
    if (const auto* p = std::get_if<MysqlPosition>(&sp->stream); p != nullptr && !sp->reading) {
      return p->gtid_set;
    }
    if (!sp->segments.empty()) {
      if (const auto* p = std::get_if<MysqlPosition>(&sp->segments.front().at)) return p->gtid_set;
    }
  }
  return {};
}

}  // namespace

// The servers of a `hostname` list in turn, from the one read from last (a new pipeline: the
// first). One that does not answer or does not qualify is logged and the next is tried; the
// pipeline's restart policy (backoff) applies only when none qualified.
Status MysqlSource::Impl::open_list(const std::vector<ServerAddress>& servers,
                                    const Position& resume) {
  const size_t first = selection->connected.value_or(0) % servers.size();
  std::string problems;
  bool unanswered = false;
  std::optional<Errc> refused;
  std::string first_problem;
  for (size_t n = 0; n < servers.size(); ++n) {
    const size_t idx = (first + n) % servers.size();
    server = servers[idx];
    moved = n > 0;
    Status st = open_on(resume);
    if (st) {
      if (moved) {
        const std::string gtids = resume_gtids(resume);
        log::get("mysql")->warn(
            "[source={}] failover: server {} is gone ({}); reading from server {} now, resuming "
            "{}",
            options.pipeline_name, servers[first].to_string(), first_problem, server.to_string(),
            gtids.empty() ? "at the start position (no checkpoint yet)"
                          : "after GTID set " + gtids);
      }
      selection->connected = idx;
      if (metrics) {
        if (moved) metrics->failovers.Increment();
        metrics->set_connected(idx);
      }
      return {};
    }
    Error e = std::move(st).error();
    if (e.retryable()) {
      unanswered = true;
    } else if (!refused) {
      refused = e.code;
    }
    if (n == 0) first_problem = e.message;
    const std::string next = servers[(idx + 1) % servers.size()].to_string();
    log::get("mysql")->warn("[source={}] server {} of the hostname list: {}{}",
                            options.pipeline_name, server.to_string(), e.message,
                            n + 1 < servers.size() ? "; trying server " + next : "");
    if (!problems.empty()) problems += " | ";
    problems += server.to_string() + ": " + e.message;
    close_all();
  }
  moved = false;
  if (unanswered) {
    // A server that did not answer may come back (the old primary restarting) and hold what
    // the others lack: the runner tries the list again after its backoff.
    return make_error(Errc::unavailable, "no server of hostname '" + options.host +
                                             "' can be read from now: " + problems);
  }
  return make_error(*refused,
                    "no server of hostname '" + options.host +
                        "' can be read from (each answered and was refused): " + problems);
}

// open() on `server`.
Status MysqlSource::Impl::open_on(const Position& resume) {
  auto& s = *this;
  const auto& o = s.options;
  const ConnectOptions co = s.make_connect_options();
  s.connect_options = co;
  CDC_TRY_ASSIGN(s.query, MysqlConnection::connect(co));
  CDC_TRY(s.check_server());
  CDC_TRY(s.check_gtid_mode());

  s.snapshot.reset();
  s.filter.reset();
  s.finished.reset();
  s.snapshot_done = {};
  s.snapshot_done_tables.clear();
  s.resnaps.clear();
  s.chunk_readers.clear();
  s.newly_added.clear();
  const bool snapshot_mode =
      o.startup_mode == StartupMode::initial || o.startup_mode == StartupMode::snapshot;
  const auto* snap = std::get_if<SnapshotPosition>(&resume);
  if (snap != nullptr && s.failover_list) CDC_TRY(s.check_snapshot_here(*snap));
  if (snap != nullptr && snap->reading) {
    CDC_TRY(s.open_snapshot(*snap));
    // The restarted snapshot reads the tables after the one it was in; a newly captured table
    // sorting before it (or, read in parallel, any not split when it began) is read by a
    // re-snapshot once it ends.
    std::vector<TableId> read_now;
    for (const auto& t : s.snapshot->table_progress()) read_now.push_back(t.table);
    return s.resume_resnapshot(resume, read_now);
  }
  if (snapshot_mode && std::holds_alternative<std::monostate>(resume)) {
    CDC_TRY(s.check_captured_tables(false));
    return s.open_snapshot(SnapshotPosition{});
  }
  if (snap != nullptr) {
    // The snapshot is read: a snapshot-only pipeline is done, an initial one streams on.
    if (o.startup_mode == StartupMode::snapshot) {
      s.finished = *snap;
      s.opened = true;
      return {};
    }
    const auto& at = std::get<MysqlPosition>(snap->stream);
    CDC_TRY_ASSIGN(const MysqlPosition start, s.resume_point(at));
    CDC_TRY(s.seed_schema_history(at));
    CDC_TRY(s.resume_resnapshot(resume));
    CDC_TRY(s.start_stream(start));
    s.start_filter(snap->segments, at);
    return {};
  }
  MysqlPosition checkpoint;
  if (const auto* p = std::get_if<MysqlPosition>(&resume)) {
    checkpoint = *p;
    if (moved && !checkpoint.binlog.file.empty() && checkpoint.gtid_set.empty()) {
      return make_error(Errc::invalid_config,
                        "the checkpoint " + to_string(resume) +
                            " holds no GTID set, only a file and offset of the server that "
                            "wrote it: it cannot be resumed on server " +
                            server_name());
    }
  } else {
    CDC_TRY_ASSIGN(checkpoint, s.start_position());
  }
  // The server qualifies before its catalog goes into the schema history.
  CDC_TRY_ASSIGN(const MysqlPosition start, s.resume_point(checkpoint));
  CDC_TRY(s.seed_schema_history(checkpoint));
  CDC_TRY(s.resume_resnapshot(resume));
  return s.start_stream(start);
}

// A `hostname` list resumes on another server by GTID: a MySQL server must have GTIDs on.
// MariaDB's are always on.
Status MysqlSource::Impl::check_gtid_mode() {
  if (!failover_list || flavor != Flavor::mysql) return {};
  CDC_TRY_ASSIGN(auto rows, query->query("SELECT @@GLOBAL.gtid_mode"));
  const std::string mode =
      rows.empty() || rows[0].empty() || !rows[0][0] ? "(unknown)" : upper_ascii(*rows[0][0]);
  if (mode == "ON") return {};
  return make_error(Errc::invalid_config,
                    "server " + server_name() + " has gtid_mode=" + mode +
                        ": a hostname list (failover) resumes on the next server by GTID; set "
                        "gtid_mode=ON and enforce_gtid_consistency=ON on every server, or list "
                        "one server");
}

// The positions of a snapshot's consistent reads, and of its merge with the stream, are binlog
// offsets of the server that read it, which the stream merge compares with the stream's own
// (cdc/snapshot/stream_filter): on another server they would drop or repeat changes. Such a
// checkpoint is only resumed where its reads were taken.
Status MysqlSource::Impl::check_snapshot_here(const SnapshotPosition& snap) {
  std::vector<const MysqlPosition*> points;
  for (size_t i = 0; i < snap.segments.size(); ++i) {
    const SnapshotSegment& seg = snap.segments[i];
    // The last segment of a one-connection read that has read nothing yet is replaced by the
    // next run's (SnapshotReader::set_tables): it may move.
    const bool read_nothing = snap.reading && snap.splits.empty() &&
                              i + 1 == snap.segments.size() && seg.db == snap.db &&
                              seg.table == snap.table && seg.from_key == snap.after_key;
    if (const auto* p = std::get_if<MysqlPosition>(&seg.at); p != nullptr && !read_nothing) {
      points.push_back(p);
    }
  }
  if (const auto* p = std::get_if<MysqlPosition>(&snap.stream); p != nullptr && !snap.reading) {
    points.push_back(p);
  }
  for (const MysqlPosition* p : points) {
    if (p->binlog.file.empty()) continue;
    CDC_TRY_ASSIGN(const bool here, binlog_point_is_here(*p));
    if (!here) {
      return make_error(
          Errc::invalid_config,
          "the checkpoint is inside the initial snapshot or its merge with the stream, whose "
          "read at " +
              to_string(Position(*p)) + " is not a binlog point of server " + server_name() +
              " (another server read it): a snapshot cannot move to another server; it goes "
              "on when the server that read it answers, or start the pipeline anew (a new "
              "state.dir and sink) to read it here (README \"Failover to another server\")");
    }
  }
  return {};
}

// Whether the checkpoint's file and offset are this server's point for its GTID set. They are
// not after a failover: the promoted replica writes binlogs of its own (often of the same name,
// at other offsets), and reading them at the old offset would skip or repeat transactions.
Result<bool> MysqlSource::Impl::binlog_point_is_here(const MysqlPosition& start) {
  if (flavor == Flavor::mariadb) {
    // BINLOG_GTID_POS: the GTID state at a binlog point of this server, NULL for one it lacks.
    CDC_TRY_ASSIGN(auto rows,
                   query->query("SELECT BINLOG_GTID_POS('" + query->escape(start.binlog.file) +
                                "', " + std::to_string(start.binlog.offset) + ")"));
    if (rows.empty() || rows[0].empty() || !rows[0][0]) return false;
    CDC_TRY_ASSIGN(const GtidSet here, GtidSet::parse(*rows[0][0]));
    CDC_TRY_ASSIGN(const GtidSet wanted, GtidSet::parse(start.gtid_set));
    // The checkpoint's set may lack domains (a stream started mid-file learns a domain at its
    // first transaction): each domain it has must be at the same GTID here.
    for (const auto& [domain, gtid] : wanted.mariadb_domains()) {
      const auto it = here.mariadb_domains().find(domain);
      if (it == here.mariadb_domains().end() || !(it->second == gtid)) return false;
    }
    return true;
  }
  // MySQL has no such function: a file this server does not list, or one shorter than the
  // offset, is another server's.
  CDC_TRY_ASSIGN(auto logs, query->query("SHOW BINARY LOGS"));
  for (const auto& row : logs) {
    if (row.size() >= 2 && row[0] && row[1] && *row[0] == start.binlog.file) {
      return std::stoull(*row[1]) >= start.binlog.offset;
    }
  }
  return false;
}

// A resume by GTID on a server that lacks transactions after the checkpoint would silently
// leave them out: refuse it, naming them.
Status MysqlSource::Impl::check_gtids_held(const GtidSet& gtids) {
  auto first_value = [this](const std::string& sql) -> Result<std::string> {
    CDC_TRY_ASSIGN(auto rows, query->query(sql));
    if (rows.empty() || rows[0].empty() || !rows[0][0]) return std::string();
    return *rows[0][0];
  };
  std::string missing;
  std::string server_state;
  if (flavor == Flavor::mariadb) {
    CDC_TRY_ASSIGN(auto logs, query->query("SHOW BINARY LOGS"));
    std::string first_text;
    if (!logs.empty() && !logs[0].empty() && logs[0][0]) {
      CDC_TRY_ASSIGN(first_text, first_value("SELECT BINLOG_GTID_POS('" +
                                             query->escape(*logs[0][0]) + "', 4)"));
    }
    CDC_TRY_ASSIGN(server_state, first_value("SELECT @@gtid_binlog_pos"));
    CDC_TRY_ASSIGN(const GtidSet first, GtidSet::parse(first_text));
    CDC_TRY_ASSIGN(const GtidSet last, GtidSet::parse(server_state));
    missing = mariadb_missing_gtids(gtids, first, last);
  } else {
    CDC_TRY_ASSIGN(server_state, first_value("SELECT @@gtid_executed"));
    CDC_TRY_ASSIGN(const std::string purged_text, first_value("SELECT @@gtid_purged"));
    CDC_TRY_ASSIGN(const GtidSet executed, GtidSet::parse(server_state));
    CDC_TRY_ASSIGN(const GtidSet purged, GtidSet::parse(purged_text));
    missing = mysql_missing_gtids(gtids, executed, purged);
  }
  if (missing.empty()) return {};
  return make_error(Errc::invalid_config,
                    "server " + server_name() +
                        " does not hold the transactions after the checkpoint's GTID set " +
                        gtids.to_string() + " (the server has " +
                        (server_state.empty() ? std::string("none") : server_state) +
                        "): " + missing +
                        "; point the source at a server that replicated them (README "
                        "\"Failover to another server\")");
}

// Where the dump starts on this server for `checkpoint`: its file and offset when they are this
// server's point for its GTID set, else the GTID set alone (the server finds the transaction
// after it), once the server is known to hold every transaction after it.
Result<MysqlPosition> MysqlSource::Impl::resume_point(const MysqlPosition& checkpoint) {
  MysqlPosition start = checkpoint;
  CDC_TRY_ASSIGN(const GtidSet gtids, GtidSet::parse(start.gtid_set));
  if (!start.binlog.file.empty() && !gtids.empty()) {
    CDC_TRY_ASSIGN(const bool here, binlog_point_is_here(start));
    if (!here) {
      log::get("mysql")->warn(
          "[source={}] {} is not a binlog point of server {} for GTID set {} (another "
          "server's checkpoint, a failover): resuming by GTID",
          options.pipeline_name, to_string(Position(checkpoint)), server_name(), start.gtid_set);
      start.binlog = {};  // the stream learns this server's file and offset as it reads
    }
  }
  if (start.binlog.file.empty()) CDC_TRY(check_gtids_held(gtids));
  return start;
}

// Starts the dump at `start`, a resume_point of this server.
Status MysqlSource::Impl::start_stream(const MysqlPosition& start) {
  const auto& o = options;
  auto& s = *this;
  CDC_TRY_ASSIGN(auto gtids, GtidSet::parse(start.gtid_set));
  CDC_TRY_ASSIGN(s.dump, MysqlConnection::connect(connect_options));
  CDC_TRY(s.dump->execute("SET @master_binlog_checksum = @@global.binlog_checksum"));
  if (s.flavor == Flavor::mariadb) CDC_TRY(s.dump->execute("SET @mariadb_slave_capability = 4"));
  const uint64_t hb_ns = static_cast<uint64_t>(o.heartbeat_period.count()) * 1000000ULL;
  CDC_TRY(s.dump->execute("SET @master_heartbeat_period = " + std::to_string(hb_ns)));
  if (!start.binlog.file.empty()) {
    CDC_TRY(s.dump->start_binlog_dump(o.server_id.first, start.binlog,
                                      binlog_dump_flags(s.flavor, o.include_query)));
  } else {
    CDC_TRY(s.start_dump_by_gtid(gtids));
  }

  s.stream.emplace(s.stream_config(), s.tables, s.ctx, start, std::move(gtids));
  s.opened = true;
  const std::string cipher = s.dump->tls_cipher();
  log::get("mysql")->info("[source={}] streaming from {} on server {} ({})", o.pipeline_name,
                          to_string(Position(start)), s.server_name(),
                          cipher.empty() ? "plain text" : "TLS " + cipher);
  if (o.server_id_derived) {
    log::get("mysql")->warn(
        "[source={}] server-id is not set: registered as replica {}, derived from the pipeline "
        "name; a replica of this server with the same id would disconnect sluice, so set "
        "server-id where other replicas run",
        o.pipeline_name, o.server_id.first);
  }
  return {};
}

// The consistent read comes first: the schema history is seeded at the stream position the
// snapshot's rows are consistent with (the earliest segment's), then the captured tables it
// knows are the ones read.
Status MysqlSource::Impl::open_snapshot(const SnapshotPosition& start) {
  // A checkpoint of a parallel snapshot goes on in parallel whatever the option says now: its
  // splits were planned for it (one connection reads them one after the other).
  const bool parallel = options.snapshot_parallelism > 1 || !start.splits.empty();
  const uint32_t connections = parallel ? std::max<uint32_t>(options.snapshot_parallelism, 1) : 1;
  for (uint32_t i = 0; i < connections; ++i) {
    CDC_TRY_ASSIGN(auto reader, connect_chunk_reader());
    chunk_readers.push_back(std::move(reader));
  }
  stream.reset();
  snapshot::SnapshotReaderOptions so = reader_options();
  so.chunk_key = chunk_key();
  if (parallel) {
    std::vector<snapshot::ChunkReader*> readers;
    for (auto& r : chunk_readers) readers.push_back(r.get());
    snapshot = std::make_unique<snapshot::ParallelSnapshotReader>(std::move(readers), start, so,
                                                                  options.max_batch_events);
  } else {
    snapshot = std::make_unique<snapshot::SnapshotReader>(*chunk_readers.front(), start, so);
  }
  CDC_TRY_ASSIGN(const StreamPoint read_at, snapshot->begin());
  CDC_TRY(seed_schema_history(
      std::get<MysqlPosition>(start.segments.empty() ? read_at : start.segments.front().at)));
  std::vector<TableSchemaPtr> captured;
  for (const TableId& table : history.tables()) {
    if (!included(table)) continue;
    if (TableSchemaPtr schema = history.current(table)) captured.push_back(std::move(schema));
  }
  CDC_TRY(snapshot->set_tables(std::move(captured)));
  opened = true;
  return {};
}

// Every table is read: a snapshot-only source ends, an initial one starts the stream at the
// earliest segment with the filter that holds back what the later segments' rows hold.
Status MysqlSource::Impl::end_snapshot(Batch& batch) {
  const SnapshotPosition done = snapshot->position();
  snapshot_done = snapshot->progress();
  snapshot_done.reading = false;
  snapshot_done_tables = snapshot->table_progress();
  snapshot.reset();
  chunk_readers.clear();
  if (options.startup_mode == StartupMode::snapshot) {
    finished = done;
    batch.end_of_stream = true;
    return {};
  }
  CDC_TRY_ASSIGN(const MysqlPosition start, resume_point(std::get<MysqlPosition>(done.stream)));
  CDC_TRY(start_stream(start));
  start_filter(done.segments, std::get<MysqlPosition>(done.stream));
  return {};
}

// Drops the changes the snapshot's rows already hold; the batch's end stays a snapshot
// position until the stream passes every segment (a restart must filter the same way).
Status MysqlSource::Impl::filter_stream(Batch& batch, const MysqlPosition& end) {
  if (!filter) {
    batch.end = stream_end(end);
    return {};
  }
  size_t kept = 0;
  for (size_t i = 0; i < batch.events.size(); ++i) {
    CDC_TRY_ASSIGN(const bool deliver, filter->deliver(batch.events[i]));
    if (deliver) {
      if (kept != i) batch.events[kept] = batch.events[i];
      ++kept;
    }
  }
  batch.events.resize(kept);
  if (filter->done(end)) {
    log::get("snapshot")
        ->info("[source={}] the stream passed the snapshot at {}", options.pipeline_name,
               to_string(Position(end)));
    filter.reset();
  }
  batch.end = stream_end(end);
  return {};
}

// Queues `tables` for the reader thread (ResnapshotQueue::queue checks they are captured).
Status MysqlSource::Impl::queue_snapshot(const std::vector<TableId>& tables,
                                         std::string_view asked_by) {
  if (files) {
    return make_error(Errc::unsupported, "re-snapshot is not supported by offline decoding");
  }
  return resnaps.queue(tables, asked_by);
}

// Whether the stream stands exactly at the open window's position (or past it: only events
// that are no rows, since a window falls on a transaction boundary), between two raw events.
bool MysqlSource::Impl::at_window() const {
  const snapshot::Resnapshot* resnap = resnaps.current();
  if (resnap == nullptr) return false;
  const auto* w = resnap->window() ? std::get_if<MysqlPosition>(&*resnap->window()) : nullptr;
  if (!w || !stream || stream->has_buffered()) return false;
  const MysqlPosition p = stream->position();
  const uint64_t fp = binlog_file_index(p.binlog.file), fw = binlog_file_index(w->binlog.file);
  return fp != fw ? fp > fw : p.binlog.offset >= w->binlog.offset;
}

// One step of a re-snapshot, before the stream is read: takes the queued requests, opens the
// next chunk's window, and once the stream is at the window reads the chunk's rows into
// `batch` (returns true: the batch is ready). While the initial snapshot's filter is still
// merging, requests wait.
Result<bool> MysqlSource::Impl::resnapshot_step(Batch& batch) {
  if (filter || !stream) return false;
  snapshot::Resnapshot* resnap = resnaps.take();
  if (resnap == nullptr) return false;
  const auto abandon_resnapshot = [this](const Error& e) { resnaps.abandon(e); };
  if (!resnap->window()) {
    // The window must not be behind the stream (a transaction in the binlog whose commit the
    // read view does not hold yet): then its rows would go out after newer changes. Opened
    // again until it is not; the stream stands still meanwhile, so this ends quickly.
    for (int attempt = 0;; ++attempt) {
      auto w = resnap->open_window();
      if (!w) {
        abandon_resnapshot(w.error());
        return false;
      }
      if (!*w) {
        resnaps.end();
        return false;
      }
      const auto* at = std::get_if<MysqlPosition>(&**w);
      if (at == nullptr) {
        abandon_resnapshot(make_error(Errc::internal, "a re-snapshot window of another source"));
        return false;
      }
      const MysqlPosition p = stream->position();
      const uint64_t fp = binlog_file_index(p.binlog.file), fw = binlog_file_index(at->binlog.file);
      const bool behind = fp != fw ? fp > fw : p.binlog.offset > at->binlog.offset;
      if (!behind) break;
      if (attempt == 100) {
        abandon_resnapshot(
            make_error(Errc::unavailable, "the consistent read stays behind the stream at " +
                                              to_string(Position(p)) + " after 100 attempts"));
        return false;
      }
      if (auto st = resnaps.reader()->end_consistent_read(); !st) {
        abandon_resnapshot(st.error());
        return false;
      }
      resnap->drop_window();
    }
  }
  if (!at_window()) return false;
  auto more = resnap->fill(batch, options.max_batch_events);
  if (!more) {
    abandon_resnapshot(more.error());
    batch.events.clear();
    return false;
  }
  batch.end = stream_end(position());
  return true;
}

// Rows of the signal table: an `execute-snapshot` insert queues a re-snapshot
// (snapshot::take_signals).
void MysqlSource::Impl::handle_signals(Batch& batch) {
  if (!signal_table) return;
  snapshot::take_signals(batch, *signal_table, signal_delivered, options.pipeline_name,
                         [this](const std::vector<TableId>& tables, std::string_view asked_by) {
                           return queue_snapshot(tables, asked_by);
                         });
}

// The history as of `start`: what is stored (first open), without what came after `start` (a
// replay applies that DDL again), plus the captured tables it never knew, from the catalog.
// A start by GTID alone has no binlog offset to order versions by: the catalog versions are
// put at offset 0 of no file, before every binlog position.
Status MysqlSource::Impl::seed_schema_history(const MysqlPosition& start) {
  if (!history_loaded) {
    CDC_TRY(history.load());
    history_loaded = true;
  }
  history.rewind(start);
  CDC_TRY_ASSIGN(auto charset, query->query("SELECT @@character_set_server"));
  if (!charset.empty() && !charset[0].empty() && charset[0][0]) {
    history.set_default_charset(*charset[0][0]);
  }
  CDC_TRY_ASSIGN(auto schemas, read_catalog_schemas(*query, flavor, [this](const TableId& id) {
                   return included(id);
                 }));
  MysqlPosition at = start;
  at.events_to_skip = at.rows_to_skip = 0;
  size_t seeded = 0;
  for (auto& schema : schemas) {
    if (history.ever_known(schema.id)) continue;
    CDC_TRY(history.install(at, std::move(schema), SchemaOrigin::catalog));
    ++seeded;
  }
  if (seeded != 0) {
    log::get("mysql")->info(
        "[source={}] schema history: {} table(s) read from information_schema at {}",
        options.pipeline_name, seeded, to_string(Position(at)));
  }
  return {};
}

Status MysqlSource::Impl::detect_json_columns(const TableMapEvent& map, TableMapCache& cache) {
  // MariaDB's JSON is LONGTEXT + CHECK(json_valid(col)); only the catalog knows it.
  const TableId id{map.db, map.table};
  if (flavor != Flavor::mariadb || json_checked.count(id)) return {};
  json_checked[id] = true;
  bool has_text_blob = false;
  for (const auto& c : map.columns)
    has_text_blob |= c.real_type == static_cast<uint8_t>(ColumnType::blob) && c.collation &&
                     *c.collation != kBinaryCollation;
  if (!has_text_blob || !query) return {};
  auto rows = query->query(
      "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE "
      "CONSTRAINT_SCHEMA='" +
      query->escape(map.db) + "' AND TABLE_NAME='" + query->escape(map.table) + "'");
  if (!rows) return std::move(rows).error().with_context("JSON column look-up");
  std::vector<std::string> names;
  for (const auto& r : *rows) {
    if (r.size() < 2 || !r[0] || !r[1]) continue;
    if (*r[1] == "json_valid(`" + *r[0] + "`)") names.push_back(*r[0]);
  }
  cache.set_json_columns(id, std::move(names));
  return {};
}

uint64_t MysqlSource::bytes_read() const { return impl_->bytes_read; }

SnapshotProgress MysqlSource::snapshot_progress() const {
  SnapshotProgress p = impl_->snapshot_done;
  if (const auto& r = impl_->snapshot) p = r->progress();
  p += impl_->resnaps.progress();
  return p;
}

std::vector<TableSnapshotProgress> MysqlSource::snapshot_tables() const {
  const Impl& s = *impl_;
  std::vector<TableSnapshotProgress> out = s.snapshot_done_tables;
  if (s.snapshot) snapshot::merge_table_progress(out, s.snapshot->table_progress());
  snapshot::merge_table_progress(out, s.resnaps.table_progress());
  return out;
}

Status MysqlSource::request_snapshot(const std::vector<TableId>& tables) {
  return impl_->queue_snapshot(tables, "request");
}

Result<std::unique_ptr<Batch>> MysqlSource::poll(std::chrono::milliseconds max_wait) {
  auto& s = *impl_;
  if (!s.opened) return make_error(Errc::internal, "poll() before open()");
  auto batch = std::make_unique<Batch>();
  if (s.finished) {
    batch->end = *s.finished;
    batch->end_of_stream = true;
    return batch;
  }
  if (s.snapshot) {
    auto more = s.snapshot->fill(*batch, s.options.max_batch_events);
    if (!more) {
      s.opened = false;
      return std::move(more).error();
    }
    if (const auto* sp = std::get_if<SnapshotPosition>(&batch->end)) {
      batch->end = s.snapshot_end(*sp);
    }
    if (!*more) {
      if (auto st = s.end_snapshot(*batch); !st) {
        s.opened = false;
        return std::move(st).error();
      }
    }
    return batch;
  }
  if (s.stream) s.stream->start_batch();
  if (!s.files) {
    CDC_TRY_ASSIGN(const bool rows_ready, s.resnapshot_step(*batch));
    if (rows_ready) return batch;
  }
  const MysqlPosition start_pos = s.position();
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  bool heartbeat = false;
  auto fail = [&](Error e) -> Error {
    s.opened = false;  // the stream state is unknown now: the runner re-opens from a checkpoint
    return e;
  };
  while (batch->events.size() < s.options.max_batch_events) {
    // A re-snapshot's chunk goes out exactly at its window: the stream stops there.
    if (s.at_window()) break;
    if (s.stream && s.stream->has_buffered()) {
      if (auto st = s.stream->continue_buffered(*batch); !st) return fail(std::move(st).error());
      continue;
    }
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    // Once something is in hand, take only what is already there; never wait for more.
    if (!batch->events.empty() || heartbeat || remaining.count() < 0) {
      remaining = std::chrono::milliseconds(0);
    }
    auto next = s.next_raw(remaining);
    if (!next) return fail(std::move(next).error());
    if (!next->has_value()) break;
    if (auto st = s.stream->handle(**next, *batch, heartbeat); !st)
      return fail(std::move(st).error());
  }
  const MysqlPosition end = s.position();
  s.drop_created_tables(*batch);
  s.handle_signals(*batch);
  if (batch->events.empty() && end == start_pos && !heartbeat) return std::unique_ptr<Batch>();
  if (auto st = s.filter_stream(*batch, end); !st) return fail(std::move(st).error());
  return batch;
}

void MysqlSource::acknowledge(const Position& committed) {
  (void)committed;  // any checkpoint of this instance records the new tables' re-snapshot
  auto& s = *impl_;
  if (!s.history_store || !s.captured_record_pending.exchange(false)) return;
  if (auto st = s.history_store->put_value(kCapturedTablesKey, s.captured_record); !st) {
    log::get("snapshot")
        ->warn(
            "[source={}] storing the captured-tables record: {} (tried again at the next "
            "checkpoint)",
            s.options.pipeline_name, st.error().to_string());
    s.captured_record_pending = true;
  }
}

// Before the stream starts at a checkpoint: the re-snapshot a restart cut short, then the
// tables the `tables` patterns capture now and did not when the pipeline last ran.
Status MysqlSource::Impl::resume_resnapshot(const Position& resume,
                                            const std::vector<TableId>& read_now) {
  const auto* snap = std::get_if<SnapshotPosition>(&resume);
  if (snap != nullptr && !snap->resnapshot_tables.empty()) {
    resnaps.resume(snap->resnapshot_tables, snap->resnapshot_after_key);
    const SnapshotTable& first = snap->resnapshot_tables.front();
    const TableSchemaPtr schema = history.current({first.db, first.table});
    if (schema && schema->primary_key.empty()) {
      log::get("snapshot")
          ->warn(
              "[source={}] {}.{} has no primary key: its re-snapshot is read again whole, so the "
              "rows it delivered before the restart are delivered again",
              options.pipeline_name, first.db, first.table);
    }
  }
  return check_captured_tables(!std::holds_alternative<std::monostate>(resume), read_now);
}

// Compares the `tables` patterns with those recorded when the pipeline last ran
// (captured_tables.h): a table captured now and not then is newly added. With
// scan.newly-added-table.enabled its rows are read as a re-snapshot before anything else
// (after the initial snapshot, when a restart goes on inside it; `read_now` are the tables that
// snapshot reads anyway); without, a warning names it. The record of the patterns now is
// stored at the next checkpoint.
Status MysqlSource::Impl::check_captured_tables(bool resumed,
                                                const std::vector<TableId>& read_now) {
  const CapturedTables now{options.table_include, options.table_exclude};
  captured_record = encode_captured_tables(now);
  captured_record_pending = false;
  if (!history_store) return {};
  CDC_TRY_ASSIGN(const auto stored, history_store->get_value(kCapturedTablesKey));
  captured_record_pending = !stored || *stored != captured_record;
  if (!stored) {
    if (resumed) {
      log::get("snapshot")
          ->info(
              "[source={}] the state store has no record of the captured tables (a checkpoint "
              "of an older sluice): every table `tables` matches now is taken as captured, none "
              "as newly added; the record is stored at the next checkpoint",
              options.pipeline_name);
    }
    return {};
  }
  auto before = decode_captured_tables(*stored);
  if (!before) {
    return std::move(before).error().with_context("the state store's " +
                                                  std::string(kCapturedTablesKey));
  }
  if (!resumed || *before == now) return {};
  CDC_TRY_ASSIGN(std::vector<TableId> added, newly_captured(history.tables(), now, *before));
  std::erase_if(added, [&](const TableId& t) {
    return resnaps.resuming(SnapshotTable{t.db, t.table}) ||
           std::find(read_now.begin(), read_now.end(), t) != read_now.end();
  });
  if (added.empty()) return {};
  std::string names;
  for (const TableId& t : added) names += (names.empty() ? "" : ", ") + t.to_string();
  if (snapshot && options.startup_mode == StartupMode::snapshot) {
    log::get("snapshot")
        ->warn(
            "[source={}] newly captured table(s) {}: not read by this snapshot, which a restart "
            "continued after them (a snapshot-only pipeline streams no re-snapshot); start a new "
            "snapshot to read them",
            options.pipeline_name, names);
    return {};
  }
  if (!options.newly_added_tables) {
    log::get("snapshot")
        ->warn(
            "[source={}] newly captured table(s) {}: streamed from the checkpoint on, their "
            "existing rows are not read (scan.newly-added-table.enabled: false)",
            options.pipeline_name, names);
    return {};
  }
  log::get("snapshot")
      ->info(
          "[source={}] newly captured table(s) {} (scan.newly-added-table.enabled): their rows "
          "are read while the stream goes on, the tables captured before are not read again",
          options.pipeline_name, names);
  for (const TableId& t : added) resnaps.resume_also({t.db, t.table});
  newly_added = std::move(added);
  return {};
}

// A newly added table whose CREATE the stream meets was created after the checkpoint: the
// stream delivers it whole from there, so its rows are not read (they would come twice). Its
// CREATE always comes before its first window's rows: windows are opened at the server's
// position, which is past it.
void MysqlSource::Impl::drop_created_tables(const Batch& batch) {
  if (newly_added.empty()) return;
  for (const ChangeEvent& e : batch.events) {
    if (e.op != Op::schema_change || e.schema == nullptr) continue;
    const TableId& id = e.schema->id;
    const auto it = std::find(newly_added.begin(), newly_added.end(), id);
    if (it == newly_added.end()) continue;
    const DdlStatement ddl = parse_ddl_statement(e.source.query, id.db);
    if ((ddl.kind != DdlStatement::Kind::create_table &&
         ddl.kind != DdlStatement::Kind::create_table_like) ||
        ddl.table != id) {
      continue;
    }
    bool removed = resnaps.unresume(SnapshotTable{id.db, id.table});
    if (!removed && resnaps.current() != nullptr) {
      auto taken = resnaps.current()->remove(id);
      if (!taken) {
        resnaps.abandon(taken.error());
        return;
      }
      removed = *taken;
    }
    newly_added.erase(it);
    if (removed) {
      log::get("snapshot")
          ->info(
              "[source={}] newly captured table {} was created after the checkpoint: captured "
              "from its CREATE by the stream, its rows are not read",
              options.pipeline_name, id.to_string());
    }
    if (newly_added.empty()) return;
  }
}

}  // namespace cdc::mysql
