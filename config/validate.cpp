#include "config/validate.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "cdc/core/log.h"
#include "cdc/core/regex.h"
#include "cdc/core/text.h"
#include "config/datagen_type.h"
#include "config/pipeline_id.h"
#include "config/units.h"
#include "config/validate_internal.h"

namespace cdc::config {

namespace {
// The sink options derived from the pipeline section: its name and delivery guarantee.
void normalize_kafka(sinks::kafka::KafkaOptions& k, const PipelineOptions& p) {
  k.pipeline = p.id;
  k.exactly_once = p.delivery == Delivery::exactly_once;
  if (auto it = k.properties.find("bootstrap.servers"); it != k.properties.end())
    k.bootstrap_servers = it->second;
  if (k.topic_prefix.empty()) k.topic_prefix = p.id;
  if (k.offsets_topic.empty()) k.offsets_topic = p.id + ".offsets";
  if (k.transactional_id.empty()) k.transactional_id = p.id;
}

void normalize_redis_key(sinks::redis::TableRule& t) {
  if (t.key.empty())
    t.key = t.mode == sinks::redis::Mode::stream ? "{db}:{table}:changes" : "{db}:{table}:{pk}";
}
}  // namespace

void normalize(PipelineConfig& p) {
  // Every identifier below comes from the id, never from the name itself (pipeline_id.h).
  const std::string& id = p.pipeline.id = pipeline_id(p.pipeline.name);
  if (p.pipeline.state_dir.empty() && !p.pipeline.name.empty()) {
    p.pipeline.state_dir = "/var/lib/sluice/" + id;
    log::get("config")->debug("pipeline {}: state.dir defaults to {}", p.pipeline.name,
                              p.pipeline.state_dir);
  }
  if (auto* r = std::get_if<sinks::redis::RedisOptions>(&p.sink)) {
    r->pipeline = id;
    r->exactly_once = p.pipeline.delivery == Delivery::exactly_once;
    if (r->offset_key.empty()) r->offset_key = "sluice:offset:" + id;
    normalize_redis_key(r->defaults);
    for (sinks::redis::TableRule& t : r->tables) normalize_redis_key(t);
  }
  if (auto* k = std::get_if<sinks::kafka::KafkaOptions>(&p.sink)) normalize_kafka(*k, p.pipeline);
  if (auto* d = std::get_if<sinks::doris::DorisOptions>(&p.sink)) {
    d->pipeline = id;
    if (d->label_prefix.empty()) d->label_prefix = id;
    // At-least-once delivery loads without two-phase commit.
    if (p.pipeline.delivery != Delivery::exactly_once) d->enable_2pc = false;
    using B = sinks::doris::SchemaChangeBehavior;
    const std::string& b = p.pipeline.schema_change_behavior;
    if (!d->create_tables) {
      d->schema_change = B::ignore;  // no table is changed
    } else if (b == "try_evolve") {
      d->schema_change = B::try_evolve;
    } else if (b == "lenient") {
      d->schema_change = B::lenient;
    } else if (b == "ignore") {
      d->schema_change = B::ignore;
    } else if (b == "exception") {
      d->schema_change = B::exception;
    }  // evolve, or no key: evolve
  }
  if (auto* m = std::get_if<mysql::MysqlSourceOptions>(&p.source)) {
    m->pipeline_name = id;
    if (m->server_id.first == 0) {  // no server-id in the file (a bad one is a problem already)
      m->server_id.first = m->server_id.last = default_server_id(id);
      m->server_id_derived = true;
    }
  }
  if (auto* d = std::get_if<datagen::DatagenOptions>(&p.source)) d->pipeline_name = id;
  if (auto* pg = std::get_if<postgres::PostgresSourceOptions>(&p.source)) {
    pg->pipeline_name = id;
    // Flink CDC names the database in each `tables` pattern (db.schema.table): without
    // database-name, the first pattern's database part, when it is a plain name.
    if (pg->database.empty() && !pg->table_include.empty()) {
      const std::string& first = pg->table_include.front();
      // The separator is a regex: `\.` (a literal dot) or `.`.
      const size_t escaped = first.find("\\.");
      const std::string db =
          first.substr(0, escaped != std::string::npos ? escaped : first.find('.'));
      const bool plain = !db.empty() && db.size() < first.size() &&
                         db.find_first_of("\\^$*+?()[]{}|") == std::string::npos;
      if (plain) pg->database = db;
    }
  }
}

void normalize(ConfigFile& file) {
  for (PipelineConfig& p : file.pipelines) normalize(p);
}

std::vector<Problem> validate(const ConfigFile& file, const LocationMap& where) {
  return detail::validate(file, where, {});
}

namespace detail {
namespace {

class Checker {
 public:
  Checker(const ConfigFile& file, const LocationMap& where,
          const std::set<std::string, std::less<>>& reported)
      : file_(file), where_(where), reported_(reported) {}

