#include "cdc/mysql/protocol/mysql_connection.h"

#include "cdc/core/byte_reader.h"
#include "cdc/mysql/protocol/dump_request.h"
#include "cdc/mysql/protocol/server_error.h"

#include <errmsg.h>
#include <mysql.h>
// HAVE_TLS: ma_pvio.h then declares the TLS container (ma_tls.h) instead of `void`; that
// header names Connector/C's internal `uchar`.
typedef unsigned char uchar;
#define HAVE_TLS
#include <ma_pvio.h>
#undef HAVE_TLS
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cdc::mysql {

namespace {
// libmariadb's packet_error is `(unsigned int)-1` (mariadb_com.h), returned as an unsigned
// long: 0xFFFFFFFF, not ~0UL. Comparing with ~0UL turned a killed connection into a
// "4 GB event" and a fatal malformed error instead of a retryable one.
constexpr unsigned long kPacketError = static_cast<unsigned int>(-1);
static_assert(kPacketError == packet_error);
}  // namespace

namespace {

Status check_readable(const std::string& path, std::string_view what) {
  if (path.empty()) return {};
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
    return {};
  }
  return make_error(Errc::invalid_config,
                    "TLS " + std::string(what) + " file '" + path + "': " + std::strerror(errno));
}

// Applies the TLS options to a fresh handle. libmariadb 3.3 only *asks* for TLS when
// use_ssl is set (MYSQL_OPT_SSL_ENFORCE or any ssl file): if the server does not offer TLS it
// goes on in plain text unless the hostname check is on. So `required` and stronger modes are
// also checked after the connect (require_tls_in_use), whatever the library version does.
Status apply_tls(MYSQL* m, const TlsOptions& tls) {
  if (tls.mode == TlsMode::disabled) return {};
  if ((tls.mode == TlsMode::verify_ca || tls.mode == TlsMode::verify_identity) && tls.ca.empty()) {
    return make_error(Errc::invalid_config, "ssl-mode " + std::string(to_string(tls.mode)) +
                                                " needs ssl.ca (the CA file)");
  }
  if (tls.cert.empty() != tls.key.empty()) {
    return make_error(Errc::invalid_config, "a client certificate needs both ssl.cert and ssl.key");
  }
  CDC_TRY(check_readable(tls.ca, "CA"));
  CDC_TRY(check_readable(tls.cert, "certificate"));
  CDC_TRY(check_readable(tls.key, "key"));
  const my_bool on = 1;
  mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &on);
  // A CA makes libmariadb verify the chain during the handshake (SSL_VERIFY_PEER); the
  // hostname is only checked with MYSQL_OPT_SSL_VERIFY_SERVER_CERT.
  if (!tls.ca.empty()) mysql_options(m, MYSQL_OPT_SSL_CA, tls.ca.c_str());
  if (!tls.cert.empty()) mysql_options(m, MYSQL_OPT_SSL_CERT, tls.cert.c_str());
  if (!tls.key.empty()) mysql_options(m, MYSQL_OPT_SSL_KEY, tls.key.c_str());
  const my_bool verify_host = tls.mode == TlsMode::verify_identity ? 1 : 0;
  mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify_host);
  return {};
}

}  // namespace

