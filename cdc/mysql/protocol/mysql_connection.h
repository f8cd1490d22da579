// MysqlConnection: the libmariadb adapter (RAII over MYSQL*). Plain queries for the start-up
// checks, and the binlog dump stream: COM_BINLOG_DUMP sent with the client's own command path,
// then one raw event per network packet. We do not use mariadb_rpl_fetch(): it parses every
// event itself (and rejects types it does not know, before we could name them), while we need
// the raw bytes only. Owned by one reader thread; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/mysql/protocol/packet_framer.h"
#include "cdc/mysql/protocol/tls_options.h"

struct st_mysql;
struct st_mysql_res;

namespace cdc::mysql {

struct ConnectOptions {
  std::string host;
  uint16_t port = 3306;
  std::string user;
  std::string password;
  std::string unix_socket;  // used instead of host/port when set
  std::chrono::milliseconds connect_timeout{30000};
  std::chrono::milliseconds read_timeout{60000};  // a read that has begun waits this long
  TlsOptions tls;  // over a unix socket TLS is neither needed nor checked
  // A dump connection with no packet for this long is dead (the server's heartbeats stopped
  // arriving); 0: never, for a server that sends no heartbeats.
  std::chrono::milliseconds idle_timeout{0};
};

using SqlRow = std::vector<std::optional<std::string>>;

class MysqlConnection {
 public:
  // Errors: auth (refused credentials), invalid_config (TLS files or a TLS mode the server
  // cannot satisfy, a certificate that does not verify), io (unreachable; retry).
  static Result<std::unique_ptr<MysqlConnection>> connect(const ConnectOptions& options);
  ~MysqlConnection();
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  Status execute(std::string_view sql);
  Result<std::vector<SqlRow>> query(std::string_view sql);
  std::string server_version() const;
  // The TLS cipher in use ("TLS_AES_256_GCM_SHA384", ...), empty on a plain-text connection.
  std::string tls_cipher() const;
  std::string escape(std::string_view s) const;

  // Streams the rows of `sql` from the server (mysql_use_result): only the current row is held,
  // whatever the result's size. Until fetch_row() returns nullopt (or another start_streaming),
  // the connection takes no other statement.
  Status start_streaming(std::string_view sql);
  // The next streamed row: one field per column (nullopt = NULL), views valid until the next
  // call; nullopt after the last row. Errors: the server's (Errc::io for a lost connection).
  using StreamedRow = std::span<const std::optional<std::string_view>>;
  Result<std::optional<StreamedRow>> fetch_row();
  // Discards what is left of a streamed result (reads it off the wire); a no-op without one.
  void end_streaming();

  // Sends COM_BINLOG_DUMP (MariaDB: flags 2 = send ANNOTATE_ROWS). MariaDB starts from a GTID
  // position with this too, after `SET @slave_connect_state`.
  Status start_binlog_dump(uint32_t server_id, const BinlogPosition& from, uint16_t flags);
  // Sends COM_BINLOG_DUMP_GTID (MySQL 5.6+): the stream starts after the transactions of the
  // SID block (GtidSet::encode_mysql()).
  Status start_binlog_dump_gtid(uint32_t server_id, std::string_view sid_block);
  // The next event of the dump (the bytes after the OK marker, valid until the next call), or
  // nullopt when nothing arrived within `wait`. Lost connection / server error: Errc::io,
  // except "position purged"-like fatal replies (Errc::invalid_config). No packet for
  // `idle_timeout` since the dump started or the last packet: Errc::timeout (a dead path sends
  // no RST, and the server's heartbeats stop arriving).
  Result<std::optional<std::span<const std::byte>>> read_event(std::chrono::milliseconds wait);

 private:
  MysqlConnection(st_mysql* mysql, std::chrono::milliseconds idle_timeout)
      : mysql_(mysql), idle_timeout_(idle_timeout) {}
  Error last_error(std::string_view what) const;
  Status send_dump_command(uint8_t command, std::string_view body, std::string_view what);
  bool has_buffered_input() const;
  // read_event's two ways: libmariadb's packet reads (TLS, compression), or the socket read here
  // in large pieces (plain text). Both give the dump packet's payload.
  Result<std::optional<std::span<const std::byte>>> read_packet_libmariadb(
      std::chrono::milliseconds wait);
  Result<std::optional<std::span<const std::byte>>> read_packet_plain(
      std::chrono::milliseconds wait);
  // Waits up to `wait` for the socket to be readable: false when it did not become so (and the
  // idle timeout has not passed either).
  Result<bool> wait_readable(std::chrono::milliseconds wait);

  st_mysql* mysql_;  // owned; closed in the destructor
  std::chrono::milliseconds idle_timeout_;
  // When the dump connection last heard from the server: the dump request, or a poll that found
  // bytes to read (packets libmariadb already holds are taken without a clock read).
  std::chrono::steady_clock::time_point last_packet_ = std::chrono::steady_clock::now();
  // The plain-text dump's framer, from its first read on (nullopt: not started, or libmariadb
  // reads because the connection is TLS or compressed).
  std::optional<PacketFramer> framer_;
  st_mysql_res* streaming_ = nullptr;                    // owned while a streamed result is open
  std::vector<std::optional<std::string_view>> fields_;  // of the last fetched row
};

}  // namespace cdc::mysql