  // Adds a problem at `path` unless `path`, one of its ancestors or one of `also` was reported.
  void add(const std::string& path, std::string message,
           std::initializer_list<std::string_view> also = {}) {
    if (was_reported(path)) return;
    for (std::string_view p : also) {
      if (was_reported(p)) return;
    }
    const SourceLocation at = locate(path);
    problems.push_back(Problem{file_.path, at.line, at.column, path, std::move(message)});
  }

  void check_regex(const std::string& path, const std::string& pattern) {
    if (auto re = compile_regex(pattern, RegexCase::sensitive); !re) {
      add(path, "invalid regex " + quote(pattern) + ": " + re.error().message);
    }
  }

  std::vector<Problem> problems;

 private:
  // "a.b[2].c" -> "a.b[2]" -> "a.b" -> "a" -> "": views into the caller's string.
  static std::string_view parent(std::string_view path) {
    const size_t cut = path.find_last_of(".[");
    return cut == std::string_view::npos ? std::string_view() : path.substr(0, cut);
  }
  bool was_reported(std::string_view path) const {
    for (; !path.empty(); path = parent(path)) {
      if (reported_.find(path) != reported_.end()) return true;
    }
    return false;
  }
  // The position of `path`, or of its nearest ancestor that has one.
  SourceLocation locate(std::string_view path) const {
    for (;; path = parent(path)) {
      if (auto it = where_.find(path); it != where_.end()) return it->second;
      if (path.empty()) return {};
    }
  }

