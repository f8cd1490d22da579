// PgConnection: one libpq connection (RAII over PGconn), either a normal one (catalog queries,
// publication, heartbeats, lag) or a replication=database one (IDENTIFY_SYSTEM,
// CREATE_REPLICATION_SLOT, START_REPLICATION and the CopyBoth stream). Not thread-safe: the
// source serialises every use of one connection.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/postgres/postgres_source_options.h"

struct pg_conn;
struct pg_result;

namespace cdc::postgres {

// Rows of a query's result in text form; nullopt = SQL NULL.
struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

class PgConnection {
 public:
  // Errc::auth for a refused login, Errc::unavailable/io when the server cannot be reached.
  static Result<PgConnection> connect(const PostgresSourceOptions& o, bool replication);
  PgConnection(PgConnection&&) noexcept;
  PgConnection& operator=(PgConnection&&) noexcept;
  ~PgConnection();

  // A simple-protocol statement (replication commands included). `params` go through
  // PQexecParams (text); on a replication connection only the simple protocol exists.
  Result<QueryResult> query(const std::string& sql, const std::vector<std::string>& params = {});
  // COPY BOTH started by START_REPLICATION.
  Status start_copy_both(const std::string& sql);
  // One CopyData message without blocking: a message (`out` views libpq's copy of it, valid
  // until the next call), nothing yet (returns false), or an error (the stream ended or the
  // connection broke).
  Result<bool> try_read_copy(std::span<const std::byte>& out);
  // Waits until the socket is readable (or OpenSSL holds decrypted bytes the socket no longer
  // shows) or `timeout` passed (0: only looks); then reads what arrived and returns true. One read
  // takes at most libpq's buffer (16 kB): a reader that finds no whole message calls this with 0
  // before it waits or sleeps, or it reads no faster than 16 kB per wait.
  Result<bool> wait_readable(std::chrono::milliseconds timeout);
  Status put_copy(const std::string& bytes);  // sends and flushes
  // Leaves the COPY BOTH on purpose: CopyDone, then what the server still sends is discarded
  // up to its CopyDone and the end of START_REPLICATION. The walsender releases the slot before
  // it ends the command, so after a true return the slot is inactive. (Only closing the
  // connection leaves it active until the backend sees the socket close and exits: a client
  // that drops or takes the slot just after sluice stopped found it still "active for PID".)
  // False when the connection is not streaming, broke, or the server did not finish within
  // `timeout`; the caller closes the connection either way.
  bool end_copy_both(std::chrono::milliseconds timeout);
  int backend_pid() const;
  std::string error_message() const;

  static std::string quote_ident(const std::string& s);
  static std::string quote_literal(const std::string& s);

 private:
  explicit PgConnection(pg_conn* c) : conn_(c) {}
  struct Closer {
    void operator()(pg_conn* c) const;
  };
  std::unique_ptr<pg_conn, Closer> conn_;
  struct CopyFree {
    void operator()(char* p) const;
  };
  std::unique_ptr<char, CopyFree> copy_;  // the last message of try_read_copy
};

}  // namespace cdc::postgres