Result<std::unique_ptr<MysqlConnection>> MysqlConnection::connect(const ConnectOptions& o) {
  const bool use_socket = !o.unix_socket.empty();
  const std::string where =
      (use_socket ? o.unix_socket : o.host + ":" + std::to_string(o.port)) + " as " + o.user;
  MYSQL* m = mysql_init(nullptr);
  if (m == nullptr) return make_error(Errc::internal, "mysql_init failed");
  // closes m on any return
  auto conn = std::unique_ptr<MysqlConnection>(new MysqlConnection(m, o.idle_timeout));
  const unsigned connect_s =
      static_cast<unsigned>(std::max<int64_t>(1, o.connect_timeout.count() / 1000));
  const unsigned read_s =
      static_cast<unsigned>(std::max<int64_t>(1, o.read_timeout.count() / 1000));
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_s);
  mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &read_s);
  mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &read_s);
  mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const bool want_tls = !use_socket && o.tls.mode != TlsMode::disabled;
  if (want_tls) {
    if (auto st = apply_tls(m, o.tls); !st) {
      return std::move(st).error().with_context("connecting to " + where);
    }
  }
  if (mysql_real_connect(m, use_socket ? nullptr : o.host.c_str(), o.user.c_str(),
                         o.password.c_str(), nullptr, use_socket ? 0 : o.port,
                         use_socket ? o.unix_socket.c_str() : nullptr, 0) == nullptr) {
    const unsigned err = mysql_errno(m);
    std::string msg =
        "cannot connect to " + where + ": " + mysql_error(m) + " (" + std::to_string(err) + ")";
    Errc code = Errc::io;
    if (err == 1045 || err == 1044 || err == 1698) code = Errc::auth;
    // CR_SSL_CONNECTION_ERROR: the certificate did not verify, or TLS was asked of a server
    // without it. Retrying cannot fix either; say which setting is involved.
    if (err == CR_SSL_CONNECTION_ERROR) {
      code = Errc::invalid_config;
      msg += " [ssl-mode " + std::string(to_string(o.tls.mode)) +
             (o.tls.ca.empty() ? "" : ", ssl.ca " + o.tls.ca) + "]";
    }
    return make_error(code, std::move(msg));
  }
  const bool need_tls = o.tls.mode == TlsMode::required || o.tls.mode == TlsMode::verify_ca ||
                        o.tls.mode == TlsMode::verify_identity;
  if (want_tls && need_tls && conn->tls_cipher().empty()) {
    return make_error(Errc::invalid_config,
                      "cannot connect to " + where + ": ssl-mode " +
                          std::string(to_string(o.tls.mode)) +
                          " needs TLS, but the server does not offer it (have_ssl is not YES; "
                          "set ssl_cert/ssl_key on the server or lower ssl-mode)");
  }
  return conn;
}

std::string MysqlConnection::tls_cipher() const {
  const char* cipher = mysql_get_ssl_cipher(mysql_);
  return cipher == nullptr ? std::string() : std::string(cipher);
}

MysqlConnection::~MysqlConnection() {
  end_streaming();
  mysql_close(mysql_);
}

void MysqlConnection::end_streaming() {
  // mysql_free_result reads the rows still unread off the wire first: the connection is then
  // ready for the next statement.
  if (streaming_ != nullptr) mysql_free_result(streaming_);
  streaming_ = nullptr;
}

Status MysqlConnection::start_streaming(std::string_view sql) {
  end_streaming();
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return last_error(sql);
  streaming_ = mysql_use_result(mysql_);
  if (streaming_ == nullptr) {
    if (mysql_errno(mysql_) != 0) return last_error(sql);
    return make_error(Errc::internal, std::string(sql) + ": returned no result set");
  }
  fields_.assign(mysql_num_fields(streaming_), std::nullopt);
  return {};
}

Result<std::optional<MysqlConnection::StreamedRow>> MysqlConnection::fetch_row() {
  if (streaming_ == nullptr) return std::optional<StreamedRow>();
  MYSQL_ROW row = mysql_fetch_row(streaming_);
  if (row == nullptr) {
    if (mysql_errno(mysql_) != 0) {
      Error e = last_error("reading a streamed result");
      end_streaming();
      return e;
    }
    end_streaming();
    return std::optional<StreamedRow>();
  }
  const unsigned long* lens = mysql_fetch_lengths(streaming_);
  for (size_t i = 0; i < fields_.size(); ++i) {
    fields_[i] = row[i] == nullptr
                     ? std::nullopt
                     : std::optional<std::string_view>(std::in_place, row[i], lens[i]);
  }
  return std::optional<StreamedRow>(fields_);
}

Error MysqlConnection::last_error(std::string_view what) const {
  const unsigned err = mysql_errno(mysql_);
  std::string msg =
      std::string(what) + ": " + mysql_error(mysql_) + " (" + std::to_string(err) + ")";
  return make_error(server_error_code(err), std::move(msg));
}

Status MysqlConnection::execute(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return last_error(sql);
  if (MYSQL_RES* res = mysql_store_result(mysql_)) mysql_free_result(res);
  return {};
}

