#include "cdc/postgres/postgres_source.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <regex>
#include <thread>

#include "cdc/core/byte_reader.h"
#include "cdc/core/log.h"
#include "cdc/core/regex.h"
#include "cdc/postgres/pg_resnapshot.h"
#include "cdc/postgres/pg_stream.h"
#include "cdc/postgres/postgres_metrics.h"
#include "cdc/postgres/protocol/pg_connection.h"
#include "cdc/postgres/protocol/replication_message.h"
#include "cdc/postgres/publication.h"
#include "cdc/postgres/schema/pg_schema_store.h"
#include "cdc/postgres/snapshot/pg_chunk_reader.h"
#include "cdc/postgres/snapshot/pg_key_text.h"
#include "cdc/snapshot/parallel_snapshot_reader.h"
#include "cdc/snapshot/snapshot_reader.h"
#include "cdc/snapshot/snapshot_signal.h"
#include "cdc/snapshot/stream_filter.h"

namespace cdc::postgres {

namespace {

using Clock = std::chrono::steady_clock;

// Catch-up batching in poll: the stream is catching up when the transaction it reads committed
// over kCatchUpAge ago (by the server's clock: a skew beyond that only makes live batches wait
// up to kCatchUpLinger too).
constexpr std::chrono::milliseconds kCatchUpAge{1000};
constexpr std::chrono::milliseconds kCatchUpLinger{5};
constexpr std::chrono::milliseconds kCatchUpStep{1};

bool catching_up(const PgStream& stream) {
  using namespace std::chrono;
  const auto now_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch());
  return stream.last_commit_ms() < (now_ms - kCatchUpAge).count();
}

constexpr const char* kHeartbeatPrefix = "sluice_heartbeat";
// How often the source looks for captured tables missing from the publication (publication.h).
constexpr std::chrono::seconds kMembershipInterval{2};
// How long close() waits for the server to end the stream (and release the slot). A walsender
// answers between two messages it sends; one stuck decoding a large transaction, or a dead
// network, costs a stop or a restart this much at most.
constexpr std::chrono::milliseconds kEndStreamWait{1000};

Result<Lsn> parse_lsn(const std::optional<std::string>& text) {
  if (!text) return Lsn{0};
  const auto slash = text->find('/');
  if (slash == std::string::npos) return make_error(Errc::malformed, "LSN '" + *text + "'");
  try {
    const uint64_t hi = std::stoull(text->substr(0, slash), nullptr, 16);
    const uint64_t lo = std::stoull(text->substr(slash + 1), nullptr, 16);
    return Lsn{(hi << 32) | lo};
  } catch (...) {
    return make_error(Errc::malformed, "LSN '" + *text + "'");
  }
}

// A captured table as the catalog has it.
struct CatalogTable {
  TableId id;
  uint32_t oid = 0;
  char replica_identity = 'd';
  bool has_pk = false;
  bool can_select = false;
  bool partitioned = false;
};

}  // namespace

struct PostgresSource::Impl {
  PostgresSourceOptions o;
  std::shared_ptr<PostgresMetrics> metrics;
  std::unique_ptr<PgSchemaStore> schema_store;  // may be null
  std::vector<std::regex> include, exclude;
  PgTypeRegistry registry;
  std::optional<PgConnection> sql;  // catalog, publication, heartbeats, lag; reader/pipeline thread
  std::optional<PgConnection> repl;  // the stream; guarded by repl_mutex
  std::mutex repl_mutex;             // guards repl and last_status
  Clock::time_point last_status{};
  std::unique_ptr<PgStream> stream;
  std::vector<CatalogTable> tables;
  std::map<TableId, std::vector<std::string>> primary_keys;
  std::vector<TableSchemaPtr> seeded;
  std::map<TableId, PgColumnTypes> column_types;  // of the seeded schemas, for the snapshot
  // The snapshot (startup modes initial and snapshot, ARCHITECTURE.md "Snapshots"): while
  // `snapshot` is set, poll() reads rows through it; then, for initial, the stream starts at
  // the earliest segment's point and `filter` drops what later segments' rows hold.
  // One chunk reader per connection (scan.snapshot.parallelism), all in the same imported
  // snapshot; `snapshot` uses them and goes first.
  std::vector<std::unique_ptr<PgChunkReader>> chunk_readers;
  std::unique_ptr<snapshot::SnapshotRun> snapshot;
  std::optional<snapshot::StreamFilter> filter;
  std::optional<SnapshotPosition> finished;  // a snapshot-only run that has read everything
  SnapshotProgress snapshot_done;            // of a snapshot read to its end by this instance
  std::vector<TableSnapshotProgress> snapshot_done_tables;  // as snapshot_done, per table
  // Re-snapshots while streaming (request_snapshot, the signal table), from open() on; they
  // start once the initial snapshot's merge is done.
  std::optional<PgResnapshot> resnap;
  std::optional<TableId> signal_table;       // signal.data-collection
  bool signal_delivered = false;             // the user's `tables` capture the signal table too
  Lsn slot_lsn{0};                           // the slot's confirmed LSN at open
  std::optional<ExportedSnapshot> exported;  // by the slot's creation in this open()
  Position start;
  PostgresPosition last_end;
  std::atomic<uint64_t> acked{0};     // last acknowledged commit_lsn (at first: slot_lsn)
  std::atomic<uint64_t> reported{0};  // last flush LSN sent
  std::atomic<int64_t> lag_bytes{-1};
  uint64_t bytes = 0;
  Clock::time_point last_progress = Clock::now();
  Clock::time_point last_lag_check{};
  Clock::time_point last_membership_check{};
  std::set<TableId> unkeyed_waiting;  // new tables not added yet for want of a key (logged)
  std::jthread status_thread;
  std::mutex wake_mutex;  // guards nothing but the wait below
  std::condition_variable_any wake;

  bool captured(const TableId& t) const {
    const std::string name = o.database + "." + t.db + "." + t.table;
    const auto any = [&](const std::vector<std::regex>& res) {
      return std::any_of(res.begin(), res.end(),
                         [&](const std::regex& re) { return std::regex_match(name, re); });
    };
    return any(include) && !any(exclude);
  }

  bool is_signal(const TableId& t) const { return signal_table && t == *signal_table; }

  Status compile_patterns() {
    include.clear();
    exclude.clear();
    for (auto* list : {&o.table_include, &o.table_exclude}) {
      for (const auto& pattern : *list) {
        auto re = compile_regex(pattern, RegexCase::sensitive);
        if (!re) return std::move(re).error().with_context("tables pattern '" + pattern + "'");
        (list == &o.table_include ? include : exclude).push_back(std::move(*re));
      }
    }
    return {};
  }

