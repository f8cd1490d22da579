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

// SELECT of every column of `table`, in schema order, FROM it: what each chunk query starts with.
std::string select_all_from(const TableSchema& table) {
  std::string sql = "SELECT ";
  for (size_t col_idx = 0; col_idx < table.columns.size(); ++col_idx) {
    if (col_idx != 0) sql += ", ";
    sql += PgConnection::quote_ident(table.columns[col_idx].name);
  }
  sql += " FROM " + PgConnection::quote_ident(table.id.db) + "." +
         PgConnection::quote_ident(table.id.table);
  return sql;
}

}  // namespace

PgChunkReader::PgChunkReader(PostgresSourceOptions options, const PgTypeRegistry& registry,
                             TypesOf types_of)
    : o_(std::move(options)), registry_(registry), types_of_(std::move(types_of)) {}

Result<TemporaryExport> export_on_temporary_slot(const PostgresSourceOptions& o) {
  CDC_TRY_ASSIGN(auto repl, PgConnection::connect(o, true));
  // Slot names are at most 63 characters of [a-z0-9_]; the backend pid makes it unique.
  const std::string suffix = "_snapshot_" + std::to_string(repl.backend_pid());
  const std::string name = o.slot_name.substr(0, 63 - suffix.size()) + suffix;
  CDC_TRY_ASSIGN(auto created,
                 repl.query("CREATE_REPLICATION_SLOT " + PgConnection::quote_ident(name) +
                            " TEMPORARY LOGICAL pgoutput (SNAPSHOT 'export')"));
  if (created.rows.size() != 1 || created.rows[0].size() < 3 || !created.rows[0][2]) {
    return make_error(Errc::malformed, "CREATE_REPLICATION_SLOT " + name + " exported no snapshot");
  }
  CDC_TRY_ASSIGN(const Lsn at, lsn_from_text(created.rows[0][1]));
  ExportedSnapshot snap{*created.rows[0][2], at};
  return TemporaryExport{std::move(repl), std::move(snap), name};
}

Status TemporaryExport::drop() {
  CDC_TRY(repl.query("DROP_REPLICATION_SLOT " + PgConnection::quote_ident(slot_name)));
  return {};
}