  const ConfigFile& file_;
  const LocationMap& where_;
  const std::set<std::string, std::less<>>& reported_;
};

// Free text as in Flink CDC; control characters would garble logs and the status table.
bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 200) return false;
  return std::none_of(name.begin(), name.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// Flink CDC's schema.change.behavior, where it names what the sink does with a schema change.
void check_schema_change_behavior(Checker& c, const PipelineConfig& p, const std::string& path) {
  const std::string& b = p.pipeline.schema_change_behavior;
  if (b.empty()) return;
  if (b != "ignore" && b != "lenient" && b != "try_evolve" && b != "evolve" && b != "exception") {
    c.add(path,
          "expected one of ignore, lenient, try_evolve, evolve, exception, found " + quote(b));
    return;
  }
  if (const auto* d = std::get_if<sinks::doris::DorisOptions>(&p.sink)) {
    if (!d->create_tables && b != "ignore") {
      c.add(path, "Flink CDC schema.change.behavior " + quote(b) +
                      " is not supported with table.create.enabled: false: sluice then changes no "
                      "Doris table (ignore)");
    }
  } else if (b == "ignore" || b == "exception") {
    c.add(path, "Flink CDC schema.change.behavior " + quote(b) +
                    " is not supported with this sink: it writes each row with the columns it "
                    "has; use lenient, try_evolve or evolve");
  }
}

void check_pipeline_options(Checker& c, const PipelineOptions& o, const std::string& prefix) {
  const auto key = [&](std::string_view k) { return join_path(prefix, k); };
  if (!valid_name(o.name)) {
    c.add(key("name"),
          "expected a name of 1..200 bytes without control characters, found " + quote(o.name));
  }
  if (o.local_time_zone.empty()) {
    c.add(key("local-time-zone"),
          "expected a time zone such as UTC, +08:00 or Asia/Shanghai, "
          "found ''");
  }
  if (o.checkpoint_interval < std::chrono::milliseconds(10)) {
    c.add(key("checkpoint.interval"),
          "expected a duration >= 10ms, found " + quote(format_duration(o.checkpoint_interval)));
  }
  if (o.checkpoint_retained < 1) {
    c.add(key("checkpoint.retained"), "expected an integer >= 1, found '0'");
  }
  if (o.state_dir.empty()) c.add(key("state.dir"), "expected a directory path, found ''");
  if (o.metrics_port != 0 && o.metrics_bind_address.empty()) {
    c.add(key("metrics.bind-address"), "expected an address to listen on, found ''");
  }
  if (o.queue_max_events < 1) c.add(key("queue.max-events"), "expected an integer >= 1, found '0'");
  if (o.queue_max_bytes < (64u << 10)) {
    c.add(key("queue.max-bytes"),
          "expected a size >= 64kb, found " + quote(format_size(o.queue_max_bytes)));
  }
  if (o.restart_initial_backoff <= std::chrono::milliseconds(0)) {
    c.add(key("restart.initial-backoff"), "expected a duration > 0, found '0ms'");
  }
  if (o.restart_max_backoff < o.restart_initial_backoff) {
    c.add(key("restart.max-backoff"),
          "expected a duration >= restart.initial-backoff (" +
              format_duration(o.restart_initial_backoff) + "), found " +
              quote(format_duration(o.restart_max_backoff)),
          {key("restart.initial-backoff")});
  }
}

void check_postgres(Checker& c, const postgres::PostgresSourceOptions& o,
                    const std::string& prefix) {
  const auto key = [&](std::string_view k) { return join_path(prefix, k); };
  if (o.host.empty()) c.add(key("hostname"), "expected a host name or address, found ''");
  if (o.port == 0) c.add(key("port"), "expected an integer 1..65535, found '0'");
  if (o.user.empty()) c.add(key("username"), "expected a user name, found ''");
  if (o.table_include.empty()) {
    c.add(key("tables"),
          "expected at least one table regex such as app_db.public.orders, found none");
  }
  for (const std::string& t : o.table_include) c.check_regex(key("tables"), t);
  for (const std::string& t : o.table_exclude) c.check_regex(key("tables.exclude"), t);
  if (o.database.empty() && !o.table_include.empty()) {
    c.add(key("database-name"),
          "the database is not a plain name in the first tables pattern " +
              quote(o.table_include.front()) + ": set database-name",
          {key("tables")});
  }
  if (o.slot_name.empty()) c.add(key("slot.name"), "expected a replication slot name, found ''");
  if (o.streaming && o.proto_version < 2) {
    c.add(
        key("streaming"),
        "streaming needs protocol.version 2, found 1: set streaming: false or protocol.version: 2",
        {key("protocol.version")});
  }
  if ((o.ssl_mode == postgres::SslMode::verify_ca ||
       o.ssl_mode == postgres::SslMode::verify_full) &&
      o.ssl_root_cert.empty()) {
    c.add(key("sslmode"),
          "sslmode " + std::string(to_string(o.ssl_mode)) +
              " checks the server certificate against a CA: set sslrootcert to its PEM file",
          {key("sslrootcert")});
  }
  if (o.ssl_cert.empty() != o.ssl_key.empty()) {
    c.add(key(o.ssl_cert.empty() ? "sslkey" : "sslcert"),
          "a client certificate needs both sslcert and sslkey",
          {key(o.ssl_cert.empty() ? "sslcert" : "sslkey")});
  }
  if (o.status_interval <= std::chrono::milliseconds(0)) {
    c.add(key("status.interval"), "expected a duration > 0, found '0ms'");
  }
  if (o.connect_timeout <= std::chrono::milliseconds(0)) {
    c.add(key("connect.timeout"), "expected a duration > 0, found '0ms'");
  }
  if (const std::string& sig = o.signal_data_collection; !sig.empty()) {
    const size_t dot = sig.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == sig.size() ||
        sig.find('.', dot + 1) != std::string::npos) {
      c.add(key("signal.data-collection"), "expected \"schema.table\", found '" + sig + "'");
    }
  }
}

void check_mysql(Checker& c, const mysql::MysqlSourceOptions& o, const std::string& prefix) {
  using mysql::StartupMode;
  using mysql::TlsMode;
  const auto key = [&](std::string_view k) { return join_path(prefix, k); };
  if (auto servers = mysql::parse_server_list(o.host, o.port); !servers) {
    c.add(key("hostname"), servers.error().message);
  }
  if (o.port == 0) c.add(key("port"), "expected an integer 1..65535, found '0'");
  if (o.user.empty()) c.add(key("username"), "expected a user name, found ''");
  if (o.table_include.empty()) {
    c.add(key("tables"), "expected at least one table regex such as app_db.orders, found none");
  }
  for (const std::string& t : o.table_include) c.check_regex(key("tables"), t);
  for (const std::string& t : o.table_exclude) c.check_regex(key("tables.exclude"), t);
  if (o.server_id.first == 0) {
    c.add(key("server-id"),
          "expected a server id 1..4294967295 or a range such as 5400-5404, found '0'");
  } else if (o.server_id.first > o.server_id.last) {
    c.add(key("server-id"), "expected a range first-last with first <= last, found '" +
                                std::to_string(o.server_id.first) + "-" +
                                std::to_string(o.server_id.last) + "'");
  }
  if (o.server_time_zone.empty()) c.add(key("server-time-zone"), "expected a time zone, found ''");
  const std::string mode = key("scan.startup.mode");
  if (o.startup_mode == StartupMode::specific_offset) {
    if (o.specific_offset_file.empty() && o.specific_gtid_set.empty()) {
      c.add(
          mode,
          "startup mode specific-offset needs scan.startup.specific-offset.file (with .pos) or "
          "scan.startup.specific-offset.gtid-set",
          {key("scan.startup.specific-offset.file"), key("scan.startup.specific-offset.gtid-set")});
    } else if (!o.specific_offset_file.empty() && !o.specific_offset_pos) {
      c.add(key("scan.startup.specific-offset.file"),
            "scan.startup.specific-offset.file needs scan.startup.specific-offset.pos",
            {key("scan.startup.specific-offset.pos")});
    }
  }
  if (o.startup_mode == StartupMode::timestamp && !o.startup_timestamp_ms) {
    c.add(mode, "startup mode timestamp needs scan.startup.timestamp-millis",
          {key("scan.startup.timestamp-millis")});
  }
  if ((o.tls.mode == TlsMode::verify_ca || o.tls.mode == TlsMode::verify_identity) &&
      o.tls.ca.empty()) {
    c.add(key("ssl-mode"),
          "ssl-mode " + std::string(to_string(o.tls.mode)) +
              " checks the server certificate against a CA: set ssl.ca to its PEM file",
          {key("ssl.ca")});
  }
  if (o.tls.cert.empty() != o.tls.key.empty()) {
    c.add(key(o.tls.cert.empty() ? "ssl.key" : "ssl.cert"),
          "a client certificate needs both ssl.cert and ssl.key",
          {key(o.tls.cert.empty() ? "ssl.cert" : "ssl.key")});
  }
  if (o.heartbeat_period <= std::chrono::milliseconds(0)) {
    c.add(key("heartbeat.interval"), "expected a duration > 0, found '0ms'");
  }
  if (o.connect_timeout <= std::chrono::milliseconds(0)) {
    c.add(key("connect.timeout"), "expected a duration > 0, found '0ms'");
  }
  if (o.snapshot_chunk_size < 1) {
    c.add(key("scan.incremental.snapshot.chunk.size"), "expected an integer >= 1, found '0'");
  }
  if (const std::string& sig = o.signal_data_collection; !sig.empty()) {
    const size_t dot = sig.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == sig.size()) {
      c.add(key("signal.data-collection"), "expected \"db.table\", found '" + sig + "'");
    }
  }
  if (o.max_transaction_payload_bytes < (64u << 10)) {
    c.add(key("transaction-payload.max-size"),
          "expected a size >= 64kb, found " + quote(format_size(o.max_transaction_payload_bytes)));
  }
  if (o.snapshot_fetch_size < 1) {
    c.add(key("scan.snapshot.fetch.size"), "expected an integer >= 1, found '0'");
  }
}

void check_datagen(Checker& c, const datagen::DatagenOptions& o, const std::string& prefix) {
  const auto key = [&](std::string_view k) { return join_path(prefix, k); };
  if (o.database.empty()) c.add(key("database"), "expected a database name, found ''");
  if (o.table.empty()) c.add(key("table"), "expected a table name, found ''");
  if (o.columns.empty()) c.add(key("columns"), "expected at least one column, found none");
  if (o.batch_size < 1) c.add(key("batch-size"), "expected an integer >= 1, found '0'");
  if (!(o.rows_per_second >= 0)) c.add(key("rows-per-second"), "expected a number >= 0");
  std::map<std::string, size_t> names;
  for (size_t i = 0; i < o.columns.size(); ++i) {
    const datagen::ColumnSpec& col = o.columns[i];
    const std::string cp = key("columns") + "[" + std::to_string(i) + "]";
    const auto ck = [&](std::string_view k) { return join_path(cp, k); };
    if (col.name.empty()) {
      c.add(ck("name"), "expected a column name, found ''");
    } else if (auto [it, fresh] = names.emplace(col.name, i); !fresh) {
      c.add(ck("name"), "duplicate column name " + quote(col.name) + " (also columns[" +
                            std::to_string(it->second) + "])");
    }
    auto type = parse_datagen_type(col.type);
    if (!type) {
      c.add(ck("type"), type.error().message);
      continue;
    }
    if (col.kind == datagen::ColumnSpec::Kind::sequence && !type->is_integer()) {
      c.add(ck("kind"), "kind sequence needs an integer type, found " + quote(col.type),
            {ck("type")});
    }
    if ((col.min || col.max) && !type->is_numeric() &&
        col.kind != datagen::ColumnSpec::Kind::sequence) {
      c.add(ck(col.min ? "min" : "max"),
            "min and max apply to numeric types only, found type " + quote(col.type));
    }
    if (col.min && col.max && *col.min > *col.max) {
      c.add(ck("max"), "expected max >= min", {ck("min")});
    }
    if (col.length && !type->is_string()) {
      c.add(ck("length"),
            "length applies to char, varchar and text only, found type " + quote(col.type));
    }
    if (!(col.null_rate >= 0 && col.null_rate <= 1)) {
      c.add(ck("null-rate"), "expected a number 0..1");
    } else if (col.primary_key && col.null_rate > 0) {
      c.add(ck("null-rate"), "a primary-key column cannot be NULL; expected 0",
            {ck("primary-key")});
    }
  }
}

// One mapping of Redis table options. `given` is what the mapping inherits from (the built-in
// defaults for the sink level, the sink level for a `tables` item): a mode-specific key that
// differs from it was set here, and must suit this mapping's mode.
void check_redis_table(Checker& c, const sinks::redis::TableRule& t,
                       const sinks::redis::TableRule& given, const std::string& prefix,
                       bool check_modes) {
  using sinks::redis::Mode;
  const auto key = [&](std::string_view k) { return join_path(prefix, k); };
  if (auto parts = sinks::redis::parse_key_template(t.key); !parts)
    c.add(key("key"), parts.error().message);
  if (!check_modes) return;
  const std::string mode = quote(to_string(t.mode));
  if (t.value_column != given.value_column && t.mode != Mode::string) {
    c.add(key("value.column"), "value.column applies to mode string only, found mode " + mode);
  }
  if (t.ttl != given.ttl && t.mode != Mode::string && t.mode != Mode::hash) {
    c.add(key("ttl"), "ttl applies to modes string and hash only, found mode " + mode);
  }
  if (t.hash_changed_only != given.hash_changed_only && t.mode != Mode::hash) {
    c.add(key("hash.changed-columns-only"),
          "hash.changed-columns-only applies to mode hash only, found mode " + mode);
  }
  if (t.channel != given.channel && t.mode != Mode::invalidate) {
    c.add(key("invalidate.channel"),
          "invalidate.channel applies to mode invalidate only, found mode " + mode);
  }
  if (t.stream_maxlen != given.stream_maxlen && t.mode != Mode::stream) {
    c.add(key("stream.maxlen"), "stream.maxlen applies to mode stream only, found mode " + mode);
  }
}

void check_redis(Checker& c, const sinks::redis::RedisOptions& o, const std::string& prefix) {
  const auto key = [&](std::string_view k) { return join_path(prefix, k); };
  if (o.host.empty() && o.socket.empty()) {
    c.add(key("host"), "expected a host name (or a socket path in 'socket'), found ''");
  }
  if (!o.username.empty() && o.password.empty()) {
    c.add(key("password"), "AUTH with username " + quote(o.username) + " needs a password",
          {key("username")});
  }
  if (o.tls && !o.socket.empty()) {
    c.add(key("tls"), "TLS is for TCP: use host and port instead of socket", {key("socket")});
  }
  if (!o.tls && (!o.tls_ca.empty() || !o.tls_cert.empty() || !o.tls_key.empty())) {
    const char* given = !o.tls_ca.empty() ? "tls.ca" : !o.tls_cert.empty() ? "tls.cert" : "tls.key";
    c.add(key(given), std::string(given) + " needs 'tls: true'");
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    c.add(key(o.tls_cert.empty() ? "tls.cert" : "tls.key"),
          "tls.cert and tls.key go together: a client certificate needs its key");
  }
  if (o.connect_timeout <= std::chrono::milliseconds(0)) {
    c.add(key("connect.timeout"), "expected a duration > 0, found '0ms'");
  }
  if (o.command_timeout <= std::chrono::milliseconds(0)) {
    c.add(key("command.timeout"), "expected a duration > 0, found '0ms'");
  }
  if (o.key_separator.empty()) {
    // "1"+"23" and "12"+"3" would be one key.
    c.add(key("key.separator"), "expected a non-empty separator such as ':', found ''");
  }
  if (o.offset_key.empty()) c.add(key("offset.key"), "expected a key name, found ''");
  // Sink-level mode-specific keys also serve the tables whose mode uses them.
  check_redis_table(c, o.defaults, sinks::redis::TableRule{}, prefix, o.tables.empty());
  for (size_t i = 0; i < o.tables.size(); ++i) {
    const sinks::redis::TableRule& t = o.tables[i];
    const std::string tp = key("tables") + "[" + std::to_string(i) + "]";
    if (t.source_table.empty()) {
      c.add(join_path(tp, "source-table"), "expected a table regex, found ''");
    } else {
      c.check_regex(join_path(tp, "source-table"), t.source_table);
    }
    check_redis_table(c, t, o.defaults, tp, true);
  }
}

// Kafka's rule for topic names: 1..249 of [a-zA-Z0-9._-].
bool valid_topic_name(std::string_view t) {
  if (t.empty() || t.size() > 249) return false;
  for (char ch : t) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '-')
      return false;
  }
  return true;
}

