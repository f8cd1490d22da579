#include "cdc/postgres/protocol/pg_connection.h"

#include "cdc/postgres/types/pg_types.h"

#include <libpq-fe.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace cdc::postgres {

namespace {

struct ResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultCloser>;

std::string trimmed(const char* s) {
  std::string out = s ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// SQLSTATE classes: 28 = invalid authorization; 08 = connection exception; 57P01..03 = admin
// shutdown / crash / cannot connect now; 55006 = object in use (an active slot).
Errc code_of(const PGresult* r) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr) return Errc::io;
  const std::string s = state;
  if (s.starts_with("28")) return Errc::auth;
  if (s.starts_with("08") || s.starts_with("57P") || s == "55006" || s == "53300") {
    return Errc::unavailable;
  }
  if (s.starts_with("42")) return Errc::invalid_config;  // undefined object, no privilege
  return Errc::io;
}

}  // namespace

void PgConnection::Closer::operator()(pg_conn* c) const { PQfinish(c); }
void PgConnection::CopyFree::operator()(char* p) const { PQfreemem(p); }

PgConnection::PgConnection(PgConnection&&) noexcept = default;
PgConnection& PgConnection::operator=(PgConnection&&) noexcept = default;
PgConnection::~PgConnection() = default;

Result<PgConnection> PgConnection::connect(const PostgresSourceOptions& o, bool replication) {
  const std::string port = std::to_string(o.port);
  const std::string timeout =
      std::to_string(std::max<int64_t>(1, (o.connect_timeout.count() + 999) / 1000));
  const std::string sslmode(to_string(o.ssl_mode));
  std::vector<const char*> keys = {
      "host", "port", "user", "dbname", "sslmode", "connect_timeout", "application_name"};
  std::vector<const char*> values = {
      o.host.c_str(),  port.c_str(),    o.user.c_str(), o.database.c_str(),
      sslmode.c_str(), timeout.c_str(), "sluice"};
  const auto add = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    keys.push_back(key);
    values.push_back(value.c_str());
  };
  // The walsender prints pgoutput's text forms with these session settings: the ones the type
  // conversion parses (pg_types.h), whatever the server's or role's defaults.
  const std::string session_options = pg_session_options();
  add("options", session_options);
  add("password", o.password);
  add("sslrootcert", o.ssl_root_cert);
  add("sslcert", o.ssl_cert);
  add("sslkey", o.ssl_key);
  if (replication) {
    keys.push_back("replication");
    values.push_back("database");
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* c = PQconnectdbParams(keys.data(), values.data(), 0);
  PgConnection conn(c);
  if (c == nullptr) return make_error(Errc::internal, "libpq could not allocate a connection");
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string msg = trimmed(PQerrorMessage(c));
    // A refused login or a TLS setup that cannot work (an untrusted or mismatched server
    // certificate, a missing CA file, a server without TLS) does not heal by retrying.
    bool auth = false;
    for (const char* permanent :
         {"password authentication failed", "no pg_hba.conf entry", "does not exist",
          "certificate verify failed", "does not match host name", "root certificate file",
          "server does not support SSL", "could not read certificate", "could not load private "}) {
      auth = auth || msg.find(permanent) != std::string::npos;
    }
    return make_error(auth ? Errc::auth : Errc::unavailable,
                      "connecting to PostgreSQL at " + o.host + ":" + port + " as " + o.user +
                          (replication ? " (replication)" : "") + ": " + msg);
  }
  return conn;
}

Result<QueryResult> PgConnection::query(const std::string& sql,
                                        const std::vector<std::string>& params) {
  ResultPtr r;
  if (params.empty()) {
    r.reset(PQexec(conn_.get(), sql.c_str()));
  } else {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    r.reset(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                         values.data(), nullptr, nullptr, 0));
  }
  const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return make_error(code_of(r.get()),
                      trimmed(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn_.get())));
  }
  QueryResult out;
  const int nfields = PQnfields(r.get());
  for (int f = 0; f < nfields; ++f) out.columns.emplace_back(PQfname(r.get(), f));
  const int nrows = PQntuples(r.get());
  out.rows.reserve(nrows);
  for (int row_idx = 0; row_idx < nrows; ++row_idx) {
    auto& row = out.rows.emplace_back();
    for (int f = 0; f < nfields; ++f) {
      if (PQgetisnull(r.get(), row_idx, f)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(
            std::string(PQgetvalue(r.get(), row_idx, f), PQgetlength(r.get(), row_idx, f)));
      }
    }
  }
  return out;
}

