#include "cdc/postgres/snapshot/pg_chunk_reader.h"

#include <unistd.h>

#include <charconv>

#include "cdc/core/log.h"
#include "cdc/postgres/snapshot/pg_key_text.h"

namespace cdc::postgres {

namespace {

constexpr const char* kCursor = "sluice_snapshot_chunk";
constexpr int kFetchRows = 1000;  // rows per FETCH: bounds the memory of a one-pass table

Result<Lsn> lsn_from_text(const std::optional<std::string>& text) {
  const auto slash = text ? text->find('/') : std::string::npos;
  if (slash == std::string::npos) {
    return make_error(Errc::malformed, "consistent point '" + text.value_or("NULL") + "'");
  }
  try {
    return Lsn{(std::stoull(text->substr(0, slash), nullptr, 16) << 32) |
               std::stoull(text->substr(slash + 1), nullptr, 16)};
  } catch (...) {
    return make_error(Errc::malformed, "consistent point '" + *text + "'");
  }
}

}  // namespace

PgChunkReader::PgChunkReader(PostgresSourceOptions options, const PgTypeRegistry& registry,
                             TypesOf types_of, std::optional<ExportedSnapshot> exported)
    : o_(std::move(options)),
      registry_(registry),
      types_of_(std::move(types_of)),
      exported_(std::move(exported)) {}

// A temporary slot exists for one session only: the server drops it when `repl` closes, also
// when this process is killed, so an interrupted snapshot leaves no slot behind.
Result<ExportedSnapshot> PgChunkReader::export_on_temporary_slot() {
  CDC_TRY_ASSIGN(auto repl, PgConnection::connect(o_, true));
  // Slot names are at most 63 characters of [a-z0-9_]; the backend pid makes it unique.
  const std::string suffix = "_snapshot_" + std::to_string(repl.backend_pid());
  const std::string name = o_.slot_name.substr(0, 63 - suffix.size()) + suffix;
  CDC_TRY_ASSIGN(auto created,
                 repl.query("CREATE_REPLICATION_SLOT " + PgConnection::quote_ident(name) +
                            " TEMPORARY LOGICAL pgoutput (SNAPSHOT 'export')"));
  if (created.rows.size() != 1 || created.rows[0].size() < 3 || !created.rows[0][2]) {
    return make_error(Errc::malformed, "CREATE_REPLICATION_SLOT " + name + " exported no snapshot");
  }
  CDC_TRY_ASSIGN(const Lsn at, lsn_from_text(created.rows[0][1]));
  const ExportedSnapshot snap{*created.rows[0][2], at};
  // Imported while `repl` is still open and idle (the export lives that long).
  CDC_TRY(sql_->query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  in_transaction_ = true;
  CDC_TRY(sql_->query("SET TRANSACTION SNAPSHOT " + PgConnection::quote_literal(snap.name)));
  return snap;
}

Result<StreamPoint> PgChunkReader::begin_consistent_read() {
  if (in_transaction_) CDC_TRY(end_consistent_read());
  if (!sql_) {
    CDC_TRY_ASSIGN(auto c, PgConnection::connect(o_, false));
    sql_.emplace(std::move(c));
  }
  const auto started = std::chrono::steady_clock::now();
  ExportedSnapshot snap;
  if (exported_) {
    snap = *exported_;
    exported_.reset();
    CDC_TRY(sql_->query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    in_transaction_ = true;
    if (auto st = sql_->query("SET TRANSACTION SNAPSHOT " + PgConnection::quote_literal(snap.name));
        !st) {
      return std::move(st).error().with_context("importing the snapshot slot " + o_.slot_name +
                                                " exported");
    }
  } else {
    auto made = export_on_temporary_slot();
    if (!made) {
      return std::move(made).error().with_context(
          "a consistent read for the snapshot (a temporary replication slot with an exported "
          "snapshot: it needs a free slot and WAL sender)");
    }
    snap = *made;
  }
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  log::get("snapshot")
      ->info(
          "[source={}] consistent read at slot consistent point {} (snapshot {}) opened in {} "
          "us; no lock taken",
          o_.pipeline_name, to_string(snap.consistent_point), snap.name, took.count());
  return StreamPoint(PostgresPosition{snap.consistent_point, Lsn{0}, 0});
}

Status PgChunkReader::end_consistent_read() {
  if (!in_transaction_) return {};
  in_transaction_ = false;
  table_ = nullptr;
  // COMMIT also closes a cursor not read to its end.
  CDC_TRY(sql_->query("COMMIT"));
  return {};
}

Result<std::string> PgChunkReader::chunk_query(const TableSchema& table,
                                               std::span<const Value> after, uint64_t limit,
                                               std::vector<std::string>& params) {
  params.clear();
  std::string sql = "SELECT ";
  for (size_t col_idx = 0; col_idx < table.columns.size(); ++col_idx) {
    if (col_idx != 0) sql += ", ";
    sql += PgConnection::quote_ident(table.columns[col_idx].name);
  }
  sql += " FROM " + PgConnection::quote_ident(table.id.db) + "." +
         PgConnection::quote_ident(table.id.table);
  const auto& key = table.primary_key;
  std::string key_list;
  for (size_t i = 0; i < key.size(); ++i) {
    key_list += (i == 0 ? "" : ", ") + PgConnection::quote_ident(table.columns[key[i]].name);
  }
  if (!after.empty()) {
    if (after.size() != key.size()) {
      return make_error(Errc::internal, "a key of " + std::to_string(after.size()) +
                                            " values for the " + std::to_string(key.size()) +
                                            "-column key of " + table.id.to_string());
    }
    // A row comparison: lexicographic over the key, by the btree order of the primary key's
    // index (the same operators and collations as the ORDER BY), so an index range.
    sql += " WHERE (" + key_list + ") > (";
    for (size_t i = 0; i < key.size(); ++i) {
      const Column& c = table.columns[key[i]];
      CDC_TRY_ASSIGN(std::string text, pg_key_text(c, after[i]));
      params.push_back(std::move(text));
      sql += (i == 0 ? "$" : ", $") + std::to_string(i + 1) + "::" + c.source_type;
    }
    sql += ")";
  }
  if (!key.empty()) sql += " ORDER BY " + key_list;
  if (limit != 0) sql += " LIMIT " + std::to_string(limit);
  return sql;
}

Result<std::optional<uint64_t>> PgChunkReader::estimate_rows(const TableSchema& table) {
  using Out = std::optional<uint64_t>;
  if (!sql_) return make_error(Errc::internal, "a row estimate without a connection");
  const std::string name =
      PgConnection::quote_ident(table.id.db) + "." + PgConnection::quote_ident(table.id.table);
  CDC_TRY_ASSIGN(const QueryResult r,
                 sql_->query("SELECT reltuples FROM pg_class WHERE oid = $1::regclass", {name}));
  if (r.rows.empty() || r.rows[0].empty() || !r.rows[0][0]) return Out();
  // A float4 in text ("1e+06" too); -1 until the table's first VACUUM or ANALYZE.
  const std::string& text = *r.rows[0][0];
  double n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return make_error(Errc::malformed, "the server's reltuples of " + table.id.to_string() +
                                           " is not a number: '" + text + "'");
  }
  if (!(n >= 0)) return Out();
  return Out(static_cast<uint64_t>(n + 0.5));
}

Status PgChunkReader::start_chunk(const TableSchema& table, std::span<const Value> after,
                                  uint64_t limit) {
  if (!in_transaction_) return make_error(Errc::internal, "a chunk outside a consistent read");
  if (table.primary_key.empty()) {
    log::get("snapshot")
        ->warn(
            "[source={}] {} has no primary key: read in one pass, not in chunks (it cannot resume "
            "inside the table)",
            o_.pipeline_name, table.id.to_string());
  }
  types_ = types_of_(table.id);
  if (types_ == nullptr || types_->type_oids.size() != table.columns.size() ||
      types_->typmods.size() != table.columns.size()) {
    return make_error(Errc::internal, "no column types for " + table.id.to_string());
  }
  std::vector<std::string> params;
  CDC_TRY_ASSIGN(const std::string select, chunk_query(table, after, limit, params));
  if (table_ != nullptr) CDC_TRY(sql_->query(std::string("CLOSE ") + kCursor));
  table_ = nullptr;
  CDC_TRY(
      sql_->query(std::string("DECLARE ") + kCursor + " NO SCROLL CURSOR FOR " + select, params));
  table_ = &table;
  fetched_ = {};
  next_ = 0;
  return {};
}

Result<std::optional<std::span<const Value>>> PgChunkReader::next_row(Arena& arena) {
  using Out = std::optional<std::span<const Value>>;
  if (table_ == nullptr) return Out();
  if (next_ == fetched_.rows.size()) {
    CDC_TRY_ASSIGN(fetched_, sql_->query("FETCH " + std::to_string(kFetchRows) + " FROM " +
                                         std::string(kCursor)));
    next_ = 0;
    if (fetched_.rows.empty()) {
      table_ = nullptr;
      CDC_TRY(sql_->query(std::string("CLOSE ") + kCursor));
      return Out();
    }
  }
  const auto& row = fetched_.rows[next_++];
  const auto& columns = table_->columns;
  if (row.size() != columns.size()) {
    return make_error(Errc::malformed, "a row of " + std::to_string(row.size()) +
                                           " columns for the " + std::to_string(columns.size()) +
                                           " of " + table_->id.to_string());
  }
  std::span<Value> values = arena.make_array<Value>(columns.size());
  for (size_t col_idx = 0; col_idx < columns.size(); ++col_idx) {
    if (!row[col_idx]) continue;  // NULL
    auto v = pg_text_value(registry_, columns[col_idx], types_->type_oids[col_idx],
                           types_->typmods[col_idx], *row[col_idx], arena);
    if (!v) {
      return std::move(v).error().with_context("column " + columns[col_idx].name + " of " +
                                               table_->id.to_string());
    }
    values[col_idx] = *v;
  }
  return Out(values);
}

}  // namespace cdc::postgres
