#include "config/flink_keys.h"

#include <algorithm>

#include "cdc/core/text.h"

namespace cdc::config::flink {
namespace {

// Option lists: Flink CDC 3's pipeline connector pages (connectors/pipeline-connectors/mysql.md,
// postgres.md, kafka.md, doris.md) and core-concept/data-pipeline.md.
constexpr FlinkKey kName = {"name", "*", ""};
// Options both sources share.
constexpr FlinkKey kConnectMaxRetries = {
    "connect.max-retries", "",
    "sluice retries a lost connection with backoff until pipeline.restart.max-attempts"};
constexpr FlinkKey kMetadataList = {
    "metadata.list", "op_ts",
    "sluice's transforms offer op_ts and the __*_name__ metadata columns without a list"};

constexpr FlinkKey kPipeline[] = {
    {"execution.runtime-mode", "streaming",
     "sluice always streams; for a one-time copy set source scan.startup.mode: snapshot"},
    {"flink-conf", "",
     "sluice has no Flink runtime; its own settings are pipeline.checkpoint.interval, "
     "restart.* and queue.*"},
    {"user-defined-function", "",
     "sluice has no JVM to load UDF classes; transforms use the built-in functions (README "
     "\"Expressions\")"},
    {"model", "", "sluice has no AI model functions; transforms use the built-in functions"},
    {"schema-operator.rpc-timeout", "",
     "sluice applies schema changes on the pipeline thread, with no schema operator to wait for"},
    {"operator.uid.prefix", "",
     "sluice keys its state by the pipeline's id, derived from pipeline.name"},
};

// Accepted with any value: snapshot-split tuning of Flink's parallel readers. sluice reads one
// keyset-bounded chunk at a time on one connection, so these change nothing in the output.
#define SLUICE_SPLIT_TUNING(prefix)                                                \
  {prefix "scan.incremental.close-idle-reader.enabled", "*", ""},                  \
      {prefix "scan.incremental.snapshot.unbounded-chunk-first.enabled", "*", ""}, \
      {prefix "chunk-meta.group.size", "*", ""},                                   \
      {prefix "chunk-key.even-distribution.factor.upper-bound", "*", ""},          \
      {prefix "chunk-key.even-distribution.factor.lower-bound", "*", ""}, {        \
    prefix "scan.incremental.snapshot.enabled", "true",                            \
        "sluice's snapshot is always incremental (chunked, resumable); set "       \
        "scan.startup.mode to choose whether to read one"                          \
  }

constexpr FlinkKey kMysqlSource[] = {
    kName,
    SLUICE_SPLIT_TUNING(""),
    {"schema-change.enabled", "true",
     "sluice always reads DDL; the sink decides what to do with it (Kafka "
     "schema-change.topic, Doris table.create.enabled)"},
    {"scan.startup.specific-offset.skip-events", "",
     "sluice starts a specific-offset at an event-group boundary "
     "(scan.startup.specific-offset.file/.pos or .gtid-set)"},
    {"scan.startup.specific-offset.skip-rows", "",
     "sluice starts a specific-offset at an event-group boundary "
     "(scan.startup.specific-offset.file/.pos or .gtid-set)"},
    kConnectMaxRetries,
    {"connection.pool.size", "",
     "sluice uses one binlog connection and, while a snapshot runs, scan.snapshot.parallelism "
     "query connections"},
    {"jdbc.properties.", "",
     "sluice connects with libmariadb, not JDBC; TLS is ssl-mode and ssl.*"},
    {"debezium.", "",
     "sluice reads the binlog itself, without Debezium; its options are README's \"source (type "
     "mysql)\" table"},
    {"scan.binlog.newly-added-table.enabled", "true",
     "sluice always captures a table created later whose name matches 'tables'"},
    {"scan.parse.online.schema.changes.enabled", "false",
     "sluice does not follow gh-ost/pt-osc shadow tables; their final RENAME TABLE reaches the "
     "schema history"},
    {"include-comments.enabled", "false", "sluice does not carry table or column comments"},
    {"treat-tinyint1-as-boolean.enabled", "true",
     "sluice maps TINYINT(1) to BOOLEAN where a sink has column types (Doris)"},
    {"use.legacy.json.format", "false",
     "sluice writes MySQL JSON values as MySQL prints them, with the spaces (as "
     "use.legacy.json.format: false)"},
    {"scan.read-changelog-as-append-only.enabled", "false",
     "sluice keeps each change's op (c/u/d); a transform with converter-after-transform: "
     "SOFT_DELETE turns deletes into inserts"},
    kMetadataList,
};

// Flink CDC 3's postgres pipeline connector (pipeline-connectors/postgres.md). `heartbeat.interval`
// and `connect.timeout` are sluice's own keys with Flink's meaning and default; the snapshot's
// chunk and fetch sizes are left to the snapshot's reader.
constexpr FlinkKey kPostgresSource[] = {
    kName,
    SLUICE_SPLIT_TUNING(""),
    {"decoding.plugin.name", "pgoutput", "sluice decodes pgoutput, PostgreSQL's built-in plugin"},
    {"schema-change.enabled", "true",
     "sluice always turns a changed Relation message into a schema change; the sink decides what "
     "to do with it (Kafka schema-change.topic, Doris table.create.enabled)"},
    {"scan.startup.specific-offset.skip-events", "",
     "sluice starts from the slot (latest-offset or committed-offset), with no offset to skip "
     "from"},
    {"scan.startup.specific-offset.skip-rows", "",
     "sluice starts from the slot (latest-offset or committed-offset), with no offset to skip "
     "from"},
    {"scan.newly-added-table.enabled", "false",
     "sluice snapshots tables added to 'tables' for MySQL sources only (a PostgreSQL start does "
     "not record the captured tables yet); here one still empty is added to its publication, one "
     "with rows stops the "
     "pipeline (README \"Faults and table lifecycle\")"},
    {"scan.binlog.newly-added-table.enabled", "true",
     "sluice always captures a table created later whose name matches 'tables' (added to its "
     "publication while empty)"},
    {"scan.parse.online.schema.changes.enabled", "false",
     "sluice does not follow shadow tables; PostgreSQL changes a table's columns in place"},
    {"include-comments.enabled", "false", "sluice does not carry table or column comments"},
    {"treat-tinyint1-as-boolean.enabled", "*", ""},  // PostgreSQL has no TINYINT(1)
    {"use.legacy.json.format", "false",
     "sluice writes json values as PostgreSQL stores them (json keeps its spaces; the server "
     "normalizes jsonb)"},
    kConnectMaxRetries,
    {"connection.pool.size", "",
     "sluice uses one replication connection, one query connection and, while a snapshot runs, "
     "scan.snapshot.parallelism query connections"},
    {"jdbc.properties.", "", "sluice connects with libpq, not JDBC"},
    {"debezium.", "", "sluice decodes pgoutput itself, without Debezium"},
    {"scan.lsn-commit.checkpoints-num-delay", "",
     "sluice confirms the slot's LSN when a checkpoint is committed"},
    kMetadataList,
};

constexpr std::string_view kNoSchemaBlock = "sluice writes debezium-json without the schema block";

constexpr FlinkKey kKafkaSink[] = {
    kName,
    {"key.format", "json", "sluice writes each key as a JSON object of the key columns"},
    {"sink.add-tableId-to-header-enabled", "false",
     "sluice's record headers are sluice.op and sluice.position (headers: true); the table is in "
     "the value's source block"},
    {"sink.custom-header", "", "sluice's record headers are sluice.op and sluice.position"},
    {"sink.tableId-to-topic.mapping", "",
     "map tables to topics with route: sink-table (topic.template '{db}.{table}') or one fixed "
     "topic"},
    {"debezium-json.include-schema.enabled", "false", kNoSchemaBlock},
    {"sink.debezium-json.include-schema.enabled", "false", kNoSchemaBlock},
    {"sink.delivery-guarantee", "",
     "set the guarantee with pipeline.delivery: exactly-once (the default) or at-least-once"},
};

constexpr FlinkKey kDorisSink[] = {
    kName,
    {"jdbc-url", "", "sluice sends its DDL through the FE's HTTP SQL API at fenodes"},
    {"auto-redirect", "true",
     "sluice loads through the FE's redirect to a BE, or straight to the BEs listed in "
     "benodes"},
    {"charset-encoding", "utf-8|utf8", "sluice sends UTF-8"},
    {"sink.enable.batch-mode", "true",
     "sluice always batches rows per table (sink.buffer-flush.max-rows/-bytes, and each "
     "checkpoint)"},
    {"sink.flush.queue-size", "*", ""},
    {"sink.ignore.update-before", "true",
     "sluice writes an update as an upsert of the new row (and a delete of the old key when the "
     "key changed)"},
    {"table.create.auto-partition.properties.", "",
     "sluice creates tables without partitions (DISTRIBUTED BY HASH(key) BUCKETS AUTO); create "
     "a partitioned table yourself before the first load"},
};

constexpr FlinkKey kOther[] = {kName};

#undef SLUICE_SPLIT_TUNING

bool matches(const FlinkKey& k, std::string_view key) {
  return k.key.ends_with('.') ? key.starts_with(k.key) && key.size() > k.key.size() : key == k.key;
}

}  // namespace

std::span<const FlinkKey> keys_of(Section section) {
  switch (section) {
    case Section::pipeline: return kPipeline;
    case Section::mysql_source: return kMysqlSource;
    case Section::postgres_source: return kPostgresSource;
    case Section::kafka_sink: return kKafkaSink;
    case Section::doris_sink: return kDorisSink;
    case Section::other: return kOther;
  }
  return {};
}

const FlinkKey* find(Section section, std::string_view key) {
  for (const FlinkKey& k : keys_of(section)) {
    if (matches(k, key)) return &k;
  }
  return nullptr;
}

bool accepts(const FlinkKey& k, std::string_view value) {
  if (k.accepted == "*") return true;
  const std::string v = upper_ascii(trim(value));
  std::string_view rest = k.accepted;
  while (!rest.empty()) {
    const size_t bar = rest.find('|');
    if (upper_ascii(rest.substr(0, bar)) == v) return true;
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  return false;
}

std::string refusal(const FlinkKey& k, std::string_view key, std::string_view value) {
  if (k.accepted.empty()) {
    return "Flink CDC option " + quote(key) + " is not supported: " + std::string(k.instead);
  }
  std::string allowed(k.accepted);
  std::replace(allowed.begin(), allowed.end(), '|', ',');
  return "Flink CDC option " + quote(key) + " is supported only as " + quote(allowed) + ", found " +
         quote(value) + ": " + std::string(k.instead);
}

void read_keys(yaml::Ctx& ctx, yaml::MapReader& m, Section section) {
  for (const auto& [key, value] : m.node().entries) {
    if (key.kind != yaml::Kind::scalar) continue;
    const FlinkKey* k = find(section, key.value);
    if (k == nullptr) continue;
    m.add_known(key.value);  // the node outlives the reader
    const std::string path = m.path_of(key.value);
    ctx.locate(path, value);
    if (k->accepted == "*") continue;
    // A mapping or list value (flink-conf, user-defined-function) is refused by its key alone.
    const bool scalar = value.kind == yaml::Kind::scalar || value.kind == yaml::Kind::null;
    std::optional<std::string> text =
        scalar ? yaml::read_text(ctx, value, path, "a value") : std::nullopt;
    if (scalar && !text) continue;  // read_text reported it
    if (text && accepts(*k, *text)) continue;
    ctx.add(value, path, refusal(*k, key.value, text.value_or("")));
  }
}

}  // namespace cdc::config::flink

namespace cdc::config::flink {
namespace {

bool is_flink_table_pattern(std::string_view p) {
  bool in_class = false;
  bool separator = false;
  bool any_char = false;  // Flink's "\." (a regex's literal dot)
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      if (!in_class && i + 1 < p.size() && p[i + 1] == '.') any_char = true;
      ++i;  // the escaped character
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else if (c == '.') {
      const char next = i + 1 < p.size() ? p[i + 1] : '\0';
      if (next != '*' && next != '+' && next != '?' && next != '{') separator = true;
    }
  }
  return separator && any_char;
}

}  // namespace

std::string table_regex(std::string_view pattern) {
  if (!is_flink_table_pattern(pattern)) return std::string(pattern);
  std::string out;
  out.reserve(pattern.size() + 4);
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char escaped = pattern[++i];
      if (escaped == '.' && !in_class) {
        out += '.';  // Flink: "\." is any character
      } else {
        out += c;
        out += escaped;
      }
    } else if (in_class) {
      in_class = c != ']';
      out += c;
    } else if (c == '[') {
      in_class = true;
      out += c;
    } else if (c == '.') {
      out += "\\.";  // Flink: the database/table separator
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace cdc::config::flink