  Status connect_sql() {
    if (sql) return {};
    CDC_TRY_ASSIGN(auto c, PgConnection::connect(o, false));
    sql.emplace(std::move(c));
    return {};
  }

  // Every problem at once, each with what to run to fix it.
  std::vector<Error> check_server() {
    std::vector<Error> problems;
    const auto fail = [&](std::string msg) {
      problems.push_back(make_error(Errc::invalid_config, std::move(msg)));
    };
    auto settings = sql->query(
        "SELECT current_setting('wal_level'), r.rolreplication, r.rolsuper, "
        "current_setting('max_replication_slots')::int, (SELECT count(*) FROM "
        "pg_replication_slots), "
        "current_setting('max_wal_senders')::int, (SELECT count(*) FROM pg_stat_replication), "
        "EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1), current_user "
        "FROM pg_roles r WHERE r.rolname = current_user",
        {o.slot_name});
    if (!settings) {
      problems.push_back(std::move(settings).error().with_context("reading the server's settings"));
      return problems;
    }
    const auto& row = settings->rows.at(0);
    const std::string user = row[8].value_or("");
    if (row[0] != "logical") {
      fail("wal_level is '" + row[0].value_or("") +
           "', logical decoding needs 'logical': run ALTER SYSTEM SET wal_level = logical; and "
           "restart PostgreSQL");
    }
    if (row[1] != "t" && row[2] != "t") {
      fail("role " + user + " has neither REPLICATION nor superuser: run ALTER ROLE " +
           PgConnection::quote_ident(user) + " WITH REPLICATION;");
    }
    const bool slot_exists = row[7] == "t";
    if (!slot_exists && std::stoi(row[4].value_or("0")) >= std::stoi(row[3].value_or("0"))) {
      fail("all " + row[3].value_or("0") +
           " replication slots (max_replication_slots) are in use: " +
           "drop an unused one (SELECT pg_drop_replication_slot(name)) or raise "
           "max_replication_slots and restart");
    }
    if (std::stoi(row[6].value_or("0")) >= std::stoi(row[5].value_or("0"))) {
      fail("all " + row[5].value_or("0") +
           " WAL senders (max_wal_senders) are in use: raise max_wal_senders and restart");
    }
    auto found = sql->query(
        "SELECT n.nspname, c.relname, c.oid, c.relreplident, "
        "EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary), "
        "has_table_privilege(c.oid, 'SELECT'), c.relkind "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE "
        "'pg_toast%' "
        "ORDER BY 1, 2");
    if (!found) {
      problems.push_back(std::move(found).error().with_context("listing the tables"));
      return problems;
    }
    tables.clear();
    for (const auto& r : found->rows) {
      CatalogTable t;
      t.id = TableId{r[0].value_or(""), r[1].value_or("")};
      if (!captured(t.id)) continue;
      t.oid = static_cast<uint32_t>(std::stoul(r[2].value_or("0")));
      t.replica_identity = r[3].value_or("d").empty() ? 'd' : r[3]->at(0);
      t.has_pk = r[4] == "t";
      t.can_select = r[5] == "t";
      t.partitioned = r[6] == "p";
      const std::string qualified =
          PgConnection::quote_ident(t.id.db) + "." + PgConnection::quote_ident(t.id.table);
      if (t.replica_identity == 'n' || (t.replica_identity == 'd' && !t.has_pk)) {
        fail("table " + t.id.to_string() + " has REPLICA IDENTITY " +
             (t.replica_identity == 'n' ? "NOTHING" : "DEFAULT without a primary key") +
             ": its updates and deletes could not be keyed; run ALTER TABLE " + qualified +
             " REPLICA IDENTITY FULL; (or add a primary key)");
      }
      if (!t.can_select) {
        fail("role " + user + " may not SELECT from " + t.id.to_string() +
             ": run GRANT SELECT ON " + qualified + " TO " + PgConnection::quote_ident(user) + ";");
      }
      tables.push_back(std::move(t));
    }
    check_publication(problems);
    if (tables.empty()) {
      std::string patterns;
      for (const auto& p : o.table_include) patterns += (patterns.empty() ? "" : ", ") + p;
      fail("tables (" + patterns + ") match no table of database " + o.database +
           " (patterns are matched against db.schema.table)");
    }
    return problems;
  }

  // sluice creates and maintains the publication unless publication.name names the user's own.
  bool owns_publication() const { return o.publication_name.empty(); }

  // Partitioned tables need publish_via_partition_root (else their rows arrive under the
  // partitions' names, which `tables` does not capture); a publication of the user's must carry
  // every captured table.
  void check_publication(std::vector<Error>& problems) {
    auto pub = read_publication(*sql, o.publication());
    if (!pub) {
      problems.push_back(
          std::move(pub).error().with_context("reading publication " + o.publication()));
      return;
    }
    const bool via_root =
        pub->exists ? pub->via_root || (owns_publication() && o.publish_via_partition_root)
                    : o.publish_via_partition_root;
    for (const auto& t : tables) {
      if (!t.partitioned || via_root) continue;
      problems.push_back(make_error(
          Errc::invalid_config,
          "table " + t.id.to_string() + " is partitioned and publication " + o.publication() +
              " does not publish via the partition root: its rows would arrive under the "
              "partitions' names, which tables does not capture; " +
              (owns_publication()
                   ? std::string("set publication.publish-via-partition-root: true")
                   : "run ALTER PUBLICATION " + PgConnection::quote_ident(o.publication()) +
                         " SET (publish_via_partition_root = true);")));
    }
    if (!pub->exists || owns_publication()) return;
    auto missing = tables_missing_from(*sql, o.publication(),
                                       [this](const TableId& t) { return captured(t); });
    if (!missing) {
      problems.push_back(
          std::move(missing).error().with_context("reading publication " + o.publication()));
      return;
    }
    for (const MissingTable& t : *missing) problems.push_back(not_published(t.id));
  }

  Error not_published(const TableId& t) const {
    return make_error(
        Errc::invalid_config,
        "table " + t.to_string() + " matches tables but is not in publication " + o.publication() +
            " (publication.name), so none of its changes would " +
            "arrive: run ALTER PUBLICATION " + PgConnection::quote_ident(o.publication()) +
            " ADD TABLE " + PgConnection::quote_ident(t.db) + "." +
            PgConnection::quote_ident(t.table) + "; or leave it out with tables.exclude");
  }