Status PgChunkReader::import_snapshot(const ExportedSnapshot& exported) {
  if (imported_) return make_error(Errc::internal, "a snapshot imported twice");
  const auto started = std::chrono::steady_clock::now();
  if (!sql_) {
    CDC_TRY_ASSIGN(auto c, PgConnection::connect(o_, false));
    sql_.emplace(std::move(c));
  }
  CDC_TRY(sql_->query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  if (auto st =
          sql_->query("SET TRANSACTION SNAPSHOT " + PgConnection::quote_literal(exported.name));
      !st) {
    return std::move(st).error().with_context("importing the snapshot " + exported.name +
                                              " exported by a replication slot's creation");
  }
  imported_ = StreamPoint(PostgresPosition{exported.consistent_point, Lsn{0}, 0});
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  log::get("snapshot")
      ->info(
          "[source={}] consistent read at slot consistent point {} (snapshot {}) opened in {} "
          "us; no lock taken",
          o_.pipeline_name, to_string(exported.consistent_point), exported.name, took.count());
  return {};
}

Status PgChunkReader::connect_for_windows() {
  if (imported_ || sql_) return make_error(Errc::internal, "a window reader connected twice");
  CDC_TRY_ASSIGN(auto c, PgConnection::connect(o_, false));
  sql_.emplace(std::move(c));
  windows_ = true;
  return {};
}

Result<StreamPoint> PgChunkReader::begin_consistent_read() {
  if (windows_) {
    CDC_TRY(end_consistent_read());
    CDC_TRY(sql_->query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    in_transaction_ = true;
    // The first statement of a REPEATABLE READ transaction takes its snapshot, which
    // pg_current_snapshot() then reports (the active snapshot).
    CDC_TRY_ASSIGN(const QueryResult r,
                   sql_->query("SELECT pg_current_snapshot()::text, pg_current_wal_lsn()::text"));
    if (r.rows.size() != 1 || r.rows[0].size() != 2 || !r.rows[0][0]) {
      return make_error(Errc::malformed, "pg_current_snapshot() returned no snapshot");
    }
    CDC_TRY_ASSIGN(window_snapshot_, PgSnapshot::parse(*r.rows[0][0]));
    CDC_TRY_ASSIGN(const Lsn at, lsn_from_text(r.rows[0][1]));
    imported_ = StreamPoint(PostgresPosition{at, Lsn{0}, 0});
    return *imported_;
  }
  if (!imported_) return make_error(Errc::internal, "a consistent read before a snapshot import");
  CDC_TRY(end_consistent_read());
  return *imported_;
}

Status PgChunkReader::close_cursor() {
  table_ = nullptr;
  ranges_.clear();
  if (!cursor_open_) return {};
  cursor_open_ = false;
  CDC_TRY(sql_->query(std::string("CLOSE ") + kCursor));
  return {};
}

Status PgChunkReader::end_consistent_read() {
  CDC_TRY(close_cursor());
  if (windows_ && in_transaction_) {
    // A window's snapshot is not kept beyond its chunk: it would hold back VACUUM.
    in_transaction_ = false;
    CDC_TRY(sql_->query("ROLLBACK"));
  }
  return {};
}

Result<std::string> PgChunkReader::chunk_query(const TableSchema& table,
                                               std::span<const Value> after, uint64_t limit,
                                               std::vector<std::string>& params,
                                               std::span<const Value> through) {
  params.clear();
  std::string sql = select_all_from(table);
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
  if (!through.empty()) {
    if (through.size() != 1 || key.size() != 1) {
      return make_error(Errc::internal, "an upper bound of " + std::to_string(through.size()) +
                                            " values for the " + std::to_string(key.size()) +
                                            "-column key of " + table.id.to_string());
    }
    const Column& c = table.columns[key[0]];
    CDC_TRY_ASSIGN(std::string text, pg_key_text(c, through[0]));
    params.push_back(std::move(text));
    sql += std::string(after.empty() ? " WHERE " : " AND ") + key_list + " <= $" +
           std::to_string(params.size()) + "::" + c.source_type;
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

std::string PgChunkReader::ctid_query(const TableSchema& table, const CtidRange& range) {
  std::string sql = select_all_from(table);
  // Tuple offsets start at 1, so (b,0) is before every row of block b. PostgreSQL >= 14 reads
  // these bounds with a TID Range Scan (the blocks only, no filter over the whole heap).
  sql += " WHERE ctid >= '(" + std::to_string(range.first) + ",0)'::tid";
  if (range.end) sql += " AND ctid < '(" + std::to_string(*range.end) + ",0)'::tid";
  return sql;
}

Status PgChunkReader::check_chunk_start(const TableSchema& table) {
  if (!imported_ || (windows_ && !in_transaction_)) {
    return make_error(Errc::internal, "a chunk outside a consistent read");
  }
  types_ = types_of_(table.id);
  if (types_ == nullptr || types_->type_oids.size() != table.columns.size() ||
      types_->typmods.size() != table.columns.size()) {
    return make_error(Errc::internal, "no column types for " + table.id.to_string());
  }
  return close_cursor();  // the previous chunk's
}

Status PgChunkReader::open_cursor(const std::string& select,
                                  const std::vector<std::string>& params) {
  if (cursor_open_) {
    cursor_open_ = false;
    CDC_TRY(sql_->query(std::string("CLOSE ") + kCursor));
  }
  CDC_TRY(
      sql_->query(std::string("DECLARE ") + kCursor + " NO SCROLL CURSOR FOR " + select, params));
  cursor_open_ = true;
  fetched_ = {};
  next_ = 0;
  return {};
}

Result<CtidStats> PgChunkReader::ctid_stats(const TableSchema& table) {
  const std::string name =
      PgConnection::quote_ident(table.id.db) + "." + PgConnection::quote_ident(table.id.table);
  CDC_TRY_ASSIGN(const QueryResult r,
                 sql_->query("SELECT pg_relation_size(oid) / current_setting('block_size')::int8, "
                             "relpages, reltuples FROM pg_class WHERE oid = $1::regclass",
                             {name}));
  auto bad = [&] {
    return make_error(Errc::malformed, "the server's size and statistics of " +
                                           table.id.to_string() + " are not numbers");
  };
  if (r.rows.size() != 1 || r.rows[0].size() != 3 || !r.rows[0][0] || !r.rows[0][1] ||
      !r.rows[0][2]) {
    return bad();
  }
  CtidStats stats;
  const std::string& pages = *r.rows[0][0];
  const std::string& relpages = *r.rows[0][1];
  const std::string& reltuples = *r.rows[0][2];
  if (std::from_chars(pages.data(), pages.data() + pages.size(), stats.pages).ec != std::errc() ||
      std::from_chars(relpages.data(), relpages.data() + relpages.size(), stats.relpages).ec !=
          std::errc() ||
      std::from_chars(reltuples.data(), reltuples.data() + reltuples.size(), stats.reltuples).ec !=
          std::errc()) {
    return bad();
  }
  return stats;
}

Status PgChunkReader::start_ranges(const TableSchema& table, uint64_t first,
                                   std::optional<uint64_t> end) {
  CDC_TRY_ASSIGN(const CtidStats stats, ctid_stats(table));
  ranges_ =
      ctid_ranges(first, end, stats.pages, ctid_blocks_per_range(stats, o_.snapshot_chunk_size));
  next_range_ = 1;
  CDC_TRY(open_cursor(ctid_query(table, ranges_.front()), {}));
  table_ = &table;
  return {};
}

Result<std::vector<uint64_t>> PgChunkReader::storage_split_points(const TableSchema& table,
                                                                  size_t parts) {
  if (!sql_) return make_error(Errc::internal, "storage split points without a connection");
  CDC_TRY_ASSIGN(const CtidStats stats, ctid_stats(table));
  return ctid_split_points(stats.pages, parts,
                           ctid_blocks_per_range(stats, o_.snapshot_chunk_size));
}

Result<std::optional<snapshot::ChunkReader::KeyBounds>> PgChunkReader::key_bounds(
    const TableSchema& table, Arena& arena) {
  using Out = std::optional<KeyBounds>;
  if (!sql_) return make_error(Errc::internal, "key bounds without a connection");
  if (table.primary_key.size() != 1) {
    return make_error(Errc::unsupported, "key bounds of a key of " +
                                             std::to_string(table.primary_key.size()) + " columns");
  }
  const uint32_t col = table.primary_key[0];
  const PgColumnTypes* types = types_of_(table.id);
  if (types == nullptr || types->type_oids.size() != table.columns.size()) {
    return make_error(Errc::internal, "no column types for " + table.id.to_string());
  }
  const std::string k = PgConnection::quote_ident(table.columns[col].name);
  CDC_TRY_ASSIGN(const QueryResult r, sql_->query("SELECT min(" + k + "), max(" + k + ") FROM " +
                                                  PgConnection::quote_ident(table.id.db) + "." +
                                                  PgConnection::quote_ident(table.id.table)));
  if (r.rows.size() != 1 || r.rows[0].size() != 2) {
    return make_error(Errc::malformed, "the key bounds of " + table.id.to_string());
  }
  if (!r.rows[0][0] || !r.rows[0][1]) return Out();  // no rows
  Value bound[2];
  for (size_t i = 0; i < 2; ++i) {
    CDC_TRY_ASSIGN(bound[i], pg_text_value(registry_, table.columns[col], types->type_oids[col],
                                           types->typmods[col], *r.rows[0][i], arena));
  }
  return Out(KeyBounds{bound[0], bound[1]});
}

Status PgChunkReader::start_chunk(const TableSchema& table, std::span<const Value> after,
                                  uint64_t limit) {
  return start_chunk_through(table, after, {}, limit);
}

Status PgChunkReader::start_chunk_through(const TableSchema& table, std::span<const Value> after,
                                          std::span<const Value> through, uint64_t limit) {
  CDC_TRY(check_chunk_start(table));
  if (table.primary_key.empty()) {
    auto place = [&](std::span<const Value> v) -> Result<std::optional<uint64_t>> {
      if (v.empty()) return std::optional<uint64_t>();
      if (v.size() != 1 || v[0].kind != ValueKind::uint64) {
        return make_error(Errc::internal,
                          "a ctid bound that is not one block number for " + table.id.to_string());
      }
      return std::optional<uint64_t>(v[0].u);
    };
    CDC_TRY_ASSIGN(const auto first, place(after));
    CDC_TRY_ASSIGN(const auto end, place(through));
    return start_ranges(table, first.value_or(0), end);
  }
  std::vector<std::string> params;
  CDC_TRY_ASSIGN(const std::string select, chunk_query(table, after, limit, params, through));
  CDC_TRY(open_cursor(select, params));
  table_ = &table;
  return {};
}

Result<std::optional<std::span<const Value>>> PgChunkReader::next_row(Arena& arena) {
  using Out = std::optional<std::span<const Value>>;
  if (table_ == nullptr) return Out();
  while (next_ == fetched_.rows.size()) {
    CDC_TRY_ASSIGN(fetched_, sql_->query("FETCH " + std::to_string(kFetchRows) + " FROM " +
                                         std::string(kCursor)));
    next_ = 0;
    if (!fetched_.rows.empty()) break;
    if (next_range_ < ranges_.size()) {  // the next ctid range of a table without a key
      CDC_TRY(open_cursor(ctid_query(*table_, ranges_[next_range_++]), {}));
      continue;
    }
    CDC_TRY(close_cursor());
    return Out();
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