Result<std::vector<SqlRow>> MysqlConnection::query(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return last_error(sql);
  MYSQL_RES* res = mysql_store_result(mysql_);
  std::vector<SqlRow> rows;
  if (res == nullptr) {
    if (mysql_errno(mysql_) != 0) return last_error(sql);
    return rows;
  }
  const unsigned n = mysql_num_fields(res);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    const unsigned long* lens = mysql_fetch_lengths(res);
    SqlRow r(n);
    for (unsigned i = 0; i < n; ++i) {
      if (row[i] != nullptr) r[i] = std::string(row[i], lens[i]);
    }
    rows.push_back(std::move(r));
  }
  mysql_free_result(res);
  return rows;
}

std::string MysqlConnection::server_version() const { return mysql_get_server_info(mysql_); }

std::string MysqlConnection::escape(std::string_view s) const {
  std::string out(s.size() * 2 + 1, '\0');
  out.resize(mysql_real_escape_string(mysql_, out.data(), s.data(), s.size()));
  return out;
}

Status MysqlConnection::send_dump_command(uint8_t command, std::string_view body,
                                          std::string_view what) {
  if (mysql_->methods->db_command(mysql_, static_cast<enum_server_command>(command), body.data(),
                                  body.size(), 1, nullptr) != 0) {
    return last_error(what);
  }
  last_packet_ = std::chrono::steady_clock::now();
  return {};
}

Status MysqlConnection::start_binlog_dump(uint32_t server_id, const BinlogPosition& from,
                                          uint16_t flags) {
  CDC_TRY_ASSIGN(const std::string body, binlog_dump_request(server_id, from, flags));
  return send_dump_command(COM_BINLOG_DUMP, body, "COM_BINLOG_DUMP");
}

Status MysqlConnection::start_binlog_dump_gtid(uint32_t server_id, std::string_view sid_block) {
  return send_dump_command(kComBinlogDumpGtid, binlog_dump_gtid_request(server_id, sid_block),
                           "COM_BINLOG_DUMP_GTID");
}

namespace {
// The ssl handle inside libmariadb is an OpenSSL SSL* only when libmariadb was built with
// OpenSSL (Debian's is); with GnuTLS or Schannel it is something else.
bool tls_library_is_openssl() {
  static const bool openssl = [] {
    const char* name = nullptr;
    return mariadb_get_infov(nullptr, MARIADB_TLS_LIBRARY, &name) == 0 && name != nullptr &&
           std::strncmp(name, "OpenSSL", 7) == 0;
  }();
  return openssl;
}
}  // namespace

bool MysqlConnection::has_buffered_input() const {
  const MARIADB_PVIO* pvio = mysql_->net.pvio;
  if (pvio == nullptr) return false;
  if (pvio->cache != nullptr && pvio->cache_pos < pvio->cache + pvio->cache_size) return true;
  // Under TLS, OpenSSL holds what it read from the socket and has not handed out yet: a packet
  // of 2 kB or more is read straight into libmariadb's buffer, and the rest of its TLS record
  // (the next events of a backlog) stays in OpenSSL, invisible to poll() on the socket.
  if (pvio->ctls != nullptr && pvio->ctls->ssl != nullptr && tls_library_is_openssl()) {
    auto* ssl = static_cast<SSL*>(pvio->ctls->ssl);
    return SSL_pending(ssl) > 0 || SSL_has_pending(ssl) == 1;
  }
  return false;
}

Result<bool> MysqlConnection::wait_readable(std::chrono::milliseconds wait) {
  pollfd pfd{};
  pfd.fd = mysql_get_socket(mysql_);
  pfd.events = POLLIN;
  const int rc = ::poll(&pfd, 1, static_cast<int>(wait.count()));
  // libmariadb's MYSQL_OPT_READ_TIMEOUT bounds a read that has begun; between packets only
  // this clock notices a path that went silent (black-holed, half-open without a FIN).
  if (rc == 0 && idle_timeout_.count() > 0 &&
      std::chrono::steady_clock::now() - last_packet_ >= idle_timeout_) {
    return make_error(Errc::timeout,
                      "no packet from the server for " + std::to_string(idle_timeout_.count()) +
                          " ms (heartbeat.interval x 2, at least 10 s): the connection is "
                          "presumed dead");
  }
  if (rc == 0) return false;
  if (rc < 0 && errno != EINTR) {
    return make_error(Errc::io,
                      std::string("poll on the binlog connection: ") + std::strerror(errno));
  }
  if (rc < 0) return false;
  // The server was heard from. Taken here, once per buffer refill, not per packet: a clock
  // read per event showed in the catch-up profile, and the idle timeout is 10 s or more.
  last_packet_ = std::chrono::steady_clock::now();
  return true;
}