  // A captured table that appeared since the last look (created, or dropped and re-created
  // with a new OID) and is not in the publication: added when sluice owns the publication and
  // the table is still empty, else an error (publication.h).
  Status follow_new_tables() {
    CDC_TRY_ASSIGN(auto missing,
                   tables_missing_from(*sql, o.publication(),
                                       [this](const TableId& t) { return captured(t); }));
    if (missing.empty()) return {};
    if (!owns_publication()) return not_published(missing.front().id);
    return add_empty_tables(*sql, o.publication(), missing, o.pipeline_name, unkeyed_waiting);
  }

  Status load_types(const std::vector<uint32_t>& oids) {
    std::string array = "{";
    for (size_t i = 0; i < oids.size(); ++i) {
      if (i > 0) array += ',';
      array += std::to_string(oids[i]);
    }
    array += "}";
    CDC_TRY(connect_sql());
    CDC_TRY_ASSIGN(auto rows, sql->query(PgTypeRegistry::catalog_query(), {array}));
    for (const auto& row : rows.rows) CDC_TRY(registry.add_from_row(row));
    return {};
  }

  Result<std::vector<std::string>> primary_key(const TableId& t) {
    if (auto it = primary_keys.find(t); it != primary_keys.end()) return it->second;
    CDC_TRY(connect_sql());
    CDC_TRY_ASSIGN(
        auto rows,
        sql->query(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indisprimary AND i.indrelid = "
            "(quote_ident($1) || '.' || quote_ident($2))::regclass "
            "ORDER BY array_position(i.indkey, a.attnum)",
            {t.db, t.table}));
    std::vector<std::string> names;
    for (const auto& r : rows.rows) names.push_back(r[0].value_or(""));
    primary_keys[t] = names;
    return names;
  }

  // The captured tables' current schemas, so the first Relation of each matches (no
  // schema-change event for a table that did not change) and the stages can check them.
  Status seed_schemas() {
    seeded.clear();
    for (const auto& t : tables) {
      CDC_TRY_ASSIGN(TableSchemaPtr schema, catalog_schema(t));
      seeded.push_back(std::move(schema));
    }
    return {};
  }

