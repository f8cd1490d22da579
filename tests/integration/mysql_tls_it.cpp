// TLS on the replica connection against the real MariaDB of tools/services.sh, which serves a
// certificate for 127.0.0.1 signed by a private CA (SLUICE_MARIADB_TLS_CA). Each ssl-mode is
// checked by what the server itself reports for the session (Ssl_version), a certificate from
// another CA is refused with a message naming the mode and the CA file, and a MysqlSource on
// verify-identity streams a row.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "cdc/mysql/binlog/event_header.h"
#include "cdc/mysql/mysql_source.h"
#include "cdc/mysql/protocol/mysql_connection.h"
#include "tests/support/mariadb_client.h"
#include "tests/support/mysql_source_options.h"
#include "tests/support/services_env.h"

namespace cdc::mysql {
namespace {

using cdc::testing::service_port;
using cdc::testing::service_value;

ConnectOptions connect_options(TlsMode mode, std::string ca = {}) {
  ConnectOptions o;
  o.host = service_value("SLUICE_MARIADB_HOST");
  o.port = static_cast<uint16_t>(service_port("SLUICE_MARIADB_PORT"));
  o.user = service_value("SLUICE_MARIADB_USER");
  o.password = service_value("SLUICE_MARIADB_PASSWORD");
  o.connect_timeout = std::chrono::milliseconds(5000);
  o.tls.mode = mode;
  o.tls.ca = std::move(ca);
  return o;
}

// What the server says about this session's transport: "" in plain text, "TLSv1.3" etc.
std::string server_side_tls_version(MysqlConnection& c) {
  auto rows = c.query("SHOW SESSION STATUS LIKE 'Ssl_version'");
  REQUIRE_MESSAGE(rows, rows.error().to_string());
  REQUIRE(rows->size() == 1);
  return (*rows)[0][1].value_or("");
}

// A CA that did not sign the server's certificate.
std::string other_ca() {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sluice-tls-it-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string ca = (dir / "other-ca.pem").string();
  const std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj '/CN=other CA' "
      "-keyout '" +
      (dir / "other-ca-key.pem").string() + "' -out '" + ca + "' >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return ca;
}

TEST_CASE("each ssl-mode gives the transport it promises") {
  const std::string ca = service_value("SLUICE_MARIADB_TLS_CA");
  struct Case {
    TlsMode mode;
    std::string ca;
    bool encrypted;
  };
  for (const Case& c : {Case{TlsMode::disabled, "", false}, Case{TlsMode::preferred, "", true},
                        Case{TlsMode::required, "", true}, Case{TlsMode::verify_ca, ca, true},
                        Case{TlsMode::verify_identity, ca, true}}) {
    CAPTURE(to_string(c.mode));
    auto conn = MysqlConnection::connect(connect_options(c.mode, c.ca));
    REQUIRE_MESSAGE(conn, conn.error().to_string());
    const std::string version = server_side_tls_version(**conn);
    CHECK(version.empty() == !c.encrypted);
    CHECK((*conn)->tls_cipher().empty() == !c.encrypted);
    if (c.encrypted) CHECK(version.rfind("TLSv1.", 0) == 0);
  }
}

TEST_CASE("a server certificate from another CA is refused, naming the mode and the CA file") {
  const std::string wrong = other_ca();
  for (TlsMode mode : {TlsMode::verify_ca, TlsMode::verify_identity}) {
    CAPTURE(to_string(mode));
    auto conn = MysqlConnection::connect(connect_options(mode, wrong));
    REQUIRE_FALSE(conn);
    CHECK(conn.error().code == Errc::invalid_config);
    const std::string msg = conn.error().to_string();
    CHECK(msg.find("cannot connect to 127.0.0.1:") != std::string::npos);
    CHECK(msg.find("certificate") != std::string::npos);
    CHECK(msg.find("[ssl-mode " + std::string(to_string(mode)) + ", ssl.ca " + wrong + "]") !=
          std::string::npos);
  }
}

TEST_CASE("TLS settings that cannot work are refused before connecting") {
  auto no_ca = MysqlConnection::connect(connect_options(TlsMode::verify_ca));
  REQUIRE_FALSE(no_ca);
  CHECK(no_ca.error().code == Errc::invalid_config);
  CHECK(no_ca.error().to_string().find("ssl-mode verify-ca needs ssl.ca") != std::string::npos);

  auto missing =
      MysqlConnection::connect(connect_options(TlsMode::verify_ca, "/nonexistent/ca.pem"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::invalid_config);
  CHECK(missing.error().to_string().find("TLS CA file '/nonexistent/ca.pem'") != std::string::npos);

  auto o = connect_options(TlsMode::required);
  o.tls.cert = service_value("SLUICE_MARIADB_TLS_CA");
  auto half = MysqlConnection::connect(o);
  REQUIRE_FALSE(half);
  CHECK(half.error().to_string().find("needs both ssl.cert and ssl.key") != std::string::npos);
}

TEST_CASE("MysqlSource streams over verify-identity TLS") {
  cdc::testing::MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS tls_it");
  sql.run("DROP TABLE IF EXISTS tls_it.t");
  sql.run("CREATE TABLE tls_it.t (id INT PRIMARY KEY, s VARCHAR(20))");
  MysqlSourceOptions o = cdc::testing::services_mysql_source_options(54011, "tls-it");
  o.table_include = {"tls_it\\.t"};
  o.tls.mode = TlsMode::verify_identity;
  o.tls.ca = service_value("SLUICE_MARIADB_TLS_CA");
  MysqlSource source(o);
  auto opened = source.open(Position{});
  REQUIRE_MESSAGE(opened, opened.error().to_string());
  sql.run("INSERT INTO tls_it.t VALUES (7, 'over tls')");
  std::vector<std::unique_ptr<Batch>> batches;
  const ChangeEvent* seen = nullptr;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (seen == nullptr && std::chrono::steady_clock::now() < deadline) {
    auto b = source.poll(std::chrono::milliseconds(200));
    REQUIRE_MESSAGE(b, b.error().to_string());
    if (!*b) continue;
    for (const auto& e : (*b)->events) {
      if (e.schema->id.table == "t") seen = &e;
    }
    batches.push_back(std::move(*b));
  }
  REQUIRE(seen != nullptr);
  CHECK(seen->op == Op::insert);
  REQUIRE(seen->after.size == 2);
  CHECK(seen->after.values()[0].i == 7);
  CHECK(seen->after.values()[1].text == "over tls");
  source.close();
}

// OpenSSL decrypts whole TLS records: when the server sends a backlog, one record carries
// several events. libmariadb reads a packet of 2 kB or more straight into its buffer, so the
// rest of that record (the next events) stays decrypted inside OpenSSL while the socket has
// nothing more. A reader that polled the socket first left them there until the next
// packet — the heartbeat, 30 s by default (issue 19). With heartbeats out of the way, every
// backlog must arrive whole at once.
TEST_CASE("over TLS the last events of a backlog arrive without waiting for the next packet") {
  cdc::testing::MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS tls_it");
  sql.run("DROP TABLE IF EXISTS tls_it.burst");
  sql.run("CREATE TABLE tls_it.burst (id INT PRIMARY KEY, s VARCHAR(40))");
  int next_id = 0;
  for (int round = 0; round < 5; ++round) {
    CAPTURE(round);
    const auto status = sql.query("SHOW MASTER STATUS");
    REQUIRE(status.size() == 1);
    const int first_id = next_id + 1;
    for (int txn = 0; txn < 50; ++txn) {  // row events of ~5 kB: read without libmariadb's cache
      std::string insert = "INSERT INTO tls_it.burst VALUES ";
      for (int r = 0; r < 100; ++r) {
        insert +=
            (r == 0 ? "(" : ",(") + std::to_string(++next_id) + ", 'backlog row padding text')";
      }
      sql.run(insert);
    }
    MysqlSourceOptions o = cdc::testing::services_mysql_source_options(54012, "tls-backlog-it");
    o.table_include = {"tls_it\\.burst"};
    o.tls.mode = TlsMode::required;
    o.heartbeat_period = std::chrono::seconds(60);
    o.startup_mode = StartupMode::specific_offset;
    o.specific_offset_file = *status[0][0];
    o.specific_offset_pos = BinlogOffset{std::stoull(*status[0][1])};
    MysqlSource source(o);
    auto opened = source.open(Position{});
    REQUIRE_MESSAGE(opened, opened.error().to_string());
    size_t rows_seen = 0;
    const size_t backlog = static_cast<size_t>(next_id - first_id + 1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (rows_seen < backlog && std::chrono::steady_clock::now() < deadline) {
      auto b = source.poll(std::chrono::milliseconds(100));
      REQUIRE_MESSAGE(b, b.error().to_string());
      if (!*b) continue;
      for (const auto& e : (*b)->events) {
        if (e.schema->id.table == "burst") ++rows_seen;
      }
    }
    CHECK(rows_seen == backlog);
    source.close();
  }
}

// The two ways MysqlConnection reads a dump give the same bytes: in plain text it reads the
// socket and frames the packets itself (PacketFramer), over TLS libmariadb does. Both read the
// same stretch of binlog (large row events included) into the same events, and the server's
// error reply to an impossible start (an offset inside an event: error 1236) into the same
// error.
TEST_CASE("a dump read in plain text and over TLS gives the same events and the same error") {
  cdc::testing::MariaDbSession sql;
  sql.run("CREATE DATABASE IF NOT EXISTS tls_it");
  sql.run("DROP TABLE IF EXISTS tls_it.paths");
  sql.run("CREATE TABLE tls_it.paths (id INT PRIMARY KEY, s LONGTEXT)");
  const auto status = sql.query("SHOW MASTER STATUS");
  REQUIRE(status.size() == 1);
  const std::string file = *status[0][0];
  const uint64_t from = std::stoull(*status[0][1]);
  for (int i = 1; i <= 30; ++i) {  // rows of 1 to 300 kB: events larger than one 256 kB read
    sql.run("INSERT INTO tls_it.paths VALUES (" + std::to_string(i) + ", REPEAT('x', " +
            std::to_string(i * 10000) + "))");
  }
  const auto end = sql.query("SHOW MASTER STATUS");
  REQUIRE(*end[0][0] == file);  // one file: the dump reads from `from` to its end
  const uint64_t to = std::stoull(*end[0][1]);

  const std::string ca = service_value("SLUICE_MARIADB_TLS_CA");
  auto dump = [&](TlsMode mode, uint64_t offset, uint32_t server_id) {
    auto c = MysqlConnection::connect(connect_options(mode, mode == TlsMode::disabled ? "" : ca));
    REQUIRE_MESSAGE(c, c.error().to_string());
    REQUIRE((*c)->execute("SET @master_binlog_checksum = @@global.binlog_checksum"));
    REQUIRE((*c)->execute("SET @mariadb_slave_capability = 4"));
    REQUIRE((*c)->start_binlog_dump(server_id, BinlogPosition{file, offset}, 0));
    return std::move(*c);
  };
  // Every event up to `to`, as bytes.
  auto events = [&](MysqlConnection& c) {
    std::vector<std::vector<std::byte>> out;
    uint64_t next = 0;
    while (next < to) {
      auto ev = c.read_event(std::chrono::milliseconds(5000));
      REQUIRE_MESSAGE(ev, ev.error().to_string());
      REQUIRE(ev->has_value());
      const auto bytes = **ev;
      const auto header = decode_event_header(bytes);
      REQUIRE_MESSAGE(header, header.error().to_string());
      out.emplace_back(bytes.begin(), bytes.end());
      // 0: the fake ROTATE and FORMAT_DESCRIPTION
      if (header->log_pos != 0) next = header->log_pos;
    }
    return out;
  };
  auto plain = dump(TlsMode::disabled, from, 54013);
  CHECK(plain->tls_cipher().empty());
  const auto plain_events = events(*plain);
  auto tls = dump(TlsMode::verify_ca, from, 54014);
  CHECK_FALSE(tls->tls_cipher().empty());
  const auto tls_events = events(*tls);
  CHECK(plain_events.size() >= 30);
  CHECK(plain_events == tls_events);
  size_t largest = 0;
  for (const auto& e : plain_events) largest = std::max(largest, e.size());
  CHECK(largest > 256 * 1024);

  auto refused = [&](TlsMode mode, uint32_t server_id) {
    auto c = dump(mode, from + 1, server_id);  // inside the event at `from`
    for (int i = 0; i < 10; ++i) {             // the fake ROTATE and FDE may come first
      auto ev = c->read_event(std::chrono::milliseconds(5000));
      if (!ev) return ev.error();
      REQUIRE(ev->has_value());
    }
    FAIL("the server accepted a start inside an event");
    return Error{};
  };
  const Error plain_error = refused(TlsMode::disabled, 54015);
  const Error tls_error = refused(TlsMode::verify_ca, 54016);
  CHECK(plain_error.message.find("(1236)") != std::string::npos);
  CHECK(plain_error.code == tls_error.code);
  CHECK(plain_error.message == tls_error.message);
}

}  // namespace
}  // namespace cdc::mysql
