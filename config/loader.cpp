// The YAML adapter's sections: the source, sink, route, transform and pipeline readers that turn
// the positioned tree into the structs of pipeline_config.h, over the generic readers of
// yaml_reader.h, collecting every problem instead of stopping at the first.
#include "config/loader.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <vector>

#include "cdc/core/json/format.h"
#include "cdc/core/regex.h"
#include "cdc/core/text.h"
#include "config/flink_keys.h"
#include "config/units.h"
#include "config/validate.h"
#include "config/validate_internal.h"
#include "config/yaml_reader.h"
#include "config/yaml_tree.h"

namespace cdc::config {
namespace {

using namespace yaml;  // Ctx, MapReader and the scalar readers (yaml_reader.h)
using detail::YamlNode;
using Kind = YamlNode::Kind;

// ---- sections ---------------------------------------------------------------------------------

void read_server_id(Ctx& ctx, const MapReader& m, mysql::ServerIdRange& out) {
  // Optional, as in Flink CDC: normalize() derives one from the pipeline id when it is absent.
  const YamlNode* n = m.get("server-id");
  if (n == nullptr) return;
  const std::string path = m.path_of("server-id");
  const std::string expected = "a server id 1..4294967295 or a range such as 5400-5404";
  auto text = read_text(ctx, *n, path, expected);
  if (!text) return;
  const auto parse_one = [](std::string_view s, uint32_t& v) {
    s = trim(s);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size() && v >= 1;
  };
  const std::string_view s = trim(*text);
  const size_t dash = s.find('-');
  mysql::ServerIdRange r;
  bool ok = false;
  if (dash == std::string_view::npos) {
    ok = parse_one(s, r.first);
    r.last = r.first;
  } else {
    ok = parse_one(s.substr(0, dash), r.first) && parse_one(s.substr(dash + 1), r.last);
  }
  if (!ok) {
    ctx.add(*n, path, "expected " + expected + ", found " + quote(*text));
    return;
  }
  out = r;
}

// `scan.incremental.snapshot.chunk.key-column`: `<table-pattern>:<column>[;...]`, Flink CDC's
// syntax; each pattern a `tables` pattern (Flink's or a regex), the column after the last ':'.
void read_chunk_key_columns(Ctx& ctx, const MapReader& m,
                            std::vector<mysql::MysqlSourceOptions::ChunkKeyColumn>& out) {
  const std::string key = "scan.incremental.snapshot.chunk.key-column";
  std::string text;
  read_string(ctx, m, key, text);
  if (text.empty()) return;
  const YamlNode* n = m.get(key);
  size_t from = 0;
  while (from <= text.size()) {
    const size_t end = std::min(text.find(';', from), text.size());
    const std::string_view pair = trim(std::string_view(text).substr(from, end - from));
    from = end + 1;
    if (pair.empty()) continue;
    const size_t colon = pair.rfind(':');
    const std::string pattern(colon == std::string::npos ? "" : trim(pair.substr(0, colon)));
    std::string column(colon == std::string::npos ? "" : trim(pair.substr(colon + 1)));
    if (pattern.empty() || column.empty()) {
      ctx.add(*n, m.path_of(key),
              "expected <table-pattern>:<column>[;...] (e.g. \"app.orders:created_at\"), found " +
                  quote(pair));
      continue;
    }
    auto re = compile_regex(pattern, RegexCase::sensitive);
    if (!re) {
      ctx.add(*n, m.path_of(key),
              "bad table pattern " + quote(pattern) + ": " + re.error().message);
      continue;
    }
    out.push_back({flink::table_regex(pattern), std::move(column)});
  }
}

mysql::MysqlSourceOptions read_mysql(Ctx& ctx, const MapReader& m) {
  mysql::MysqlSourceOptions o;
  read_required_string(ctx, m, "hostname", o.host);
  read_int<uint16_t>(ctx, m, "port", o.port, 1, 65535);
  read_required_string(ctx, m, "username", o.user);
  read_string(ctx, m, "password", o.password, Secret::yes);
  if (m.require("tables") != nullptr) read_list(ctx, m, "tables", o.table_include);
  read_list(ctx, m, "tables.exclude", o.table_exclude);
  for (auto* list : {&o.table_include, &o.table_exclude}) {
    // A pattern that is no regex is left as written, for validate() to name.
    for (std::string& pattern : *list) {
      if (compile_regex(pattern, RegexCase::sensitive)) pattern = flink::table_regex(pattern);
    }
  }
  read_enum(ctx, m, "schema.unparseable-ddl", o.unparseable_ddl, mysql::parse_unparseable_ddl,
            {"stop", "resync"});
  read_enum(ctx, m, "statement-events", o.statement_events, mysql::parse_statement_events,
            {"fail", "warn"});
  read_server_id(ctx, m, o.server_id);
  read_string(ctx, m, "server-time-zone", o.server_time_zone);
  read_enum(
      ctx, m, "scan.startup.mode", o.startup_mode, mysql::parse_startup_mode,
      {"initial", "snapshot", "latest-offset", "earliest-offset", "specific-offset", "timestamp"});
  read_string(ctx, m, "scan.startup.specific-offset.file", o.specific_offset_file);
  std::optional<uint64_t> specific_offset_pos;
  read_int<uint64_t>(ctx, m, "scan.startup.specific-offset.pos", specific_offset_pos);
  if (specific_offset_pos) o.specific_offset_pos = BinlogOffset{*specific_offset_pos};
  read_string(ctx, m, "scan.startup.specific-offset.gtid-set", o.specific_gtid_set);
  read_int<int64_t>(ctx, m, "scan.startup.timestamp-millis", o.startup_timestamp_ms, 0);
  read_duration(ctx, m, "heartbeat.interval", o.heartbeat_period);
  read_duration(ctx, m, "connect.timeout", o.connect_timeout);
  read_enum(ctx, m, "ssl-mode", o.tls.mode, mysql::parse_tls_mode,
            {"disabled", "preferred", "required", "verify-ca", "verify-identity"});
  read_string(ctx, m, "ssl.ca", o.tls.ca);
  read_string(ctx, m, "ssl.cert", o.tls.cert);
  read_string(ctx, m, "ssl.key", o.tls.key);
  read_int<uint32_t>(ctx, m, "scan.incremental.snapshot.chunk.size", o.snapshot_chunk_size, 1);
  read_int<uint32_t>(ctx, m, "scan.snapshot.parallelism", o.snapshot_parallelism, 1, 64);
  read_int<uint32_t>(ctx, m, "scan.snapshot.fetch.size", o.snapshot_fetch_size, 1);
  read_chunk_key_columns(ctx, m, o.snapshot_chunk_key_columns);
  read_bool(ctx, m, "scan.incremental.snapshot.backfill.skip", o.snapshot_backfill_skip);
  read_bool(ctx, m, "scan.newly-added-table.enabled", o.newly_added_tables);
  read_string(ctx, m, "signal.data-collection", o.signal_data_collection);
  read_size(ctx, m, "transaction-payload.max-size", o.max_transaction_payload_bytes);
  read_enum(ctx, m, "geometry.format", o.geometry_format, mysql::parse_geometry_format,
            {"wkb", "wkt"});
  read_enum(ctx, m, "charset.invalid", o.charset_invalid, mysql::parse_charset_invalid,
            {"fail", "replace"});
  read_bool(ctx, m, "include.query", o.include_query);
  if (const YamlNode* n = m.get("zero-date.handling")) {
    const std::string path = m.path_of("zero-date.handling");
    // A plain `null` is YAML's null; read it as the word.
    if (n->kind == Kind::null) {
      o.zero_date_as_null = true;
      ctx.locate(path, *n);
    } else if (auto text = read_text(ctx, *n, path, "one of null, string")) {
      const std::string_view t = trim(*text);
      if (t == "null") {
        o.zero_date_as_null = true;
      } else if (t == "string") {
        o.zero_date_as_null = false;
      } else {
        ctx.add(*n, path, "expected one of null, string, found " + quote(*text));
      }
    }
  }
  m.finish();
  return o;
}

postgres::PostgresSourceOptions read_postgres(Ctx& ctx, const MapReader& m) {
  postgres::PostgresSourceOptions o;
  read_required_string(ctx, m, "hostname", o.host);
  read_int<uint16_t>(ctx, m, "port", o.port, 1, 65535);
  read_required_string(ctx, m, "username", o.user);
  read_string(ctx, m, "password", o.password, Secret::yes);
  read_string(ctx, m, "database-name", o.database);
  if (m.require("tables") != nullptr) read_list(ctx, m, "tables", o.table_include);
  read_list(ctx, m, "tables.exclude", o.table_exclude);
  read_required_string(ctx, m, "slot.name", o.slot_name);
  read_bool(ctx, m, "slot.takeover", o.slot_takeover);
  read_string(ctx, m, "publication.name", o.publication_name);
  read_bool(ctx, m, "publication.publish-via-partition-root", o.publish_via_partition_root);
  read_int<uint32_t>(ctx, m, "protocol.version", o.proto_version, 1, 2);
  read_bool(ctx, m, "streaming", o.streaming);
  read_enum(ctx, m, "scan.startup.mode", o.startup_mode, postgres::parse_startup_mode,
            {"initial", "snapshot", "latest-offset", "committed-offset"});
  read_int<uint32_t>(ctx, m, "scan.incremental.snapshot.chunk.size", o.snapshot_chunk_size, 1);
  read_int<uint32_t>(ctx, m, "scan.snapshot.parallelism", o.snapshot_parallelism, 1, 64);
  read_enum(ctx, m, "sslmode", o.ssl_mode, postgres::parse_ssl_mode,
            {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"});
  read_string(ctx, m, "sslrootcert", o.ssl_root_cert);
  read_string(ctx, m, "sslcert", o.ssl_cert);
  read_string(ctx, m, "sslkey", o.ssl_key);
  read_duration(ctx, m, "status.interval", o.status_interval);
  read_duration(ctx, m, "heartbeat.interval", o.heartbeat_interval);
  read_duration(ctx, m, "connect.timeout", o.connect_timeout);
  read_string(ctx, m, "spool.dir", o.spool_dir);
  read_string(ctx, m, "signal.data-collection", o.signal_data_collection);
  read_enum(ctx, m, "decimal.handling.mode", o.types.decimal_handling,
            postgres::parse_decimal_handling, {"precise", "string", "double"});
  read_enum(ctx, m, "temporal.infinity.handling", o.types.temporal_infinity,
            postgres::parse_temporal_infinity, {"fail", "null"});
  m.finish();
  return o;
}

datagen::DatagenOptions read_datagen(Ctx& ctx, const MapReader& m) {
  datagen::DatagenOptions o;
  read_string(ctx, m, "database", o.database);
  read_required_string(ctx, m, "table", o.table);
  if (const YamlNode* cols = m.require("columns")) {
    for_each_mapping(
        ctx, *cols, m.path_of("columns"), [&](const std::string& path, const YamlNode& item) {
          MapReader c(ctx, item, path,
                      {"name", "type", "kind", "min", "max", "length", "values", "null-rate",
                       "primary-key"});
          datagen::ColumnSpec col;
          read_required_string(ctx, c, "name", col.name);
          read_required_string(ctx, c, "type", col.type);
          read_enum(ctx, c, "kind", col.kind,
                    [](std::string_view s) -> std::optional<datagen::ColumnSpec::Kind> {
                      if (s == "sequence") return datagen::ColumnSpec::Kind::sequence;
                      if (s == "random") return datagen::ColumnSpec::Kind::random;
                      return std::nullopt;
                    },
                    {"sequence", "random"});
          read_number(ctx, c, "min", col.min);
          read_number(ctx, c, "max", col.max);
          read_int<uint32_t>(ctx, c, "length", col.length, 1);
          if (const YamlNode* v = c.get("values")) {
            const std::string vpath = c.path_of("values");
            ctx.locate(vpath, *v);
            if (v->kind != Kind::sequence) {
              ctx.add(*v, vpath, "expected a list of values, found " + describe(*v));
            } else {
              for (size_t i = 0; i < v->items.size(); ++i) {
                auto s =
                    read_text(ctx, v->items[i], vpath + "[" + std::to_string(i) + "]", "a value");
                if (s) col.values.push_back(std::move(*s));
              }
            }
          }
          read_number(ctx, c, "null-rate", col.null_rate, 0.0, 1.0);
          read_bool(ctx, c, "primary-key", col.primary_key);
          c.finish();
          o.columns.push_back(std::move(col));
        });
  }
  read_int<uint64_t>(ctx, m, "number-of-rows", o.number_of_rows);
  read_number(ctx, m, "rows-per-second", o.rows_per_second, 0.0,
              std::numeric_limits<double>::infinity());
  read_int<uint64_t>(ctx, m, "seed", o.seed);
  read_int<uint32_t>(ctx, m, "batch-size", o.batch_size, 1);
  m.finish();
  return o;
}

// The `type` of a source or sink mapping; nullopt after a problem.
std::optional<std::string> read_type(Ctx& ctx, const MapReader& m, std::string_view what,
                                     std::initializer_list<std::string_view> available,
                                     std::initializer_list<std::string_view> later) {
  const YamlNode* n = m.require("type");
  if (n == nullptr) return std::nullopt;
  const std::string path = m.path_of("type");
  std::string expected = "one of ";
  bool first = true;
  for (auto list : {available, later}) {
    for (std::string_view t : list) {
      expected += (first ? "" : ", ") + std::string(t);
      first = false;
    }
  }
  ctx.locate(path, *n);
  auto text = n->kind == Kind::null && !n->value.empty()
                  ? std::optional<std::string>(n->value)  // `type: null` is the null sink
                  : read_text(ctx, *n, path, expected);
  if (!text) return std::nullopt;
  std::string t(trim(*text));
  for (char& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (std::find(available.begin(), available.end(), t) != available.end()) return t;
  if (std::find(later.begin(), later.end(), t) != later.end()) {
    ctx.add(*n, path,
            std::string(what) + " type " + quote(t) + " is not available in this build yet");
  } else {
    ctx.add(*n, path, "expected " + expected + ", found " + quote(*text));
  }
  return std::nullopt;
}

std::optional<SourceOptions> read_source(Ctx& ctx, const YamlNode& n, const std::string& path) {
  if (!expect_mapping(ctx, n, path)) return std::nullopt;
  MapReader m(ctx, n, path);
  const auto type = read_type(ctx, m, "source", {"mysql", "postgres", "datagen"}, {});
  if (!type) {
    m.report_duplicates();  // the other keys depend on the type: not judged
    return std::nullopt;
  }
  if (*type == "mysql") {
    m.set_known({"type",
                 "hostname",
                 "port",
                 "username",
                 "password",
                 "tables",
                 "tables.exclude",
                 "server-id",
                 "server-time-zone",
                 "scan.startup.mode",
                 "scan.startup.specific-offset.file",
                 "scan.startup.specific-offset.pos",
                 "scan.startup.specific-offset.gtid-set",
                 "scan.startup.timestamp-millis",
                 "heartbeat.interval",
                 "connect.timeout",
                 "ssl-mode",
                 "ssl.ca",
                 "ssl.cert",
                 "ssl.key",
                 "scan.incremental.snapshot.chunk.size",
                 "scan.snapshot.parallelism",
                 "scan.snapshot.fetch.size",
                 "scan.incremental.snapshot.chunk.key-column",
                 "scan.incremental.snapshot.backfill.skip",
                 "scan.newly-added-table.enabled",
                 "signal.data-collection",
                 "zero-date.handling",
                 "transaction-payload.max-size",
                 "schema.unparseable-ddl",
                 "statement-events",
                 "geometry.format",
                 "charset.invalid",
                 "include.query"});
    flink::read_keys(ctx, m, flink::Section::mysql_source);
    return SourceOptions(read_mysql(ctx, m));
  }
  if (*type == "postgres") {
    m.set_known({"type",
                 "hostname",
                 "port",
                 "username",
                 "password",
                 "database-name",
                 "tables",
                 "tables.exclude",
                 "slot.name",
                 "slot.takeover",
                 "publication.name",
                 "publication.publish-via-partition-root",
                 "protocol.version",
                 "streaming",
                 "scan.startup.mode",
                 "scan.incremental.snapshot.chunk.size",
                 "scan.snapshot.parallelism",
                 "sslmode",
                 "sslrootcert",
                 "sslcert",
                 "sslkey",
                 "status.interval",
                 "heartbeat.interval",
                 "connect.timeout",
                 "spool.dir",
                 "signal.data-collection",
                 "decimal.handling.mode",
                 "temporal.infinity.handling"});
    // decoding.plugin.name is among them: pgoutput or a one-line refusal.
    flink::read_keys(ctx, m, flink::Section::postgres_source);
    return SourceOptions(read_postgres(ctx, m));
  }
  m.set_known({"type", "database", "table", "columns", "number-of-rows", "rows-per-second", "seed",
               "batch-size"});
  flink::read_keys(ctx, m, flink::Section::other);
  return SourceOptions(read_datagen(ctx, m));
}

// The keys of sinks::redis::TableRule, at the sink level (the defaults) or in a `tables` item.
constexpr std::string_view kRedisTableKeys[] = {
    "mode",         "key", "value.column", "ttl", "hash.changed-columns-only", "invalidate.channel",
    "stream.maxlen"};

void read_redis_table(Ctx& ctx, const MapReader& m, sinks::redis::TableRule& o) {
  read_enum(ctx, m, "mode", o.mode, sinks::redis::parse_mode,
            {"string", "hash", "invalidate", "stream"});
  read_string(ctx, m, "key", o.key);
  read_string(ctx, m, "value.column", o.value_column);
  read_duration(ctx, m, "ttl", o.ttl);
  read_bool(ctx, m, "hash.changed-columns-only", o.hash_changed_only);
  read_string(ctx, m, "invalidate.channel", o.channel);
  read_int<uint64_t>(ctx, m, "stream.maxlen", o.stream_maxlen);
}

// `row-image.partial` of the sinks that write whole rows (json::PartialRowPolicy).
void read_partial_rows(Ctx& ctx, const MapReader& m, json::PartialRowPolicy& out) {
  read_enum(ctx, m, "row-image.partial", out, json::parse_partial_row_policy, {"fail", "skip"});
}

// `toast.placeholder` of the sinks that write JSON (json::EncoderOptions::toast_placeholder).
void read_toast_placeholder(Ctx& ctx, const MapReader& m, std::optional<std::string>& out) {
  if (m.get("toast.placeholder") == nullptr) return;
  std::string text;
  read_string(ctx, m, "toast.placeholder", text);
  out = std::move(text);
}

sinks::redis::RedisOptions read_redis(Ctx& ctx, const MapReader& m) {
  sinks::redis::RedisOptions o;
  read_string(ctx, m, "host", o.host);
  read_int<uint16_t>(ctx, m, "port", o.port, 1, 65535);
  read_string(ctx, m, "socket", o.socket);
  read_string(ctx, m, "username", o.username);
  read_string(ctx, m, "password", o.password, Secret::yes);
  read_int<uint32_t>(ctx, m, "database", o.database);
  read_bool(ctx, m, "tls", o.tls);
  read_string(ctx, m, "tls.ca", o.tls_ca);
  read_string(ctx, m, "tls.cert", o.tls_cert);
  read_string(ctx, m, "tls.key", o.tls_key);
  read_bool(ctx, m, "tls.verify-identity", o.tls_verify_identity);
  read_duration(ctx, m, "connect.timeout", o.connect_timeout);
  read_duration(ctx, m, "command.timeout", o.command_timeout);
  read_int<uint32_t>(ctx, m, "pipeline.max-in-flight", o.max_in_flight, 1);
  read_int<uint32_t>(ctx, m, "batch.max-commands", o.batch_max_commands, 1);
  read_string(ctx, m, "offset.key", o.offset_key);
  read_string(ctx, m, "key.separator", o.key_separator);
  read_enum(ctx, m, "key.null-handling", o.skip_null_keys,
            [](std::string_view s) -> std::optional<bool> {
              if (s == "error") return false;
              if (s == "skip") return true;
              return std::nullopt;
            },
            {"error", "skip"});
  read_enum(ctx, m, "value.format", o.stream_format, json::parse_format,
            {"debezium-json", "upsert", "canal-json"});
  read_partial_rows(ctx, m, o.partial_rows);
  read_toast_placeholder(ctx, m, o.toast_placeholder);
  read_redis_table(ctx, m, o.defaults);
  if (const YamlNode* tables = m.get("tables")) {
    std::vector<std::string_view> known = {"source-table"};
    known.insert(known.end(), std::begin(kRedisTableKeys), std::end(kRedisTableKeys));
    for_each_mapping(
        ctx, *tables, m.path_of("tables"), [&](const std::string& item_path, const YamlNode& item) {
          MapReader t(ctx, item, item_path, known);
          sinks::redis::TableRule table = o.defaults;  // an item overrides what it names
          read_required_string(ctx, t, "source-table", table.source_table);
          read_redis_table(ctx, t, table);
          // A key template is written for one mode: an item of another mode
          // without its own key gets that mode's default (normalize()).
          if (!t.has("key") && table.mode != o.defaults.mode) table.key.clear();
          t.finish();
          o.tables.push_back(std::move(table));
        });
  }
  return o;
}

// librdkafka properties whose values are secrets: a problem report shows them redacted.
bool is_secret_property(std::string_view name) {
  return name.find("password") != std::string_view::npos ||
         name.find("secret") != std::string_view::npos || name == "sasl.oauthbearer.config" ||
         name == "ssl.key.pem" || name == "ssl_key";
}

constexpr std::string_view kKafkaPropertyPrefix = "properties.";

sinks::kafka::KafkaOptions read_kafka(Ctx& ctx, MapReader& m, std::vector<std::string_view> known) {
  sinks::kafka::KafkaOptions o;
  for (const auto& [key, value] : m.node().entries) {
    if (key.kind != Kind::scalar || !key.value.starts_with(kKafkaPropertyPrefix)) continue;
    known.push_back(key.value);  // the node outlives the reader
    const std::string name = key.value.substr(kKafkaPropertyPrefix.size());
    const Secret secret = is_secret_property(name) ? Secret::yes : Secret::no;
    if (auto text = read_text(ctx, value, m.path_of(key.value), "a string", secret))
      o.properties[name] = *text;
  }
  m.set_known(std::move(known));
  flink::read_keys(ctx, m, flink::Section::kafka_sink);
  read_string(ctx, m, "topic", o.topic);
  read_string(ctx, m, "topic.template", o.topic_template);
  read_string(ctx, m, "topic.prefix", o.topic_prefix);
  read_bool(ctx, m, "topic.create", o.create_topics);
  read_int<int32_t>(ctx, m, "topic.partitions", o.topic_partitions, 1, 100000);
  read_int<int16_t>(ctx, m, "topic.replication-factor", o.topic_replication, 1, 1000);
  read_string(ctx, m, "offsets.topic", o.offsets_topic);
  read_string(ctx, m, "transactional.id", o.transactional_id);
  read_enum(ctx, m, "value.format", o.format, json::parse_format,
            {"debezium-json", "upsert", "canal-json"});
  read_partial_rows(ctx, m, o.partial_rows);
  read_toast_placeholder(ctx, m, o.toast_placeholder);
  read_bool(ctx, m, "tombstones.on.delete", o.tombstones_on_delete);
  read_list(ctx, m, "key.columns", o.key_columns);
  read_int<int32_t>(ctx, m, "partition", o.fixed_partition, 0, 1000000);
  // Flink CDC's partition.strategy: all-to-zero is `partition: 0`; hash-by-key is sluice's
  // default (murmur2 of the key, as the Java client's partitioner).
  if (const YamlNode* n = m.get("partition.strategy")) {
    const std::string path = m.path_of("partition.strategy");
    if (auto text = read_text(ctx, *n, path, "one of all-to-zero, hash-by-key")) {
      const std::string_view t = trim(*text);
      if (t == "all-to-zero") {
        if (!o.fixed_partition) o.fixed_partition = 0;
      } else if (t == "hash-by-key") {
        if (o.fixed_partition) {
          ctx.add(*n, path,
                  "hash-by-key spreads records by key; 'partition' sends every record "
                  "to one partition: set one of them");
        }
      } else {
        ctx.add(*n, path, "expected one of all-to-zero, hash-by-key, found " + quote(*text));
      }
    }
  }
  read_bool(ctx, m, "headers", o.headers);
  read_string(ctx, m, "schema-change.topic", o.schema_change_topic);
  read_duration(ctx, m, "operation.timeout", o.operation_timeout);
  return o;
}

// `sink.properties.<name>` and `table.create.properties.<name>`: every key under a prefix.
void read_prefixed(Ctx& ctx, MapReader& m, std::string_view prefix,
                   std::map<std::string, std::string>& out, std::vector<std::string_view>& known) {
  for (const auto& [key, value] : m.node().entries) {
    if (key.kind != Kind::scalar || !key.value.starts_with(prefix)) continue;
    known.push_back(key.value);  // the node outlives the reader
    if (auto text = read_text(ctx, value, m.path_of(key.value), "a string"))
      out[key.value.substr(prefix.size())] = *text;
  }
}

sinks::doris::DorisOptions read_doris(Ctx& ctx, MapReader& m) {
  sinks::doris::DorisOptions o;
  std::vector<std::string_view> known = {"type",
                                         "fenodes",
                                         "benodes",
                                         "username",
                                         "password",
                                         "table.identifier",
                                         "sink.label-prefix",
                                         "sink.enable-2pc",
                                         "sink.enable-delete",
                                         "sink.buffer-flush.max-rows",
                                         "sink.buffer-flush.max-bytes",
                                         "sink.buffer-flush.interval",
                                         "sink.max-retries",
                                         "sink.http.timeout",
                                         "sink.sequence-column",
                                         "table.create.enabled",
                                         "row-image.partial"};
  read_prefixed(ctx, m, "sink.properties.", o.stream_load_properties, known);
  read_prefixed(ctx, m, "table.create.properties.", o.table_properties, known);
  m.set_known(std::move(known));
  flink::read_keys(ctx, m, flink::Section::doris_sink);
  read_required_string(ctx, m, "fenodes", o.fenodes);
  read_string(ctx, m, "benodes", o.benodes);
  read_string(ctx, m, "username", o.username);
  read_string(ctx, m, "password", o.password, Secret::yes);
  read_string(ctx, m, "table.identifier", o.table_identifier);
  read_string(ctx, m, "sink.label-prefix", o.label_prefix);
  read_bool(ctx, m, "sink.enable-2pc", o.enable_2pc);
  read_bool(ctx, m, "sink.enable-delete", o.enable_delete);
  read_int<uint64_t>(ctx, m, "sink.buffer-flush.max-rows", o.max_rows, 1);
  read_int<uint64_t>(ctx, m, "sink.buffer-flush.max-bytes", o.max_bytes, 1);
  read_duration(ctx, m, "sink.buffer-flush.interval", o.flush_interval);
  read_int<uint32_t>(ctx, m, "sink.max-retries", o.max_retries, 0, 100);
  read_duration(ctx, m, "sink.http.timeout", o.http_timeout);
  read_enum(ctx, m, "sink.sequence-column", o.sequence_from_position,
            [](std::string_view v) -> std::optional<bool> {
              if (v == "none") return false;
              if (v == "source-position") return true;
              return std::nullopt;
            },
            {"none", "source-position"});
  read_bool(ctx, m, "table.create.enabled", o.create_tables);
  read_partial_rows(ctx, m, o.partial_rows);
  return o;
}

std::optional<SinkOptions> read_sink(Ctx& ctx, const YamlNode& n, const std::string& path) {
  if (!expect_mapping(ctx, n, path)) return std::nullopt;
  MapReader m(ctx, n, path);
  const auto type =
      read_type(ctx, m, "sink", {"stdout", "file", "null", "redis", "kafka", "doris"}, {});
  if (!type) {
    m.report_duplicates();
    return std::nullopt;
  }
  const auto read_format = [&](json::Format& f) {
    read_enum(ctx, m, "value.format", f, json::parse_format,
              {"debezium-json", "upsert", "canal-json"});
  };
  SinkOptions out;
  if (*type == "stdout") {
    m.set_known({"type", "value.format", "row-image.partial", "toast.placeholder"});
    StdoutSinkOptions o;
    read_format(o.format);
    read_partial_rows(ctx, m, o.partial_rows);
    read_toast_placeholder(ctx, m, o.toast_placeholder);
    out = o;
  } else if (*type == "file") {
    m.set_known({"type", "path", "value.format", "row-image.partial", "toast.placeholder"});
    FileSinkOptions o;
    read_required_string(ctx, m, "path", o.path);
    read_format(o.format);
    read_partial_rows(ctx, m, o.partial_rows);
    read_toast_placeholder(ctx, m, o.toast_placeholder);
    out = o;
  } else if (*type == "redis") {
    std::vector<std::string_view> known = {"type",
                                           "host",
                                           "port",
                                           "socket",
                                           "username",
                                           "password",
                                           "database",
                                           "tls",
                                           "tls.ca",
                                           "tls.cert",
                                           "tls.key",
                                           "tls.verify-identity",
                                           "connect.timeout",
                                           "command.timeout",
                                           "pipeline.max-in-flight",
                                           "batch.max-commands",
                                           "offset.key",
                                           "key.separator",
                                           "key.null-handling",
                                           "value.format",
                                           "row-image.partial",
                                           "toast.placeholder",
                                           "tables"};
    known.insert(known.end(), std::begin(kRedisTableKeys), std::end(kRedisTableKeys));
    m.set_known(std::move(known));
    out = read_redis(ctx, m);
  } else if (*type == "kafka") {
    out = read_kafka(
        ctx, m,
        {"type", "topic", "topic.template", "topic.prefix", "topic.create", "topic.partitions",
         "topic.replication-factor", "offsets.topic", "transactional.id", "value.format",
         "row-image.partial", "toast.placeholder", "tombstones.on.delete", "key.columns",
         "partition", "partition.strategy", "headers", "schema-change.topic", "operation.timeout"});
  } else if (*type == "doris") {
    out = read_doris(ctx, m);
  } else {
    m.set_known({"type"});
    out = NullSinkOptions{};
  }
  flink::read_keys(ctx, m, flink::Section::other);  // Flink's cosmetic `name`, on every sink
  m.finish();
  return out;
}

std::vector<RouteRule> read_routes(Ctx& ctx, const YamlNode& n, const std::string& path) {
  std::vector<RouteRule> out;
  for_each_mapping(ctx, n, path, [&](const std::string& item_path, const YamlNode& item) {
    MapReader m(
        ctx, item, item_path,
        {"source-table", "sink-table", "replace-symbol", "source-table-column", "description"});
    RouteRule r;
    read_required_string(ctx, m, "source-table", r.source_table);
    read_required_string(ctx, m, "sink-table", r.sink_table);
    read_string(ctx, m, "replace-symbol", r.replace_symbol);
    read_string(ctx, m, "source-table-column", r.source_table_column);
    read_string(ctx, m, "description", r.description);
    m.finish();
    out.push_back(std::move(r));
  });
  return out;
}

// Where the text of a scalar value starts: after the quote of a quoted value, on the first
// content line of a block value ('|', '>'), else the node's own position.
SourceLocation text_start(Ctx& ctx, const YamlNode& n) {
  SourceLocation at{n.line, n.column};
  if (n.line < 1 || static_cast<size_t>(n.line) > ctx.line_count()) return at;
  const std::string_view line = ctx.line(static_cast<size_t>(n.line));
  if (n.column < 1 || static_cast<size_t>(n.column) > line.size()) return at;
  const char first = line[static_cast<size_t>(n.column) - 1];
  if (first == '"' || first == '\'') {
    at.column += 1;
  } else if (first == '|' || first == '>') {
    for (size_t l = static_cast<size_t>(n.line) + 1; l <= ctx.line_count(); ++l) {
      const size_t indent = ctx.line(l).find_first_not_of(' ');
      if (indent == std::string_view::npos) continue;
      at = SourceLocation{static_cast<int>(l), static_cast<int>(indent) + 1};
      break;
    }
  }
  return at;
}

// An expression-valued key: its text and where that text starts.
void read_expression(Ctx& ctx, const MapReader& m, std::string_view key, std::string& out,
                     SourceLocation& at) {
  const YamlNode* n = m.get(key);
  if (n == nullptr) return;
  if (auto s = read_text(ctx, *n, m.path_of(key), "an expression")) {
    out = std::move(*s);
    at = text_start(ctx, *n);
  }
}

std::vector<TransformRule> read_transforms(Ctx& ctx, const YamlNode& n, const std::string& path) {
  std::vector<TransformRule> out;
  for_each_mapping(ctx, n, path, [&](const std::string& item_path, const YamlNode& item) {
    MapReader m(ctx, item, item_path,
                {"source-table", "projection", "filter", "primary-keys", "partition-keys",
                 "columns.include", "columns.exclude", "skip-ops", "converter-after-transform",
                 "table-options", "description"});
    TransformRule t;
    read_required_string(ctx, m, "source-table", t.source_table);
    read_expression(ctx, m, "projection", t.projection, t.projection_at);
    read_expression(ctx, m, "filter", t.filter, t.filter_at);
    read_list(ctx, m, "primary-keys", t.primary_keys);
    read_list(ctx, m, "partition-keys", t.partition_keys);
    read_list(ctx, m, "columns.include", t.include_columns);
    read_list(ctx, m, "columns.exclude", t.exclude_columns);
    read_list(ctx, m, "skip-ops", t.skip_ops);
    if (const YamlNode* v = m.get("converter-after-transform")) {
      const std::string key_path = m.path_of("converter-after-transform");
      if (auto s = read_text(ctx, *v, key_path, "SOFT_DELETE")) {
        if (s->empty()) {
          // no converter
        } else if (upper_ascii(trim(*s)) == "SOFT_DELETE") {
          t.soft_delete = true;
        } else {
          ctx.add(*v, key_path, "expected SOFT_DELETE, found " + quote(*s));
        }
      }
    }
    read_string(ctx, m, "table-options", t.table_options);
    read_string(ctx, m, "description", t.description);
    m.finish();
    out.push_back(std::move(t));
  });
  return out;
}

std::optional<PipelineOptions> read_pipeline_options(Ctx& ctx, const YamlNode& n,
                                                     const std::string& path) {
  if (!expect_mapping(ctx, n, path)) return std::nullopt;
  MapReader m(
      ctx, n, path,
      {"name", "delivery", "checkpoint.interval", "checkpoint.retained", "state.dir",
       "metrics.port", "metrics.bind-address", "queue.max-events", "queue.max-bytes",
       "restart.initial-backoff", "restart.max-backoff", "restart.max-attempts", "route-mode",
       "control.token", "description", "parallelism", "local-time-zone", "schema.change.behavior"});
  flink::read_keys(ctx, m, flink::Section::pipeline);
  PipelineOptions o;
  read_required_string(ctx, m, "name", o.name);
  read_string(ctx, m, "description", o.description);
  read_int<uint32_t>(ctx, m, "parallelism", o.parallelism, 1);
  read_string(ctx, m, "local-time-zone", o.local_time_zone);
  read_string(ctx, m, "schema.change.behavior", o.schema_change_behavior);
  for (char& ch : o.schema_change_behavior) {
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  read_enum(ctx, m, "delivery", o.delivery, parse_delivery, {"exactly-once", "at-least-once"});
  read_duration(ctx, m, "checkpoint.interval", o.checkpoint_interval);
  read_int<uint32_t>(ctx, m, "checkpoint.retained", o.checkpoint_retained, 1);
  read_string(ctx, m, "state.dir", o.state_dir);
  read_int<uint16_t>(ctx, m, "metrics.port", o.metrics_port, 0, 65535);
  read_string(ctx, m, "metrics.bind-address", o.metrics_bind_address);
  read_int<uint64_t>(ctx, m, "queue.max-events", o.queue_max_events, 1);
  read_size(ctx, m, "queue.max-bytes", o.queue_max_bytes);
  read_duration(ctx, m, "restart.initial-backoff", o.restart_initial_backoff);
  read_duration(ctx, m, "restart.max-backoff", o.restart_max_backoff);
  read_int<uint32_t>(ctx, m, "restart.max-attempts", o.restart_max_attempts);
  read_enum(ctx, m, "route-mode", o.route_mode, parse_route_mode, {"all-match", "first-match"});
  read_string(ctx, m, "control.token", o.control_token);
  m.finish();
  return o;
}

constexpr std::string_view kSectionKeys[] = {"source", "sink", "route", "transform", "pipeline"};

// The five sections of one pipeline, read from `m` (the file's top level or a `pipelines` item).
// A section that could not be read keeps its defaults and its path is marked as reported, so that
// validation does not judge those defaults.
PipelineConfig read_pipeline(Ctx& ctx, const MapReader& m) {
  PipelineConfig p;
  p.file = ctx.file;
  const std::string source_path = m.path_of("source");
  if (const YamlNode* n = m.require("source")) {
    if (auto s = read_source(ctx, *n, source_path)) {
      p.source = std::move(*s);
    } else {
      ctx.reported.insert(source_path);
    }
  }
  const std::string sink_path = m.path_of("sink");
  if (const YamlNode* n = m.require("sink")) {
    if (auto s = read_sink(ctx, *n, sink_path)) {
      p.sink = std::move(*s);
    } else {
      ctx.reported.insert(sink_path);
    }
  }
  if (const YamlNode* n = m.get("route")) p.routes = read_routes(ctx, *n, m.path_of("route"));
  if (const YamlNode* n = m.get("transform")) {
    p.transforms = read_transforms(ctx, *n, m.path_of("transform"));
  }
  const std::string options_path = m.path_of("pipeline");
  if (const YamlNode* n = m.require("pipeline")) {
    if (auto o = read_pipeline_options(ctx, *n, options_path)) {
      p.pipeline = std::move(*o);
    } else {
      ctx.reported.insert(options_path);
    }
  }
  return p;
}

constexpr std::string_view kEmptyFile =
    "the file is empty; expected a mapping with 'source', 'sink' and 'pipeline' (or a "
    "'pipelines' list of such mappings)";

LoadOutcome load_tree(Ctx& ctx, const detail::YamlParse& parsed) {
  ConfigFile file;
  file.path = ctx.file;
  if (parsed.error) {
    ctx.add(parsed.error->line, parsed.error->column, "",
            "YAML syntax error: " + parsed.error->message);
  } else if (parsed.documents.empty() || parsed.documents[0].kind == Kind::null) {
    ctx.add(0, 0, "", std::string(kEmptyFile));
  } else {
    for (size_t i = 1; i < parsed.documents.size(); ++i) {
      ctx.add(parsed.documents[i], "",
              "a second YAML document; a configuration file holds exactly one");
    }
    const YamlNode& root = parsed.documents[0];
    if (root.kind != Kind::mapping) {
      ctx.add(root, "", "expected a mapping at the top level, found " + describe(root));
    } else {
      MapReader top(ctx, root, "",
                    {"source", "sink", "route", "transform", "pipeline", "pipelines"});
      top.finish();
      if (const YamlNode* list = top.get("pipelines")) {
        file.pipelines_list = true;
        for (std::string_view key : kSectionKeys) {
          if (top.has(key)) {
            // Position of the key itself, found via its value's entry.
            for (const auto& [k, v] : root.entries) {
              if (k.kind == Kind::scalar && k.value == key) {
                ctx.add(k, std::string(key),
                        "a file holds either a 'pipelines' list or top-level 'source', 'sink', "
                        "'route', 'transform' and 'pipeline' keys, not both");
                break;
              }
            }
          }
        }
        ctx.locate("pipelines", *list);
        if (list->kind != Kind::sequence || list->items.empty()) {
          ctx.add(*list, "pipelines",
                  "expected a non-empty list of pipeline mappings, found " + describe(*list));
        } else {
          for (size_t i = 0; i < list->items.size(); ++i) {
            const std::string item_path = "pipelines[" + std::to_string(i) + "]";
            const YamlNode& item = list->items[i];
            if (item.kind != Kind::mapping) {
              ctx.add(item, item_path, "expected a mapping, found " + describe(item));
              file.pipelines.emplace_back();  // keeps the indices of the key paths aligned
              continue;
            }
            MapReader m(ctx, item, item_path, {"source", "sink", "route", "transform", "pipeline"});
            m.finish();
            file.pipelines.push_back(read_pipeline(ctx, m));
          }
        }
      } else {
        file.pipelines.push_back(read_pipeline(ctx, top));
      }
    }
  }

  // Normalize and validate what could be read, so that one run shows every problem; keys already
  // reported are skipped by validation.
  normalize(file);
  for (Problem& p : detail::validate(file, ctx.where, ctx.reported)) ctx.problems.add(std::move(p));

  LoadOutcome out;
  const size_t total = ctx.problems.total();
  out.problems = ctx.problems.take();
  out.more_problems = total - out.problems.size();
  if (total == 0) out.config = std::move(file);
  return out;
}

}  // namespace

LoadOutcome load_string(std::string_view yaml, std::string display_name, const Environment& env) {
  Ctx ctx{std::move(display_name), env, {}, {}, {}, yaml, {}};
  // YAML text holds no NUL (YAML 1.2, 5.1: it is outside the printable set): the file is
  // binary or damaged, and what yaml-cpp would say about it names something else.
  if (const size_t nul = yaml.find('\0'); nul != std::string_view::npos) {
    const size_t line_start = yaml.rfind('\n', nul) + 1;  // npos + 1 == 0 on the first line
    const auto line = std::count(yaml.begin(), yaml.begin() + static_cast<ptrdiff_t>(nul), '\n');
    ctx.add(static_cast<int>(line) + 1, static_cast<int>(nul - line_start) + 1, "",
            "a NUL byte (at byte " + std::to_string(nul) +
                "): a configuration file is UTF-8 text; is this a binary file?");
    LoadOutcome out;
    out.problems = ctx.problems.take();
    return out;
  }
  return load_tree(ctx, detail::parse_yaml(yaml));
}

LoadOutcome load_file(const std::string& path, const Environment& env) {
  const auto refused = [&](std::string message) {
    LoadOutcome out;
    out.problems.push_back(Problem{path, 0, 0, "", std::move(message)});
    return out;
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return refused("cannot read the file: " +
                   std::string(err != 0 ? std::strerror(err) : "open failed"));
  }
  // Read in pieces up to one beyond the limit, so that a pipe (of unknown size) is bounded too.
  std::string text;
  std::vector<char> piece(1 << 16);
  while (in.read(piece.data(), static_cast<std::streamsize>(piece.size())) || in.gcount() > 0) {
    text.append(piece.data(), static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxConfigFileBytes) {
      return refused("the file is larger than " + std::to_string(kMaxConfigFileBytes >> 20) +
                     " MiB, the most a configuration file may hold");
    }
  }
  if (in.bad()) return refused("cannot read the file: read error");
  return load_string(text, path, env);
}

}  // namespace cdc::config