  // The table's schema as the catalog has it now, made exactly as a Relation message would make
  // it; its column types go to `column_types` for the chunk readers.
  Result<TableSchemaPtr> catalog_schema(const CatalogTable& t) {
    CDC_TRY_ASSIGN(
        auto cols,
        sql->query("SELECT attname, atttypid, atttypmod FROM pg_attribute "
                   "WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                   {std::to_string(t.oid)}));
    RelationMessage rel;
    rel.relation_id = t.oid;
    rel.nspname = t.id.db;
    rel.relname = t.id.table;
    rel.replica_identity = t.replica_identity;
    for (const auto& c : cols.rows) {
      RelationColumn rc;
      rc.name = *c[0];
      rc.type_oid = static_cast<uint32_t>(std::stoul(c[1].value_or("0")));
      rc.typmod = std::stoi(c[2].value_or("-1"));
      rel.columns.push_back(rc);
    }
    RelationCache scratch(registry, hooks());
    bool changed = false;
    CDC_TRY_ASSIGN(const RelationInfo* info, scratch.apply(rel, changed));
    column_types[t.id] = PgColumnTypes{info->type_oids, info->typmods};
    return info->schema;
  }

  // The version a re-snapshot of `t` reads with: the stream's at its current point (rows read
  // now are merged with it; after an ALTER since the open that is not the seeded one), when its
  // column types are known (a Relation, or the seed); else the catalog's, e.g. for a table
  // created since the open that no change has reached the stream for yet. Null when there is
  // none (the queue logs it).
  TableSchemaPtr resnapshot_schema(const TableId& t) {
    const RelationInfo* relation = nullptr;
    const TableSchemaPtr current = stream ? stream->schema_of(t, &relation) : nullptr;
    if (relation != nullptr) {
      column_types[t] = PgColumnTypes{relation->type_oids, relation->typmods};
      return current;
    }
    if (current && current == seeded_schema(t)) return current;
    auto found = sql->query(
        "SELECT c.oid, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = "
        "c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
        {t.db, t.table});
    if (!found || found->rows.empty()) {
      if (!found) {
        log::get("postgres")
            ->error("[pipeline={}] looking up {} for a re-snapshot: {}", o.pipeline_name,
                    t.to_string(), found.error().to_string());
      }
      return nullptr;
    }
    CatalogTable ct;
    ct.id = t;
    ct.oid = static_cast<uint32_t>(std::stoul(found->rows[0][0].value_or("0")));
    ct.replica_identity = found->rows[0][1].value_or("d").empty() ? 'd' : found->rows[0][1]->at(0);
    auto schema = catalog_schema(ct);
    if (!schema) {
      log::get("postgres")
          ->error("[pipeline={}] the schema of {} for a re-snapshot: {}", o.pipeline_name,
                  t.to_string(), schema.error().to_string());
      return nullptr;
    }
    return *schema;
  }

  // Seeds the stream's relation cache with each captured table's version in force at `start`:
  // the schema history's when it has one, else the catalog's (stored there for later starts).
  Status seed_stream(const PostgresPosition& start) {
    for (const auto& s : seeded) {
      if (!schema_store) {
        stream->seed(s);
        continue;
      }
      auto stored = schema_store->at(s->id, start);
      if (!stored) {
        return std::move(stored).error().with_context("the schema history of " + s->id.to_string() +
                                                      " at " + to_string(Position(start)));
      }
      if (*stored) {
        stream->seed(std::make_shared<const TableSchema>(std::move(**stored)));
        continue;
      }
      if (auto st = schema_store->put(start, *s); !st) {
        return std::move(st).error().with_context("the schema history of " + s->id.to_string());
      }
      stream->seed(s);
    }
    return {};
  }

  RelationCache::Hooks hooks() {
    RelationCache::Hooks h;
    // The signal table's rows are read whatever the patterns say (take_signals in poll).
    h.captured = [this](const TableId& t) { return captured(t) || is_signal(t); };
    h.load_types = [this](const std::vector<uint32_t>& oids) { return load_types(oids); };
    h.primary_key = [this](const TableId& t) { return primary_key(t); };
    return h;
  }

  Status ensure_publication() {
    CDC_TRY(create_publication());
    return publish_signal_table();
  }

  // The signal table's inserts must reach the stream: sluice adds it to its own publication (a
  // signal table is written by people, not by the application, so its rows before the add
  // matter to nobody); a publication of the user's must carry it already.
  Status publish_signal_table() {
    if (!signal_table || signal_delivered) return {};
    CDC_TRY_ASSIGN(auto missing,
                   tables_missing_from(*sql, o.publication(),
                                       [this](const TableId& t) { return is_signal(t); }));
    if (missing.empty()) return {};
    if (!owns_publication()) {
      return make_error(Errc::invalid_config,
                        "signal table " + signal_table->to_string() +
                            " (signal.data-collection) is not in publication " + o.publication() +
                            ": run ALTER PUBLICATION " +
                            PgConnection::quote_ident(o.publication()) + " ADD TABLE " +
                            PgConnection::quote_ident(signal_table->db) + "." +
                            PgConnection::quote_ident(signal_table->table) + ";");
    }
    if (auto r = sql->query("ALTER PUBLICATION " + PgConnection::quote_ident(o.publication()) +
                            " ADD TABLE " + PgConnection::quote_ident(signal_table->db) + "." +
                            PgConnection::quote_ident(signal_table->table));
        !r) {
      return std::move(r).error().with_context("adding the signal table " +
                                               signal_table->to_string() + " to publication " +
                                               o.publication());
    }
    return {};
  }

  Status create_publication() {
    const std::string pub = o.publication();
    CDC_TRY_ASSIGN(auto info, read_publication(*sql, pub));
    if (info.exists) {
      if (owns_publication() && o.publish_via_partition_root && !info.via_root) {
        CDC_TRY(sql->query("ALTER PUBLICATION " + PgConnection::quote_ident(pub) +
                           " SET (publish_via_partition_root = true)"));
      }
      return owns_publication() ? follow_new_tables() : Status{};
    }
    std::string list;
    for (const auto& t : tables) {
      list += (list.empty() ? "" : ", ") + PgConnection::quote_ident(t.id.db) + "." +
              PgConnection::quote_ident(t.id.table);
    }
    std::string sql_text =
        "CREATE PUBLICATION " + PgConnection::quote_ident(pub) + " FOR TABLE " + list;
    if (o.publish_via_partition_root) sql_text += " WITH (publish_via_partition_root = true)";
    if (auto r = sql->query(sql_text); !r) {
      return std::move(r).error().with_context("creating publication " + pub +
                                               " (or create it yourself and set publication.name)");
    }
    log::get("postgres")
        ->info("[pipeline={}] created publication {} for {} tables", o.pipeline_name, pub,
               tables.size());
    return {};
  }

  // The slot's confirmed LSN, creating the slot when allowed (with an exported snapshot, kept in
  // `exported`, when `export_snapshot`). Errc::unavailable while another backend holds it (the
  // runner retries with backoff) unless slot.takeover.
  Result<Lsn> ensure_slot(bool export_snapshot) {
    CDC_TRY_ASSIGN(auto rows, sql->query("SELECT plugin, active_pid, confirmed_flush_lsn, database "
                                         "FROM pg_replication_slots WHERE slot_name = $1",
                                         {o.slot_name}));
    if (rows.rows.empty()) {
      if (o.startup_mode == StartupMode::committed_offset) {
        return make_error(Errc::invalid_config,
                          "scan.startup.mode committed-offset needs the slot " + o.slot_name +
                              ", which does not exist");
      }
      CDC_TRY_ASSIGN(
          auto created,
          repl->query("CREATE_REPLICATION_SLOT " + PgConnection::quote_ident(o.slot_name) +
                      " LOGICAL pgoutput " +
                      (export_snapshot ? "(SNAPSHOT 'export')" : "(SNAPSHOT 'nothing')")));
      log::get("postgres")
          ->info("[pipeline={}] created replication slot {} at {}", o.pipeline_name, o.slot_name,
                 created.rows.at(0)[1].value_or("?"));
      CDC_TRY_ASSIGN(const Lsn at, parse_lsn(created.rows.at(0)[1]));
      if (export_snapshot && created.rows[0].size() > 2 && created.rows[0][2]) {
        exported = ExportedSnapshot{*created.rows[0][2], at};
      }
      return at;
    }
    const auto& row = rows.rows[0];
    if (row[0] != "pgoutput") {
      return make_error(Errc::invalid_config, "replication slot " + o.slot_name + " uses plugin " +
                                                  row[0].value_or("?") +
                                                  ", sluice reads pgoutput slots only");
    }
    if (row[3] != o.database) {
      return make_error(Errc::invalid_config, "replication slot " + o.slot_name +
                                                  " belongs to database " + row[3].value_or("?") +
                                                  ", not " + o.database);
    }
    if (row[1]) {
      if (!o.slot_takeover) {
        return make_error(Errc::unavailable,
                          "replication slot " + o.slot_name + " is active for PID " + *row[1] +
                              " (retrying; slot.takeover: true terminates that backend)");
      }
      log::get("postgres")
          ->warn("[pipeline={}] slot.takeover: terminating backend {} holding slot {}",
                 o.pipeline_name, *row[1], o.slot_name);
      CDC_TRY(sql->query("SELECT pg_terminate_backend($1::int)", {*row[1]}));
      for (int attempt = 0; attempt < 50; ++attempt) {
        CDC_TRY_ASSIGN(
            auto again,
            sql->query("SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1",
                       {o.slot_name}));
        if (again.rows.empty() || !again.rows[0][0]) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    return parse_lsn(row[2]);
  }

  // Orders two keys of `schema` as the server's ORDER BY does (a text key: its collation's
  // order, which sluice does not implement). Asked by the snapshot merge only for the changes
  // committed before the latest segment's point in a table whose reading was resumed.
  Result<std::strong_ordering> server_key_order(const TableSchema& schema, std::span<const Value> a,
                                                std::span<const Value> b) {
    std::vector<std::string> params;
    std::string left, right;
    for (size_t i = 0; i < schema.primary_key.size(); ++i) {
      const Column& c = schema.columns[schema.primary_key[i]];
      CDC_TRY_ASSIGN(std::string ta, pg_key_text(c, a[i]));
      CDC_TRY_ASSIGN(std::string tb, pg_key_text(c, b[i]));
      params.push_back(std::move(ta));
      params.push_back(std::move(tb));
      left += (i == 0 ? "$" : ", $") + std::to_string(2 * i + 1) + "::" + c.source_type;
      right += (i == 0 ? "$" : ", $") + std::to_string(2 * i + 2) + "::" + c.source_type;
    }
    CDC_TRY_ASSIGN(auto rows, sql->query("SELECT CASE WHEN ROW(" + left + ") < ROW(" + right +
                                             ") THEN -1 WHEN ROW(" + left + ") = ROW(" + right +
                                             ") THEN 0 ELSE 1 END",
                                         params));
    const std::string r = rows.rows.at(0).at(0).value_or("");
    return r == "-1"  ? std::strong_ordering::less
           : r == "0" ? std::strong_ordering::equal
                      : std::strong_ordering::greater;
  }
  snapshot::StreamFilter make_filter(std::vector<SnapshotSegment> segments) {
    return snapshot::StreamFilter(
        std::move(segments),
        [this](const TableSchema& s, std::span<const Value> a, std::span<const Value> b) {
          return server_key_order(s, a, b);
        });
  }

  Status open_snapshot(const SnapshotPosition& start);
  Status end_snapshot(Batch& batch);
  Status start_stream(const PostgresPosition& start_at);
  Position stream_end(const PostgresPosition& end);
  Position with_resnapshot(const PostgresPosition& end) const;
  Status setup_resnapshot(const SnapshotPosition* resume);

  // The schema a re-snapshot reads (the catalog's at open, whose column types the chunk reader
  // needs); null for a table opened later.
  TableSchemaPtr seeded_schema(const TableId& t) const {
    for (const auto& s : seeded) {
      if (s->id == t) return s;
    }
    return nullptr;
  }

  Status send_status_locked(bool reply) {
    const uint64_t flush = acked.load();
    CDC_TRY(repl->put_copy(encode_standby_status(Lsn{flush}, pg_now(), reply)));
    reported.store(flush);
    last_status = Clock::now();
    return {};
  }

  // The status thread: while the reader waits (a slow sink), the server still hears from us
  // before wal_sender_timeout; poll does the same itself while it reads.
  void status_loop(std::stop_token stop) {
    while (!stop.stop_requested()) {
      {
        std::unique_lock lock(wake_mutex);
        wake.wait_for(lock, stop, std::chrono::milliseconds(200), [] { return false; });
      }
      if (stop.stop_requested()) break;
      std::unique_lock lock(repl_mutex, std::try_to_lock);
      if (!lock.owns_lock() || !repl) continue;
      const bool due =
          Clock::now() - last_status >= o.status_interval || acked.load() != reported.load();
      if (due) (void)send_status_locked(false);  // ignored because poll reports a broken connection
    }
  }

  Status heartbeat_and_lag() {
    const auto now = Clock::now();
    if (o.heartbeat_interval.count() > 0 && now - last_progress >= o.heartbeat_interval) {
      CDC_TRY(sql->query("SELECT pg_logical_emit_message(true, '" + std::string(kHeartbeatPrefix) +
                         "', '')"));
      last_progress = now;
    }
    if (now - last_membership_check >= kMembershipInterval) {
      last_membership_check = now;
      CDC_TRY(follow_new_tables());
    }
    if (now - last_lag_check >= std::chrono::seconds(5)) {
      last_lag_check = now;
      CDC_TRY_ASSIGN(
          auto rows,
          sql->query(
              "SELECT (pg_current_wal_lsn() - s.confirmed_flush_lsn)::bigint, "
              "COALESCE(EXTRACT(epoch FROM r.flush_lag), 0)::float8 FROM pg_replication_slots s "
              "LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = $1",
              {o.slot_name}));
      if (!rows.rows.empty() && rows.rows[0][0]) {
        lag_bytes.store(std::stoll(*rows.rows[0][0]));
        if (metrics) {
          metrics->slot_lag_bytes.Set(static_cast<double>(lag_bytes.load()));
          metrics->slot_lag_seconds.Set(std::stod(rows.rows[0][1].value_or("0")));
        }
      }
    }
    return {};
  }
};

PostgresSource::PostgresSource(PostgresSourceOptions options,
                               std::shared_ptr<PostgresMetrics> metrics,
                               std::unique_ptr<PgSchemaStore> schemas)
    : impl_(std::make_unique<Impl>()) {
  impl_->o = std::move(options);
  impl_->metrics = std::move(metrics);
  impl_->schema_store = std::move(schemas);
  impl_->registry.set_options(impl_->o.types);
}

PostgresSource::~PostgresSource() { close(); }

std::vector<Error> PostgresSource::preflight() {
  Impl& m = *impl_;
  if (auto st = m.compile_patterns(); !st) return {std::move(st).error()};
  if (auto st = m.connect_sql(); !st) return {std::move(st).error()};
  return m.check_server();
}

Status PostgresSource::open(const Position& resume) {
  Impl& m = *impl_;
  const auto* pg_resume = std::get_if<PostgresPosition>(&resume);
  const auto* snap_resume = std::get_if<SnapshotPosition>(&resume);
  if (snap_resume != nullptr && !of_postgres(*snap_resume)) {
    snap_resume = nullptr;
  }
  if (!pg_resume && !snap_resume && !std::holds_alternative<std::monostate>(resume)) {
    return make_error(Errc::invalid_config, "the checkpoint holds a position of another source (" +
                                                to_string(resume) + "), not a PostgreSQL LSN");
  }
  const bool snapshot_mode =
      m.o.startup_mode == StartupMode::initial || m.o.startup_mode == StartupMode::snapshot;
  m.snapshot.reset();
  m.filter.reset();
  m.finished.reset();
  m.chunk_readers.clear();
  m.exported.reset();
  m.snapshot_done = {};
  m.snapshot_done_tables.clear();
  CDC_TRY(m.compile_patterns());
  CDC_TRY(
      m.setup_resnapshot(snap_resume != nullptr && !snap_resume->reading ? snap_resume : nullptr));
  CDC_TRY(m.connect_sql());
  if (auto problems = m.check_server(); !problems.empty()) {
    std::string text =
        "PostgreSQL preflight found " + std::to_string(problems.size()) + " problem(s):";
    Errc code = Errc::invalid_config;
    for (const auto& p : problems) {
      text += "\n  - " + p.message;
      if (p.code != Errc::invalid_config) code = p.code;
    }
    return make_error(code, text);
  }
  CDC_TRY(m.seed_schemas());
  // A snapshot-only run reads through a temporary slot and leaves no slot (and no publication)
  // behind.
  if (m.o.startup_mode == StartupMode::snapshot) {
    if (snap_resume && !snap_resume->reading) {
      m.finished = *snap_resume;
      return {};
    }
    return m.open_snapshot(snap_resume ? *snap_resume : SnapshotPosition{});
  }
  CDC_TRY(m.ensure_publication());
  CDC_TRY_ASSIGN(auto repl, PgConnection::connect(m.o, true));
  m.repl.emplace(std::move(repl));
  const bool new_snapshot = snapshot_mode && std::holds_alternative<std::monostate>(resume);
  CDC_TRY_ASSIGN(m.slot_lsn, m.ensure_slot(new_snapshot));
  if (snap_resume && snap_resume->reading) return m.open_snapshot(*snap_resume);
  if (new_snapshot) return m.open_snapshot(SnapshotPosition{});
  if (snap_resume) {
    const auto& stream = std::get<PostgresPosition>(snap_resume->stream);
    if (!snap_resume->segments.empty()) {
      m.filter.emplace(m.make_filter(snap_resume->segments));
      if (m.filter->done(stream)) m.filter.reset();
    }
    return m.start_stream(stream);
  }
  return m.start_stream(pg_resume ? *pg_resume : PostgresPosition{m.slot_lsn, Lsn{0}, 0});
}

// The re-snapshot machinery of this open (pg_resnapshot.h) and the signal table; `resume`: a
// checkpoint taken while a re-snapshot was asked for or ran, which goes on after its key.
Status PostgresSource::Impl::setup_resnapshot(const SnapshotPosition* resume) {
  signal_table.reset();
  if (const std::string& sig = o.signal_data_collection; !sig.empty()) {
    CDC_TRY_ASSIGN(signal_table, snapshot::parse_signal_table(sig, "schema.table"));
    signal_delivered = captured(*signal_table);
  }
  PgResnapshotHooks h;
  h.queue.captured = [this](const TableId& t) { return captured(t); };
  h.queue.schema_of = [this](const TableId& t) { return resnapshot_schema(t); };
  h.queue.connect_reader = [this]() -> Result<std::unique_ptr<snapshot::ChunkReader>> {
    auto reader = std::make_unique<PgChunkReader>(
        o, registry, [this](const TableId& t) -> const PgColumnTypes* {
          const auto it = column_types.find(t);
          return it == column_types.end() ? nullptr : &it->second;
        });
    CDC_TRY(reader->connect_for_windows());
    return std::unique_ptr<snapshot::ChunkReader>(std::move(reader));
  };
  // A transactional message on the source's own connection: its commit flushes the WAL, so
  // the walsender sends it at once (a non-transactional one waits in the WAL buffers for
  // another flush before PostgreSQL 17).
  h.emit_watermark = [this](const std::string& content) -> Status {
    if (o.resnapshot_window_pause.count() > 0)
      std::this_thread::sleep_for(o.resnapshot_window_pause);
    CDC_TRY(sql->query("SELECT pg_logical_emit_message(true, $1, $2)",
                       {std::string(kWatermarkPrefix), content}));
    return {};
  };
  resnap.emplace(o.pipeline_name, o.snapshot_chunk_size, o.resnapshot_max_reopens, std::move(h));
  if (resume != nullptr) {
    resnap->queue().resume(resume->resnapshot_tables, resume->resnapshot_after_key);
  }
  return {};
}

// Opens the snapshot's consistent read (the slot's own exported snapshot when open() just
// created the slot, else a temporary slot's) and plans the captured tables from `start` on.
Status PostgresSource::Impl::open_snapshot(const SnapshotPosition& start) {
  if (!start.segments.empty() && repl) {
    // The stream will start at the earliest segment's point: the slot must still hold it.
    const auto& first = std::get<PostgresPosition>(start.segments.front().at);
    if (static_cast<uint64_t>(slot_lsn) > static_cast<uint64_t>(first.commit_lsn)) {
      return make_error(Errc::invalid_config,
                        "replication slot " + o.slot_name + " was confirmed up to " +
                            to_string(slot_lsn) + ", beyond the snapshot's consistent point " +
                            to_string(first.commit_lsn) +
                            ": the changes in between are gone from it (was the slot dropped and "
                            "created again?); drop the checkpoints to take a new snapshot");
    }
  }
  // Every reader imports the one exported snapshot while its exporter is idle: the slot's own
  // creation in this open() (its replication connection waits for the stream), else a
  // temporary slot's, dropped as soon as the last reader has imported it.
  std::optional<TemporaryExport> temporary;
  ExportedSnapshot snap;
  if (exported) {
    snap = *std::exchange(exported, std::nullopt);
  } else {
    auto made = export_on_temporary_slot(o);
    if (!made) {
      return std::move(made).error().with_context(
          "a consistent read for the snapshot (a temporary replication slot with an exported "
          "snapshot: it needs a free slot and WAL sender)");
    }
    temporary.emplace(std::move(*made));
    snap = temporary->snapshot;
  }
  // A checkpoint of a parallel snapshot goes on in parallel whatever the option says now: its
  // splits were planned for it (one connection reads them one after the other).
  const bool parallel = o.snapshot_parallelism > 1 || !start.splits.empty();
  const uint32_t connections = parallel ? std::max<uint32_t>(o.snapshot_parallelism, 1) : 1;
  for (uint32_t i = 0; i < connections; ++i) {
    auto reader = std::make_unique<PgChunkReader>(
        o, registry, [this](const TableId& t) -> const PgColumnTypes* {
          const auto it = column_types.find(t);
          return it == column_types.end() ? nullptr : &it->second;
        });
    CDC_TRY(reader->import_snapshot(snap));
    chunk_readers.push_back(std::move(reader));
  }
  if (temporary) {
    if (Status dropped = temporary->drop(); !dropped) {
      return std::move(dropped).error().with_context("dropping the snapshot's temporary slot " +
                                                     temporary->slot_name);
    }
    temporary.reset();
  }
  snapshot::SnapshotReaderOptions so;
  so.pipeline_name = o.pipeline_name;
  so.connector = "postgresql";
  so.chunk_size = o.snapshot_chunk_size;
  if (parallel) {
    std::vector<snapshot::ChunkReader*> readers;
    for (auto& r : chunk_readers) readers.push_back(r.get());
    snapshot = std::make_unique<snapshot::ParallelSnapshotReader>(std::move(readers), start, so,
                                                                  o.max_batch_events);
  } else {
    snapshot = std::make_unique<snapshot::SnapshotReader>(*chunk_readers.front(), start, so);
  }
  CDC_TRY(snapshot->begin());
  CDC_TRY(snapshot->set_tables(seeded));
  return {};
}

// Every table is read: a snapshot-only source ends, an initial one starts the stream at the
// earliest segment with the filter that holds back what the later segments' rows hold.
Status PostgresSource::Impl::end_snapshot(Batch& batch) {
  const SnapshotPosition done = snapshot->position();
  snapshot_done = snapshot->progress();
  snapshot_done.reading = false;
  snapshot_done_tables = snapshot->table_progress();
  snapshot.reset();
  chunk_readers.clear();
  if (o.startup_mode == StartupMode::snapshot) {
    finished = done;
    batch.end_of_stream = true;
    return {};
  }
  const auto& stream = std::get<PostgresPosition>(done.stream);
  filter.emplace(make_filter(done.segments));
  if (filter->done(stream)) filter.reset();
  return start_stream(stream);
}

// Starts the replication stream at `start`, merged with the snapshot while `filter` is set.
Status PostgresSource::Impl::start_stream(const PostgresPosition& start_at) {
  if (static_cast<uint64_t>(slot_lsn) > static_cast<uint64_t>(start_at.commit_lsn)) {
    return make_error(
        Errc::invalid_config,
        "replication slot " + o.slot_name + " was confirmed up to " + to_string(slot_lsn) +
            ", beyond the checkpoint's " + to_string(start_at.commit_lsn) +
            ": the changes in between are gone from it (another client advanced the slot?)");
  }
  start = start_at;
  last_end = start_at;
  // The slot stays where it is until the runner acknowledges a checkpoint: the resume point may
  // be a sink's own offset record (Redis writes one with each bounded flush between checkpoints)
  // that the state store does not hold, and confirming it would put the slot beyond the newest
  // checkpoint.
  acked.store(static_cast<uint64_t>(slot_lsn));

  const std::string spool_dir =
      o.spool_dir.empty() ? std::filesystem::temp_directory_path().string() : o.spool_dir;
  std::error_code ec;
  std::filesystem::create_directories(spool_dir, ec);
  PgStreamConfig sc;
  sc.pipeline_name = o.pipeline_name;
  sc.database = o.database;
  sc.max_batch_events = o.max_batch_events;
  sc.spool_dir = spool_dir;
  sc.hooks = hooks();
  if (filter) {
    sc.keep = [this](const ChangeEvent& e, Lsn commit_lsn) {
      return filter->deliver(e, EventPosition(commit_lsn));
    };
  }
  sc.on_message = [this](const LogicalMessage& m) {
    if (resnap) resnap->on_message(m.prefix, m.content);
  };
  if (schema_store) {
    sc.record_version = [this](const PostgresPosition& at, const TableSchema& schema) -> Status {
      if (auto st = schema_store->put(at, schema); !st) {
        return std::move(st).error().with_context("the schema history of " + schema.id.to_string());
      }
      return {};
    };
  }
  stream = std::make_unique<PgStream>(sc, registry, start_at);
  CDC_TRY(seed_stream(start_at));

  std::string cmd = "START_REPLICATION SLOT " + PgConnection::quote_ident(o.slot_name) +
                    " LOGICAL " + to_string(start_at.commit_lsn) + " (proto_version '" +
                    std::to_string(o.proto_version) + "', publication_names " +
                    PgConnection::quote_literal(PgConnection::quote_ident(o.publication())) +
                    ", messages 'true'";
  if (o.proto_version >= 2 && o.streaming) cmd += ", streaming 'on'";
  cmd += ")";
  if (auto st = repl->start_copy_both(cmd); !st) {
    return std::move(st).error().with_context("START_REPLICATION of slot " + o.slot_name);
  }
  last_status = Clock::now();
  last_progress = Clock::now();
  last_membership_check = Clock::now();
  log::get("postgres")
      ->info("[pipeline={}] streaming slot {} from {} (pgoutput proto_version {}{}){}",
             o.pipeline_name, o.slot_name, to_string(Position(start_at)), o.proto_version,
             o.proto_version >= 2 && o.streaming ? ", streaming" : "",
             filter ? ", merged with the snapshot" : "");
  status_thread = std::jthread([this](std::stop_token stop) { status_loop(stop); });
  return {};
}

// The batch's end: a snapshot position while the filter merges the stream with the snapshot
// (a restart must filter the same way), the plain stream position after.
Position PostgresSource::Impl::stream_end(const PostgresPosition& end) {
  if (filter && filter->done(end)) {
    log::get("snapshot")
        ->info("[source={}] the stream passed the snapshot at {}", o.pipeline_name,
               to_string(Position(end)));
    filter.reset();
    stream->keep_all();
  }
  return with_resnapshot(end);
}

// A plain stream position, or a SnapshotPosition while the snapshot's merge goes on or a
// re-snapshot is asked for or runs (its tables and the key of its last row delivered, so that a
// restart goes on with it).
Position PostgresSource::Impl::with_resnapshot(const PostgresPosition& end) const {
  std::vector<SnapshotTable> tables;
  std::string after;
  if (resnap) resnap->queue().pending(tables, after);
  return snapshot::stream_resume_position(
      end, filter ? filter->segments() : std::vector<SnapshotSegment>{}, std::move(tables),
      std::move(after));
}

Position PostgresSource::current_position() const {
  const Impl& m = *impl_;
  if (m.snapshot) return m.snapshot->position();
  if (m.finished) return *m.finished;
  return m.with_resnapshot(m.last_end);
}

SnapshotProgress PostgresSource::snapshot_progress() const {
  SnapshotProgress p = impl_->snapshot ? impl_->snapshot->progress() : impl_->snapshot_done;
  if (const auto& r = impl_->resnap) p += r->queue().progress();
  return p;
}

std::vector<TableSnapshotProgress> PostgresSource::snapshot_tables() const {
  std::vector<TableSnapshotProgress> out =
      impl_->snapshot ? impl_->snapshot->table_progress() : impl_->snapshot_done_tables;
  if (impl_->resnap) snapshot::merge_table_progress(out, impl_->resnap->queue().table_progress());
  return out;
}

Status PostgresSource::request_snapshot(const std::vector<TableId>& tables) {
  if (impl_->o.startup_mode == StartupMode::snapshot) {
    return make_error(Errc::unsupported,
                      "re-snapshot while streaming: scan.startup.mode snapshot does not stream");
  }
  if (!impl_->resnap) return make_error(Errc::unavailable, "re-snapshot before the source opened");
  return impl_->resnap->queue().queue(tables, "request");
}

Result<std::unique_ptr<Batch>> PostgresSource::poll(std::chrono::milliseconds max_wait) {
  Impl& m = *impl_;
  auto batch = std::make_unique<Batch>();
  if (m.finished) {
    batch->end = *m.finished;
    batch->end_of_stream = true;
    return batch;
  }
  if (m.snapshot) {
    CDC_TRY_ASSIGN(const bool more, m.snapshot->fill(*batch, m.o.max_batch_events));
    // The stream's events name their database; so do the snapshot's.
    const std::string_view database = batch->arena.copy(m.o.database);
    for (auto& e : batch->events) e.source.database = database;
    if (!more) CDC_TRY(m.end_snapshot(*batch));
    return batch;
  }
  if (!m.stream || !m.repl) return make_error(Errc::internal, "poll before open");
  m.stream->new_batch();
  // A re-snapshot's window opens, and its chunk goes out, only between two transactions; its
  // requests wait while the initial snapshot's merge goes on.
  if (m.resnap && !m.filter && !m.stream->in_transaction() &&
      m.resnap->step(*batch, m.o.max_batch_events)) {
    const std::string_view database = batch->arena.copy(m.o.database);
    for (auto& e : batch->events) e.source.database = database;
    batch->end = m.stream_end(m.stream->position());
    return batch;
  }
  const auto deadline = Clock::now() + max_wait;
  std::optional<Clock::time_point> linger_end;
  {
    std::unique_lock lock(m.repl_mutex);
    if (m.stream->replaying()) CDC_TRY(m.stream->continue_replay(*batch));
    while (!m.stream->batch_full(*batch) && !m.stream->replaying()) {
      std::span<const std::byte> copy;
      CDC_TRY_ASSIGN(bool got, m.repl->try_read_copy(copy));
      if (got) {
        m.bytes += copy.size();
        CDC_TRY_ASSIGN(auto msg, decode_copy_data(copy));
        if (const auto* k = std::get_if<PrimaryKeepalive>(&msg)) {
          if (k->reply_requested) CDC_TRY(m.send_status_locked(false));
          continue;
        }
        const auto& x = std::get<XLogData>(msg);
        CDC_TRY(m.stream->handle(x.payload, x.start, *batch));
        // The stream stops at a re-snapshot window's watermark, after its transaction.
        if (m.resnap && m.resnap->at_watermark() && !m.stream->in_transaction()) break;
        continue;
      }
      // libpq's buffer holds no whole message: take what the socket already has.
      CDC_TRY_ASSIGN(const bool arrived, m.repl->wait_readable(std::chrono::milliseconds(0)));
      if (arrived) continue;
      const auto now = Clock::now();
      if (now - m.last_status >= m.o.status_interval || m.acked.load() != m.reported.load()) {
        CDC_TRY(m.send_status_locked(false));
      }
      if (!batch->events.empty() && catching_up(*m.stream)) {
        // The walsender, slower than this reader, sends a message or two per wakeup: rather
        // than hand over a batch (and wake the pipeline thread) per wakeup, sleep a little and
        // take what arrived meanwhile, for at most kCatchUpLinger per batch. Changes that
        // committed over kCatchUpAge ago wait that much longer; live ones never wait.
        if (!linger_end) linger_end = std::min(now + kCatchUpLinger, deadline);
        if (now < *linger_end) {
          std::this_thread::sleep_for(kCatchUpStep);
          continue;
        }
      }
      const PostgresPosition pos = m.stream->position();
      if (!batch->events.empty() || !(pos == m.last_end) || now >= deadline) break;
      CDC_TRY(m.repl->wait_readable(std::min<std::chrono::milliseconds>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
              std::chrono::milliseconds(1),
          std::chrono::milliseconds(100))));
    }
  }
  if (m.resnap) {
    for (const auto& e : batch->events) m.resnap->observe(e);
  }
  if (m.signal_table) {
    snapshot::take_signals(*batch, *m.signal_table, m.signal_delivered, m.o.pipeline_name,
                           [&m](const std::vector<TableId>& tables, std::string_view asked_by) {
                             return m.resnap->queue().queue(tables, asked_by);
                           });
  }
  const PostgresPosition end = m.stream->position();
  if (!(end == m.last_end)) m.last_progress = Clock::now();
  CDC_TRY(m.heartbeat_and_lag());
  if (batch->events.empty() && end == m.last_end) return std::unique_ptr<Batch>();
  m.last_end = end;
  batch->end = m.stream_end(end);
  return batch;
}

void PostgresSource::acknowledge(const Position& committed) {
  const auto* pg = std::get_if<PostgresPosition>(&committed);
  // After a snapshot's rows, its stream position; while they are read, nothing to confirm.
  if (const auto* sp = std::get_if<SnapshotPosition>(&committed); sp && !sp->reading) {
    pg = std::get_if<PostgresPosition>(&sp->stream);
  }
  if (pg == nullptr) return;
  // Only forward: a checkpoint never moves the slot back, and never beyond what it holds.
  uint64_t want = static_cast<uint64_t>(pg->commit_lsn);
  uint64_t cur = impl_->acked.load();
  while (want > cur && !impl_->acked.compare_exchange_weak(cur, want)) {
  }
  impl_->wake.notify_all();
}

uint64_t PostgresSource::bytes_read() const { return impl_->bytes; }

std::vector<TableSchemaPtr> PostgresSource::known_schemas() const { return impl_->seeded; }

Lsn PostgresSource::reported_flush() const { return Lsn{impl_->reported.load()}; }

int64_t PostgresSource::slot_lag_bytes() const { return impl_->lag_bytes.load(); }

uint64_t PostgresSource::resnapshot_rows_skipped() const {
  return impl_->resnap ? impl_->resnap->queue().rows_skipped() : 0;
}

uint64_t PostgresSource::resnapshot_windows_reopened() const {
  return impl_->resnap ? impl_->resnap->windows_reopened() : 0;
}

uint64_t PostgresSource::resnapshot_chunks_cut() const {
  return impl_->resnap ? impl_->resnap->queue().chunks_cut() : 0;
}

void PostgresSource::close() {
  if (!impl_) return;
  if (impl_->status_thread.joinable()) {
    impl_->status_thread.request_stop();
    impl_->status_thread.join();
  }
  std::lock_guard lock(impl_->repl_mutex);
  if (impl_->resnap && impl_->resnap->queue().running()) {
    log::get("snapshot")
        ->info(
            "[source={}] a re-snapshot was cut short: the next open resumes it after the last row "
            "the checkpoint holds",
            impl_->o.pipeline_name);
  }
  impl_->resnap.reset();
  impl_->snapshot.reset();
  impl_->chunk_readers.clear();
  if (impl_->repl && !impl_->repl->end_copy_both(kEndStreamWait)) {
    log::get("postgres")
        ->debug(
            "[source={}] the stream did not end cleanly; the server frees the slot once it "
            "sees the connection closed",
            impl_->o.pipeline_name);
  }
  impl_->repl.reset();
  impl_->sql.reset();
  impl_->stream.reset();
}

}  // namespace cdc::postgres