Result<std::optional<std::span<const std::byte>>> MysqlConnection::read_packet_libmariadb(
    std::chrono::milliseconds wait) {
  if (!has_buffered_input()) {
    CDC_TRY_ASSIGN(const bool readable, wait_readable(wait));
    if (!readable) return std::optional<std::span<const std::byte>>{};
  }
  const unsigned long len = mysql_net_read_packet(mysql_);
  if (len == kPacketError || len == 0) return last_error("reading the binlog stream");
  const auto* p = reinterpret_cast<const std::byte*>(mysql_->net.read_pos);
  return std::optional<std::span<const std::byte>>(std::span<const std::byte>(p, len));
}

Result<std::optional<std::span<const std::byte>>> MysqlConnection::read_packet_plain(
    std::chrono::milliseconds wait) {
  using Out = std::optional<std::span<const std::byte>>;
  auto& framer = *framer_;
  const int fd = mysql_get_socket(mysql_);
  bool waited = false;
  while (true) {
    CDC_TRY_ASSIGN(const auto packet, framer.next());
    if (packet) return packet;
    // Without waiting first: in a catch-up the socket nearly always holds the next bytes, and a
    // poll per read was as many system calls again.
    const auto space = framer.space();
    const ssize_t n = ::recv(fd, space.data(), space.size(), MSG_DONTWAIT);
    if (n > 0) {
      framer.wrote(static_cast<size_t>(n));
      last_packet_ = std::chrono::steady_clock::now();
      continue;
    }
    if (n == 0) {
      return make_error(Errc::io, "reading the binlog stream: the server closed the connection");
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return make_error(Errc::io,
                        std::string("reading the binlog stream: ") + std::strerror(errno));
    }
    if (waited) return Out{};  // readable, yet only part of a packet arrived within `wait`
    CDC_TRY_ASSIGN(const bool readable, wait_readable(wait));
    if (!readable) return Out{};
    waited = true;
  }
}

Result<std::optional<std::span<const std::byte>>> MysqlConnection::read_event(
    std::chrono::milliseconds wait) {
  const MARIADB_PVIO* pvio = mysql_->net.pvio;
  if (!framer_ && pvio != nullptr && pvio->ctls == nullptr && mysql_->net.compress == 0) {
    // From the first read of a plain-text dump on, the socket is read here. What libmariadb had
    // read ahead already is taken over first.
    framer_.emplace();
    if (has_buffered_input()) {
      const size_t n = static_cast<size_t>(pvio->cache + pvio->cache_size - pvio->cache_pos);
      auto space = framer_->space();
      std::memcpy(space.data(), pvio->cache_pos, n);
      framer_->wrote(n);
      mysql_->net.pvio->cache_pos += n;
    }
  }
  auto read = framer_ ? read_packet_plain(wait) : read_packet_libmariadb(wait);
  if (!read || !*read) return read;
  const std::span<const std::byte> packet = **read;
  if (packet.empty()) {  // the framer passes empty payloads on; libmariadb's read refuses them
    return make_error(Errc::malformed, "binlog stream packet without a payload");
  }
  const uint8_t first = static_cast<uint8_t>(packet[0]);
  if (first == 0xFF && framer_) {
    // An error packet (libmariadb turns these into mysql_errno/mysql_error itself): error code,
    // '#' and a 5-character SQLSTATE, then the message.
    ByteReader r(packet.subspan(1));
    const unsigned code = r.u16le();
    std::string_view message = r.string(r.remaining());
    if (message.size() >= 6 && message[0] == '#') message.remove_prefix(6);
    return make_error(
        server_error_code(code),
        "reading the binlog stream: " + std::string(message) + " (" + std::to_string(code) + ")");
  }
  if (first == 0xFE && packet.size() < 8) {
    return make_error(Errc::io, "the server ended the binlog stream (EOF packet)");
  }
  if (first != 0x00) {
    return make_error(Errc::malformed, "binlog stream packet starts with " + std::to_string(first));
  }
  return std::optional<std::span<const std::byte>>(packet.subspan(1));
}

}  // namespace cdc::mysql