void check_kafka(Checker& c, const sinks::kafka::KafkaOptions& o, const std::string& prefix) {
  const auto key = [&](std::string_view k) { return join_path(prefix, k); };
  const auto bootstrap = o.properties.find("bootstrap.servers");
  if (bootstrap == o.properties.end() || bootstrap->second.empty()) {
    c.add(key("properties.bootstrap.servers"),
          "expected the Kafka brokers (host:port[,host:port...]), found none");
  }
  for (const char* own : {"enable.idempotence", "transactional.id"}) {
    if (o.properties.count(own) != 0) {
      c.add(key(std::string("properties.") + own),
            std::string(own) +
                " is set by the sink (pipeline.delivery and sink.transactional.id decide it)");
    }
  }
  if (!o.topic.empty() && !valid_topic_name(o.topic)) {
    c.add(key("topic"),
          "expected a topic name of 1..249 of [a-zA-Z0-9._-], found " + quote(o.topic));
  }
  if (o.topic.empty()) {
    // Placeholders: {prefix}, {db}, {table}; the text around them must be valid in a topic.
    std::string probe;
    std::string_view t = o.topic_template;
    bool bad = false;
    while (!t.empty()) {
      if (t.front() == '{') {
        const size_t close = t.find('}');
        const std::string_view name = close == std::string_view::npos ? t : t.substr(1, close - 1);
        if (close == std::string_view::npos ||
            (name != "prefix" && name != "db" && name != "table")) {
          c.add(key("topic.template"), "unknown or unclosed placeholder in " +
                                           quote(o.topic_template) +
                                           "; expected {prefix}, {db} or {table}");
          bad = true;
          break;
        }
        probe += "x";
        t.remove_prefix(close + 1);
      } else {
        probe.push_back(t.front());
        t.remove_prefix(1);
      }
    }
    if (!bad && !valid_topic_name(probe)) {
      c.add(key("topic.template"),
            "expected a template giving topic names of [a-zA-Z0-9._-], found " +
                quote(o.topic_template));
    }
  }
  if (!valid_topic_name(o.offsets_topic)) {
    c.add(key("offsets.topic"),
          "expected a topic name of 1..249 of [a-zA-Z0-9._-], found " + quote(o.offsets_topic));
  }
  if (!o.schema_change_topic.empty() && !valid_topic_name(o.schema_change_topic)) {
    c.add(key("schema-change.topic"), "expected a topic name of 1..249 of [a-zA-Z0-9._-], found " +
                                          quote(o.schema_change_topic));
  }
  if (o.operation_timeout <= std::chrono::milliseconds(0)) {
    c.add(key("operation.timeout"), "expected a duration > 0, found '0ms'");
  }
  for (const std::string& col : o.key_columns) {
    if (col.empty()) c.add(key("key.columns"), "expected column names, found an empty one");
  }
}