Status PgConnection::start_copy_both(const std::string& sql) {
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  if (!r || PQresultStatus(r.get()) != PGRES_COPY_BOTH) {
    return make_error(code_of(r.get()),
                      trimmed(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn_.get())));
  }
  return {};
}

Result<bool> PgConnection::try_read_copy(std::span<const std::byte>& out) {
  // libpq copies every message into a buffer of its own: viewed, not copied again.
  copy_.reset();
  out = {};
  char* buf = nullptr;
  const int n = PQgetCopyData(conn_.get(), &buf, 1);
  if (n > 0) {
    copy_.reset(buf);
    out = std::as_bytes(std::span(buf, static_cast<size_t>(n)));
    return true;
  }
  if (n == 0) return false;
  if (n == -1) {
    // The COPY ended: the server says why in the command's result.
    ResultPtr r(PQgetResult(conn_.get()));
    std::string why = r ? trimmed(PQresultErrorMessage(r.get())) : "";
    return make_error(r ? code_of(r.get()) : Errc::io,
                      "the replication stream ended" + (why.empty() ? "" : ": " + why));
  }
  return make_error(Errc::io, "reading the replication stream: " + error_message());
}

Result<bool> PgConnection::wait_readable(std::chrono::milliseconds timeout) {
  pollfd p{PQsocket(conn_.get()), POLLIN, 0};
  if (p.fd < 0) return make_error(Errc::io, "the PostgreSQL connection has no socket");
  // Under TLS, OpenSSL may hold decrypted bytes of a record libpq read only part of (its buffer
  // was full): the socket does not show them, so poll() would wait for the next data.
  const auto* ssl = static_cast<const SSL*>(PQsslStruct(conn_.get(), "OpenSSL"));
  const bool tls_pending = ssl != nullptr && (SSL_pending(ssl) > 0 || SSL_has_pending(ssl) == 1);
  const int rc = tls_pending ? 1 : ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (rc < 0 && errno != EINTR)
    return make_error(Errc::io, std::string("poll: ") + std::strerror(errno));
  if (rc <= 0) return false;
  if (PQconsumeInput(conn_.get()) == 0) {
    return make_error(Errc::io, "reading the replication stream: " + error_message());
  }
  return true;
}

Status PgConnection::put_copy(const std::string& bytes) {
  if (PQputCopyData(conn_.get(), bytes.data(), static_cast<int>(bytes.size())) != 1 ||
      PQflush(conn_.get()) != 0) {
    return make_error(Errc::io, "sending a standby status update: " + error_message());
  }
  return {};
}

bool PgConnection::end_copy_both(std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto until = Clock::now() + timeout;
  // Waits for input without passing `until`; false when it passed or the connection broke.
  const auto wait = [&] {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return false;
    const auto readable = wait_readable(left);
    return readable && *readable;
  };
  if (PQputCopyEnd(conn_.get(), nullptr) != 1 || PQflush(conn_.get()) != 0) return false;
  while (true) {
    char* buf = nullptr;
    const int n = PQgetCopyData(conn_.get(), &buf, 1);
    if (n > 0) {
      PQfreemem(buf);  // sent before the server read our CopyDone: re-sent from the slot later
      continue;
    }
    if (n == -1) break;  // the server's CopyDone
    if (n < -1 || !wait()) return false;
  }
  bool completed = false;
  while (true) {
    while (PQisBusy(conn_.get()) == 1) {
      if (!wait()) return false;
    }
    const ResultPtr r(PQgetResult(conn_.get()));
    if (!r) return completed;
    completed = PQresultStatus(r.get()) == PGRES_COMMAND_OK;
  }
}

int PgConnection::backend_pid() const { return PQbackendPID(conn_.get()); }

std::string PgConnection::error_message() const { return trimmed(PQerrorMessage(conn_.get())); }

std::string PgConnection::quote_ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string PgConnection::quote_literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace cdc::postgres
