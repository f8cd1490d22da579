#include "cdc/mysql/snapshot/mysql_chunk_reader.h"

#include <charconv>

#include "cdc/core/log.h"
#include "cdc/mysql/snapshot/snapshot_values.h"

namespace cdc::mysql {

Result<std::unique_ptr<MysqlChunkReader>> MysqlChunkReader::connect(const ConnectOptions& options,
                                                                    std::string pipeline_name,
                                                                    bool geometry_wkt,
                                                                    InvalidText on_invalid) {
  CDC_TRY_ASSIGN(auto conn, MysqlConnection::connect(options));
  const bool mariadb = conn->server_version().find("MariaDB") != std::string::npos;
  // Identifiers and string keys are sent as UTF-8; TIMESTAMP text is UTC (snapshot_values.cpp).
  CDC_TRY(conn->execute("SET NAMES utf8mb4"));
  CDC_TRY(conn->execute("SET SESSION time_zone = '+00:00'"));
  CDC_TRY(conn->execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  // A streamed chunk waits on the sink when the queue is full: the server must not give up
  // writing to us meanwhile (net_write_timeout defaults to 60 s).
  CDC_TRY(conn->execute("SET SESSION net_write_timeout = 3600"));
  // MySQL: FLUSH TABLES WITH READ LOCK waits for running statements while new writes wait for
  // it; it gives up after 10 s rather than stall the server's writers for the default year
  // (Debezium's snapshot.lock.timeout.ms is 10 s too).
  if (!mariadb) CDC_TRY(conn->execute("SET SESSION lock_wait_timeout = 10"));
  std::unique_ptr<MysqlChunkReader> reader(
      new MysqlChunkReader(std::move(conn), std::move(pipeline_name), geometry_wkt, on_invalid));
  reader->mariadb_ = mariadb;
  return reader;
}

std::string MysqlChunkReader::binlog_status_query(std::string_view server_version) {
  unsigned major = 0, minor = 0;
  const char* p = server_version.data();
  const char* end = p + server_version.size();
  auto r = std::from_chars(p, end, major);
  if (r.ec == std::errc() && r.ptr != end && *r.ptr == '.') std::from_chars(r.ptr + 1, end, minor);
  return major > 8 || (major == 8 && minor >= 2) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS";
}

Result<MysqlPosition> MysqlChunkReader::binlog_status_position(const std::vector<SqlRow>& rows) {
  if (rows.size() != 1 || rows[0].size() < 2 || !rows[0][0] || !rows[0][1] || rows[0][0]->empty()) {
    return make_error(Errc::invalid_config,
                      "the server reports no binlog position (SHOW BINARY LOG STATUS / SHOW "
                      "MASTER STATUS): is log_bin on, and does the user have REPLICATION CLIENT?");
  }
  MysqlPosition at;
  at.binlog.file = *rows[0][0];
  const std::string& pos = *rows[0][1];
  const auto [end, ec] = std::from_chars(pos.data(), pos.data() + pos.size(), at.binlog.offset);
  if (ec != std::errc() || end != pos.data() + pos.size()) {
    return make_error(Errc::malformed, "the server's binlog status gives position '" + pos +
                                           "' for " + at.binlog.file + ", not a number");
  }
  return at;
}

Result<StreamPoint> MysqlChunkReader::begin_consistent_read() {
  if (in_transaction_) CDC_TRY(end_consistent_read());
  const auto started = std::chrono::steady_clock::now();
  std::chrono::microseconds locked{0};
  auto at = mariadb_ ? mariadb_consistent_read() : mysql_consistent_read(locked);
  if (!at) return std::move(at).error();
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  log::get("snapshot")
      ->info("[source={}] consistent read at {}:{} opened in {} us; lock held: {} us ({})",
             pipeline_name_, at->binlog.file, at->binlog.offset, took.count(), locked.count(),
             mariadb_ ? "none taken" : "FLUSH TABLES WITH READ LOCK until the position was read");
  return StreamPoint(*at);
}

// MariaDB takes no lock: the binlog position comes with the InnoDB read view.
Result<MysqlPosition> MysqlChunkReader::mariadb_consistent_read() {
  CDC_TRY(conn_->execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"));
  in_transaction_ = true;
  CDC_TRY_ASSIGN(auto rows, conn_->query("SHOW SESSION STATUS LIKE 'binlog_snapshot_%'"));
  MysqlPosition at;
  bool have_offset = false;
  for (const auto& r : rows) {
    if (r.size() < 2 || !r[0] || !r[1]) continue;
    if (*r[0] == "Binlog_snapshot_file") at.binlog.file = *r[1];
    if (*r[0] == "Binlog_snapshot_position") {
      const auto [end, ec] =
          std::from_chars(r[1]->data(), r[1]->data() + r[1]->size(), at.binlog.offset);
      have_offset = ec == std::errc() && end == r[1]->data() + r[1]->size();
    }
  }
  if (at.binlog.file.empty() || !have_offset) {
    return make_error(Errc::invalid_config,
                      "the server reports no binlog_snapshot_file/_position for a consistent "
                      "snapshot: is log_bin on?");
  }
  return at;
}

// MySQL reports no position with a read view. Under FLUSH TABLES WITH READ LOCK no transaction
// commits, so the read view opened then and the binlog position read then are the same point;
// the lock goes as soon as both are had (Debezium's "minimal" locking; Flink CDC instead reads
// each chunk between two positions and replays the binlog between them over it). Reviewed, not
// tested: there is no MySQL server here. Needs the RELOAD privilege (and REPLICATION CLIENT).
Result<MysqlPosition> MysqlChunkReader::mysql_consistent_read(std::chrono::microseconds& locked) {
  const auto lock_started = std::chrono::steady_clock::now();
  if (auto st = conn_->execute("FLUSH TABLES WITH READ LOCK"); !st) {
    return std::move(st).error().with_context(
        "a snapshot on MySQL starts its consistent read under FLUSH TABLES WITH READ LOCK "
        "(needs the RELOAD privilege; waits at most lock_wait_timeout = 10 s for running "
        "statements)");
  }
  auto read = [&]() -> Result<MysqlPosition> {
    CDC_TRY(conn_->execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"));
    in_transaction_ = true;
    CDC_TRY_ASSIGN(auto rows, conn_->query(binlog_status_query(conn_->server_version())));
    return binlog_status_position(rows);
  }();
  // Released on every path (an error above leaves the lock to the session otherwise).
  const Status unlocked = conn_->execute("UNLOCK TABLES");
  locked = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 lock_started);
  if (!read) return read;
  if (!unlocked)
    return std::move(unlocked).error().with_context("UNLOCK TABLES after a snapshot's read");
  return read;
}

Status MysqlChunkReader::end_consistent_read() {
  if (!in_transaction_) return {};
  in_transaction_ = false;
  // A chunk not read to its end is discarded first (the connection is then free again).
  table_ = nullptr;
  conn_->end_streaming();
  return conn_->execute("COMMIT");
}

namespace {

// `(k1, k2, ..) > (v1, v2, ..)` (or `<=`) spelled out, a form MariaDB makes index ranges of:
// `(k1 > v1) OR (k1 = v1 AND k2 > v2) ..`; `<=` is the negation, `(k1 < v1) OR (k1 = v1 AND
// k2 < v2) .. OR (k1 = v1 AND .. kn <= vn)`.
Result<std::string> key_condition(const TableSchema& table, std::span<const Value> bound,
                                  bool greater) {
  const auto& key = table.primary_key;
  if (bound.size() != key.size()) {
    return make_error(Errc::internal, "a key of " + std::to_string(bound.size()) +
                                          " values for the " + std::to_string(key.size()) +
                                          "-column key of " + table.id.to_string());
  }
  std::string sql;
  for (size_t i = 0; i < key.size(); ++i) {
    sql += i == 0 ? "(" : " OR (";
    for (size_t j = 0; j <= i; ++j) {
      const Column& c = table.columns[key[j]];
      CDC_TRY_ASSIGN(const std::string literal, sql_literal(c, bound[j]));
      if (j != 0) sql += " AND ";
      const char* op = j != i ? " = " : greater ? " > " : i + 1 == key.size() ? " <= " : " < ";
      sql += quote_identifier(c.name) + op + literal;
    }
    sql += ")";
  }
  return sql;
}

}  // namespace

Result<std::string> MysqlChunkReader::chunk_query(const TableSchema& table,
                                                  std::span<const Value> after, uint64_t limit,
                                                  std::span<const Value> through) {
  std::string sql = "SELECT ";
  for (size_t col_idx = 0; col_idx < table.columns.size(); ++col_idx) {
    if (col_idx != 0) sql += ", ";
    sql += select_expression(table.columns[col_idx]);
  }
  sql += " FROM " + quote_identifier(table.id.db) + "." + quote_identifier(table.id.table);
  const auto& key = table.primary_key;
  std::string after_cond, through_cond;
  if (!after.empty()) {
    CDC_TRY_ASSIGN(after_cond, key_condition(table, after, true));
  }
  if (!through.empty()) {
    CDC_TRY_ASSIGN(through_cond, key_condition(table, through, false));
  }
  if (!after_cond.empty() && !through_cond.empty()) {
    sql += " WHERE (" + after_cond + ") AND (" + through_cond + ")";
  } else if (!after_cond.empty() || !through_cond.empty()) {
    sql += " WHERE " + after_cond + through_cond;
  }
  if (!key.empty()) {
    sql += " ORDER BY ";
    for (size_t i = 0; i < key.size(); ++i) {
      if (i != 0) sql += ", ";
      sql += quote_identifier(table.columns[key[i]].name);
    }
  }
  if (limit != 0) sql += " LIMIT " + std::to_string(limit);
  return sql;
}

Status MysqlChunkReader::start_chunk_through(const TableSchema& table, std::span<const Value> after,
                                             std::span<const Value> through, uint64_t limit) {
  if (through.empty()) return start_chunk(table, after, limit);
  if (!in_transaction_) return make_error(Errc::internal, "a chunk outside a consistent read");
  CDC_TRY_ASSIGN(const std::string sql, chunk_query(table, after, limit, through));
  use_table(table);
  return conn_->start_streaming(sql);
}

Result<std::string> MysqlChunkReader::whole_values_query(const TableSchema& table,
                                                         std::span<const Value> after,
                                                         uint64_t limit) {
  if (table.primary_key.size() != 1 || limit == 0) {
    return make_error(Errc::internal, "whole-value chunks of " + table.id.to_string() +
                                          " need a one-column key and a limit");
  }
  const std::string name = quote_identifier(table.id.db) + "." + quote_identifier(table.id.table);
  const std::string col = quote_identifier(table.columns[table.primary_key[0]].name);
  std::string after_cond;
  if (!after.empty()) {
    CDC_TRY_ASSIGN(after_cond, key_condition(table, after, true));
  }
  // The chunk's last value: that of its `limit`-th row in key order (read in the same view).
  std::string last = "(SELECT MAX(" + col + ") FROM (SELECT " + col + " FROM " + name +
                     (after_cond.empty() ? "" : " WHERE " + after_cond) + " ORDER BY " + col +
                     " LIMIT " + std::to_string(limit) + ") AS chunk_keys)";
  CDC_TRY_ASSIGN(std::string sql, chunk_query(table, after, 0));
  const auto order_by = sql.rfind(" ORDER BY ");
  if (order_by == std::string::npos) {
    return make_error(Errc::internal, "a chunk query without ORDER BY: " + sql);
  }
  sql.insert(order_by, (after_cond.empty() ? " WHERE " : " AND ") + col + " <= " + last);
  return sql;
}

Status MysqlChunkReader::start_chunk_whole_values(const TableSchema& table,
                                                  std::span<const Value> after, uint64_t limit) {
  if (!in_transaction_) return make_error(Errc::internal, "a chunk outside a consistent read");
  CDC_TRY_ASSIGN(const std::string sql, whole_values_query(table, after, limit));
  use_table(table);
  return conn_->start_streaming(sql);
}

Result<std::optional<snapshot::ChunkReader::KeyBounds>> MysqlChunkReader::key_bounds(
    const TableSchema& table, Arena& arena) {
  using Out = std::optional<KeyBounds>;
  if (table.primary_key.size() != 1) {
    return make_error(Errc::internal,
                      "key bounds of " + table.id.to_string() + ", whose key is not one column");
  }
  const Column& c = table.columns[table.primary_key[0]];
  const std::string col = quote_identifier(c.name);
  CDC_TRY_ASSIGN(auto rows, conn_->query("SELECT MIN(" + col + "), MAX(" + col + ") FROM " +
                                         quote_identifier(table.id.db) + "." +
                                         quote_identifier(table.id.table)));
  if (rows.size() != 1 || rows[0].size() != 2) {
    return make_error(Errc::malformed, "the key range of " + table.id.to_string() + ": " +
                                           std::to_string(rows.size()) + " rows");
  }
  if (!rows[0][0] || !rows[0][1]) return Out();
  KeyBounds b;
  for (int i = 0; i < 2; ++i) {
    auto v = value_from_text(c, std::string_view(*rows[0][i]), geometry_wkt_, on_invalid_, arena);
    if (!v) return std::move(v).error().with_context("the key range of " + table.id.to_string());
    (i == 0 ? b.least : b.greatest) = *v;
  }
  return Out(b);
}

Result<std::optional<uint64_t>> MysqlChunkReader::estimate_rows(const TableSchema& table) {
  using Out = std::optional<uint64_t>;
  CDC_TRY_ASSIGN(auto rows, conn_->query("SELECT TABLE_ROWS FROM information_schema.TABLES WHERE "
                                         "TABLE_SCHEMA='" +
                                         conn_->escape(table.id.db) + "' AND TABLE_NAME='" +
                                         conn_->escape(table.id.table) + "'"));
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return Out();
  const std::string_view text = *rows[0][0];
  uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return make_error(Errc::malformed, "the server's TABLE_ROWS of " + table.id.to_string() +
                                           " is not a count: '" + std::string(text) + "'");
  }
  return Out(n);
}

Status MysqlChunkReader::start_chunk(const TableSchema& table, std::span<const Value> after,
                                     uint64_t limit) {
  if (!in_transaction_) return make_error(Errc::internal, "a chunk outside a consistent read");
  if (table.primary_key.empty()) {
    log::get("snapshot")
        ->warn(
            "[source={}] {} has no primary key: read in one pass, not in chunks (it cannot resume "
            "inside the table)",
            pipeline_name_, table.id.to_string());
  }
  CDC_TRY_ASSIGN(const std::string sql, chunk_query(table, after, limit));
  use_table(table);
  return conn_->start_streaming(sql);
}

void MysqlChunkReader::use_table(const TableSchema& table) {
  table_ = &table;
  text_columns_.clear();
  for (const Column& c : table.columns) text_columns_.push_back(text_column(c));
}

Result<std::optional<std::span<const Value>>> MysqlChunkReader::next_row(Arena& arena) {
  using Out = std::optional<std::span<const Value>>;
  if (table_ == nullptr) return Out();
  CDC_TRY_ASSIGN(auto row, conn_->fetch_row());
  if (!row) {
    table_ = nullptr;
    return Out();
  }
  const auto& columns = table_->columns;
  if (row->size() != columns.size()) {
    return make_error(Errc::malformed, "a row of " + std::to_string(row->size()) +
                                           " columns for the " + std::to_string(columns.size()) +
                                           " of " + table_->id.to_string());
  }
  std::span<Value> values = arena.make_array<Value>(columns.size());
  for (size_t col_idx = 0; col_idx < columns.size(); ++col_idx) {
    auto v =
        value_from_text(text_columns_[col_idx], (*row)[col_idx], geometry_wkt_, on_invalid_, arena);
    if (!v) return std::move(v).error().with_context(table_->id.to_string());
    values[col_idx] = *v;
  }
  return Out(values);
}

}  // namespace cdc::mysql