// Doris, "Group Commit": the `group_commit` header is off_mode, sync_mode or async_mode
// (case-insensitive); a load with two_phase_commit is silently not group-committed, so it is
// refused here rather than ignored; the Unique Key commit order is not kept across group
// commits ("use sequence column to ensure the data consistency"), so the sink's sequence
// column is required.
template <typename Key>
void check_doris_group_commit(Checker& c, const sinks::doris::DorisOptions& o, const Key& key) {
  const auto it = o.stream_load_properties.find("group_commit");
  if (it == o.stream_load_properties.end()) return;
  const std::string mode = lower_ascii(it->second);
  const std::string where = "sink.properties.group_commit";
  if (mode != "off_mode" && mode != "sync_mode" && mode != "async_mode") {
    c.add(key(where), "expected off_mode, sync_mode or async_mode, found " + quote(it->second));
    return;
  }
  if (mode == "off_mode") return;
  if (o.enable_2pc) {
    c.add(key(where),
          "group commit cannot be used with two-phase commit (Doris does not group-commit a "
          "two_phase_commit load); set pipeline.delivery: at-least-once, or remove it");
  }
  if (!o.sequence_from_position) {
    c.add(key(where),
          "group commit does not keep the order of loads into a Unique Key table (Doris docs, "
          "\"Group Commit\"); set sink.sequence-column: source-position with it");
  }
}

// `unique_key_update_mode`: UPSERT, Doris's default, or UPDATE_FLEXIBLE_COLUMNS, which Doris
// refuses together with function_column.sequence_col and group_commit ("Flexible Partial
// Column Updates"). UPDATE_FIXED_COLUMNS would make every load partial: the sink decides that
// per load itself.
template <typename Key>
void check_doris_update_mode(Checker& c, const sinks::doris::DorisOptions& o, const Key& key) {
  const auto it = o.stream_load_properties.find("unique_key_update_mode");
  if (it == o.stream_load_properties.end()) return;
  const std::string where = "sink.properties.unique_key_update_mode";
  const std::string mode = lower_ascii(it->second);
  if (mode != "upsert" && mode != "update_flexible_columns") {
    c.add(key(where), "expected UPSERT or UPDATE_FLEXIBLE_COLUMNS, found " + quote(it->second) +
                          (mode == "update_fixed_columns"
                               ? " (the sink loads partial column updates itself, as each "
                                 "change needs)"
                               : ""));
    return;
  }
  if (mode == "upsert") return;
  if (o.sequence_from_position) {
    c.add(key(where),
          "flexible partial updates cannot be used with sink.sequence-column (Doris refuses "
          "function_column.sequence_col with them)");
  }
  const auto gc = o.stream_load_properties.find("group_commit");
  if (gc != o.stream_load_properties.end() && lower_ascii(gc->second) != "off_mode") {
    c.add(key(where),
          "flexible partial updates cannot be used with group_commit (Doris "
          "refuses the two together)");
  }
}

void check_doris(Checker& c, const sinks::doris::DorisOptions& o, const PipelineOptions& p,
                 const std::string& prefix, const std::string& pipeline_key) {
  const auto key = [&](std::string_view k) { return join_path(prefix, k); };
  if (o.fenodes.find(':') == std::string::npos) {
    c.add(key("fenodes"), "expected the FE's HTTP address as host:port, found " + quote(o.fenodes));
  }
  for (const std::string& be : sinks::doris::split_be_nodes(o.benodes)) {
    if (be.find(':') == std::string::npos) {
      c.add(key("benodes"), "expected BE HTTP addresses as host:port[,host:port...], found " +
                                quote(be) + " in " + quote(o.benodes));
    }
  }
  check_doris_group_commit(c, o, key);
  check_doris_update_mode(c, o, key);
  if (p.delivery == Delivery::exactly_once && !o.enable_2pc) {
    c.add(key("sink.enable-2pc"),
          "exactly-once delivery needs two-phase commit; set pipeline.delivery: at-least-once "
          "to load without it");
  }
  // Doris label rule ^[-_A-Za-z0-9:]{1,128}$; the prefix leaves room for the rest.
  const bool prefix_ok =
      !o.label_prefix.empty() && o.label_prefix.size() <= 64 &&
      std::all_of(o.label_prefix.begin(), o.label_prefix.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == ':';
      });
  if (!prefix_ok) {
    c.add(key("sink.label-prefix"), "expected 1..64 of [-_A-Za-z0-9:] (Doris labels), found " +
                                        quote(o.label_prefix) +
                                        " (the default is the pipeline's id, from its name)");
  }
  if (o.table_identifier.find('.') == std::string::npos) {
    c.add(key("table.identifier"),
          "expected <database>.<table> with {db} and {table}, found " + quote(o.table_identifier));
  }
  // Any other brace would reach Doris as part of a name (e.g. {schema}: a PostgreSQL source's
  // schema is its {db}).
  for (size_t open = o.table_identifier.find('{'); open != std::string::npos;
       open = o.table_identifier.find('{', open + 1)) {
    const std::string_view rest = std::string_view(o.table_identifier).substr(open);
    if (!rest.starts_with("{db}") && !rest.starts_with("{table}")) {
      c.add(key("table.identifier"),
            "unknown or unclosed placeholder in " + quote(o.table_identifier) +
                "; expected {db} (a PostgreSQL source's schema) or {table}");
      break;
    }
  }
  for (const char* own :
       {"label", "format", "read_json_by_line", "two_phase_commit", "hidden_columns",
        "strip_outer_array", "columns", "merge_type", "partial_columns"}) {
    if (o.stream_load_properties.count(own) != 0) {
      c.add(key(std::string("sink.properties.") + own),
            std::string(own) + " is set by the sink and cannot be overridden");
    }
  }
  if (o.sequence_from_position) {
    if (o.stream_load_properties.count("function_column.sequence_col") != 0) {
      c.add(key("sink.properties.function_column.sequence_col"),
            "function_column.sequence_col is set by the sink with sink.sequence-column: "
            "source-position and cannot be overridden");
    }
    for (const char* p : {"function_column.sequence_type", "function_column.sequence_col"}) {
      if (o.table_properties.count(p) != 0) {
        c.add(key(std::string("table.create.properties.") + p),
              std::string("with sink.sequence-column: source-position the sink creates tables "
                          "with function_column.sequence_type = largeint; remove ") +
                  p);
      }
    }
  }
  if (o.http_timeout <= std::chrono::milliseconds(0)) {
    c.add(key("sink.http.timeout"), "expected a duration > 0, found '0ms'");
  }
  // A checkpoint's loads stay PRECOMMITTED until the next checkpoint commits them; Doris
  // aborts precommitted loads after stream_load_default_precommit_timeout_second (3600 s).
  if (p.delivery == Delivery::exactly_once && p.checkpoint_interval >= std::chrono::minutes(30)) {
    c.add(join_path(pipeline_key, "checkpoint.interval"),
          "with the Doris sink, a checkpoint interval of 30 minutes or more comes too close to "
          "Doris's precommit timeout (stream_load_default_precommit_timeout_second, 3600 s)");
  }
}

}  // namespace

std::vector<Problem> validate(const ConfigFile& file, const LocationMap& where,
                              const std::set<std::string, std::less<>>& already_reported) {
  Checker c(file, where, already_reported);
  std::map<std::string, std::string> names;  // pipeline name -> key path of its first use
  std::map<std::string, std::string> ids;    // pipeline id -> key path of its first use
  for (size_t i = 0; i < file.pipelines.size(); ++i) {
    const PipelineConfig& p = file.pipelines[i];
    const std::string prefix =
        file.pipelines_list ? "pipelines[" + std::to_string(i) + "]" : std::string();
    const auto key = [&](std::string_view k) { return join_path(prefix, k); };

    check_pipeline_options(c, p.pipeline, key("pipeline"));
    if (!p.pipeline.name.empty()) {
      if (auto [it, fresh] = names.emplace(p.pipeline.name, key("pipeline")); !fresh) {
        c.add(key("pipeline.name"), "duplicate pipeline name " + quote(p.pipeline.name) +
                                        " (already used by " + it->second + ")");
      } else if (auto [id_it, id_fresh] = ids.emplace(p.pipeline.id, key("pipeline")); !id_fresh) {
        c.add(key("pipeline.name"), "pipeline name " + quote(p.pipeline.name) + " derives the id " +
                                        quote(p.pipeline.id) + " already used by " + id_it->second);
      }
    }
    check_schema_change_behavior(c, p, key("pipeline.schema.change.behavior"));

    if (const auto* m = std::get_if<mysql::MysqlSourceOptions>(&p.source)) {
      check_mysql(c, *m, key("source"));
    } else if (const auto* d = std::get_if<datagen::DatagenOptions>(&p.source)) {
      check_datagen(c, *d, key("source"));
    } else if (const auto* pg = std::get_if<postgres::PostgresSourceOptions>(&p.source)) {
      check_postgres(c, *pg, key("source"));
    }

    if (const auto* f = std::get_if<FileSinkOptions>(&p.sink); f != nullptr && f->path.empty()) {
      c.add(key("sink.path"), "expected a file path, found ''");
    }
    if (const auto* r = std::get_if<sinks::redis::RedisOptions>(&p.sink))
      check_redis(c, *r, key("sink"));
    if (const auto* k = std::get_if<sinks::kafka::KafkaOptions>(&p.sink))
      check_kafka(c, *k, key("sink"));
    if (const auto* d = std::get_if<sinks::doris::DorisOptions>(&p.sink))
      check_doris(c, *d, p.pipeline, key("sink"), key("pipeline"));

    for (size_t r = 0; r < p.routes.size(); ++r) {
      const std::string rp = key("route") + "[" + std::to_string(r) + "]";
      const RouteRule& rule = p.routes[r];
      if (rule.source_table.empty()) {
        c.add(join_path(rp, "source-table"), "expected a table regex, found ''");
      } else {
        c.check_regex(join_path(rp, "source-table"), rule.source_table);
      }
      if (rule.sink_table.empty())
        c.add(join_path(rp, "sink-table"), "expected a table name, found ''");
      if (rule.replace_symbol.empty()) {
        c.add(join_path(rp, "replace-symbol"),
              "expected a non-empty symbol such as '<>', found ''");
      }
    }
    for (size_t t = 0; t < p.transforms.size(); ++t) {
      const std::string tp = key("transform") + "[" + std::to_string(t) + "]";
      const TransformRule& rule = p.transforms[t];
      if (rule.source_table.empty()) {
        c.add(join_path(tp, "source-table"), "expected a table regex, found ''");
      } else {
        c.check_regex(join_path(tp, "source-table"), rule.source_table);
      }
      for (size_t o = 0; o < rule.skip_ops.size(); ++o) {
        const std::string& op = rule.skip_ops[o];
        if (op != "insert" && op != "update" && op != "delete") {
          c.add(join_path(tp, "skip-ops"), "expected insert, update or delete, found " + quote(op));
        }
      }
      if (!rule.projection.empty() && !rule.include_columns.empty()) {
        c.add(join_path(tp, "columns.include"),
              "'columns.include' and 'projection' exclude each other; list the columns in the "
              "projection");
      }
    }
  }
  return std::move(c.problems);
}

}  // namespace detail
}  // namespace cdc::config
