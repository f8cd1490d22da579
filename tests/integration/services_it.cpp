// Proves that the servers tools/services.sh starts are up and configured the way sluice needs
// them: MariaDB with a ROW/FULL/FULL binlog and a replication-capable `sluice` user over TCP,
// PostgreSQL with wal_level=logical and a REPLICATION role, Redis answering, Prometheus ready.
// Every other integration test builds on these facts; when one breaks, this test names it.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <hiredis/hiredis.h>
#include <libpq-fe.h>
#include <mysql.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/services_env.h"

using cdc::testing::service_port;
using cdc::testing::service_value;

namespace {

struct MysqlClose {
  void operator()(MYSQL* m) const { mysql_close(m); }
};
struct MysqlResFree {
  void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};
struct PqFinish {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PqClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
struct RedisFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct RedisReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
struct CurlCleanup {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

using MysqlPtr = std::unique_ptr<MYSQL, MysqlClose>;
using PgPtr = std::unique_ptr<PGconn, PqFinish>;
using PgResultPtr = std::unique_ptr<PGresult, PqClear>;

// Connects over TCP (not the socket) as the sluice user: the way the daemon connects.
MysqlPtr connect_mariadb() {
  MysqlPtr conn(mysql_init(nullptr));
  REQUIRE(conn);
  const unsigned int timeout_s = 10;
  const unsigned int protocol = MYSQL_PROTOCOL_TCP;
  mysql_options(conn.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout_s);
  mysql_options(conn.get(), MYSQL_OPT_PROTOCOL, &protocol);
  const std::string host = service_value("SLUICE_MARIADB_HOST");
  const std::string user = service_value("SLUICE_MARIADB_USER");
  const std::string password = service_value("SLUICE_MARIADB_PASSWORD");
  const int port = service_port("SLUICE_MARIADB_PORT");
  INFO("connecting to MariaDB at ", host, ":", port, " as ", user);
  MYSQL* ok = mysql_real_connect(conn.get(), host.c_str(), user.c_str(), password.c_str(), nullptr,
                                 static_cast<unsigned int>(port), nullptr, 0);
  INFO("mysql error: ", mysql_error(conn.get()));
  REQUIRE(ok != nullptr);
  return conn;
}

// All rows of `sql`, each as its columns' text (NULL as "NULL").
std::vector<std::vector<std::string>> mariadb_query(MYSQL* conn, const std::string& sql) {
  INFO("query: ", sql);
  const int rc = mysql_query(conn, sql.c_str());
  INFO("mysql error: ", mysql_error(conn));
  REQUIRE(rc == 0);
  std::unique_ptr<MYSQL_RES, MysqlResFree> res(mysql_store_result(conn));
  REQUIRE(res);
  const unsigned int fields = mysql_num_fields(res.get());
  std::vector<std::vector<std::string>> rows;
  while (MYSQL_ROW row = mysql_fetch_row(res.get())) {
    const unsigned long* lengths = mysql_fetch_lengths(res.get());
    std::vector<std::string> cols;
    for (unsigned int col_idx = 0; col_idx < fields; ++col_idx) {
      cols.emplace_back(row[col_idx] == nullptr ? std::string("NULL")
                                                : std::string(row[col_idx], lengths[col_idx]));
    }
    rows.push_back(std::move(cols));
  }
  return rows;
}

PgPtr connect_postgres() {
  const std::string conninfo =
      "host=" + service_value("SLUICE_PG_HOST") + " port=" + service_value("SLUICE_PG_PORT") +
      " user=" + service_value("SLUICE_PG_USER") +
      " password=" + service_value("SLUICE_PG_PASSWORD") +
      " dbname=" + service_value("SLUICE_PG_DATABASE") + " connect_timeout=10";
  PgPtr conn(PQconnectdb(conninfo.c_str()));
  REQUIRE(conn);
  INFO("libpq error: ", PQerrorMessage(conn.get()));
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  return conn;
}

// The single value of a one-row, one-column query.
std::string pg_scalar(PGconn* conn, const char* sql) {
  INFO("query: ", sql);
  PgResultPtr res(PQexec(conn, sql));
  INFO("libpq error: ", PQerrorMessage(conn));
  REQUIRE(PQresultStatus(res.get()) == PGRES_TUPLES_OK);
  REQUIRE(PQntuples(res.get()) == 1);
  REQUIRE(PQnfields(res.get()) == 1);
  return PQgetvalue(res.get(), 0, 0);
}

size_t discard_body(char* /*data*/, size_t size, size_t nmemb, void* /*user*/) {
  return size * nmemb;
}

}  // namespace

TEST_CASE("MariaDB: sluice user over TCP sees a ROW binlog with full images and metadata") {
  MysqlPtr conn = connect_mariadb();
  const auto rows =
      mariadb_query(conn.get(),
                    "SELECT @@binlog_format, @@binlog_row_image, @@binlog_row_metadata, @@log_bin, "
                    "@@version, @@server_id, @@gtid_strict_mode, @@binlog_checksum");
  REQUIRE(rows.size() == 1);
  const auto& r = rows[0];
  CHECK(r[0] == "ROW");
  CHECK(r[1] == "FULL");
  CHECK(r[2] == "FULL");
  CHECK(r[3] == "1");
  INFO("version: ", r[4]);
  CHECK(r[4].rfind("10.11.", 0) == 0);
  CHECK(r[4].find("MariaDB") != std::string::npos);
  CHECK(r[5] == "1");
  CHECK(r[6] == "1");
  CHECK(r[7] == "CRC32");
}

TEST_CASE("MariaDB: sluice user holds the replication grants") {
  MysqlPtr conn = connect_mariadb();
  const auto rows = mariadb_query(conn.get(), "SHOW GRANTS");
  std::string grants;
  for (const auto& row : rows) grants += row.at(0) + "\n";
  INFO("grants:\n", grants);
  CHECK(grants.find("REPLICATION SLAVE") != std::string::npos);
  CHECK(grants.find("BINLOG MONITOR") != std::string::npos);
  CHECK(grants.find("RELOAD") != std::string::npos);
  // The binlog is readable by this user: what a replica asks first.
  const auto status = mariadb_query(conn.get(), "SHOW MASTER STATUS");
  REQUIRE(status.size() == 1);
  CHECK(status[0].at(0).rfind("mysql-bin.", 0) == 0);
}

TEST_CASE("PostgreSQL: logical WAL and a REPLICATION role") {
  PgPtr conn = connect_postgres();
  CHECK(pg_scalar(conn.get(), "SHOW wal_level") == "logical");
  CHECK(pg_scalar(conn.get(), "SELECT rolreplication FROM pg_roles WHERE rolname = current_user") ==
        "t");
  CHECK(pg_scalar(conn.get(), "SELECT current_user") == service_value("SLUICE_PG_USER"));
  CHECK(std::stoi(pg_scalar(conn.get(), "SHOW max_replication_slots")) >= 10);
  CHECK(std::stoi(pg_scalar(conn.get(), "SHOW max_wal_senders")) >= 10);
}

TEST_CASE("PostgreSQL: replication connections are accepted over TCP") {
  const std::string conninfo =
      "host=" + service_value("SLUICE_PG_HOST") + " port=" + service_value("SLUICE_PG_PORT") +
      " user=" + service_value("SLUICE_PG_USER") +
      " password=" + service_value("SLUICE_PG_PASSWORD") +
      " dbname=" + service_value("SLUICE_PG_DATABASE") + " replication=database connect_timeout=10";
  PgPtr conn(PQconnectdb(conninfo.c_str()));
  INFO("libpq error: ", PQerrorMessage(conn.get()));
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  PgResultPtr res(PQexec(conn.get(), "IDENTIFY_SYSTEM"));
  INFO("libpq error: ", PQerrorMessage(conn.get()));
  REQUIRE(PQresultStatus(res.get()) == PGRES_TUPLES_OK);
  CHECK(PQntuples(res.get()) == 1);
  CHECK(std::string(PQgetvalue(res.get(), 0, 3)) == service_value("SLUICE_PG_DATABASE"));
}

TEST_CASE("Redis: PING answers PONG") {
  const std::string host = service_value("SLUICE_REDIS_HOST");
  const int port = service_port("SLUICE_REDIS_PORT");
  const timeval timeout{10, 0};
  std::unique_ptr<redisContext, RedisFree> ctx(
      redisConnectWithTimeout(host.c_str(), port, timeout));
  REQUIRE(ctx);
  INFO("redis error: ", ctx->errstr);
  REQUIRE(ctx->err == 0);
  std::unique_ptr<redisReply, RedisReplyFree> reply(
      static_cast<redisReply*>(redisCommand(ctx.get(), "PING")));
  REQUIRE(reply);
  REQUIRE(reply->type == REDIS_REPLY_STATUS);
  CHECK(std::string(reply->str, reply->len) == "PONG");
}

TEST_CASE("Prometheus: /-/ready answers 200 and the targets file exists") {
  const std::string url = service_value("SLUICE_PROMETHEUS_URL") + "/-/ready";
  REQUIRE(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  {
    std::unique_ptr<CURL, CurlCleanup> curl(curl_easy_init());
    REQUIRE(curl);
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, discard_body);
    const CURLcode rc = curl_easy_perform(curl.get());
    INFO("GET ", url, ": ", curl_easy_strerror(rc));
    REQUIRE(rc == CURLE_OK);
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    CHECK(status == 200);
  }
  curl_global_cleanup();
  // Tests rewrite this file to point the `sluice` scrape job at their daemon.
  const std::string targets = service_value("SLUICE_PROMETHEUS_TARGETS_FILE");
  INFO("targets file: ", targets);
  CHECK(std::ifstream(targets).good());
}
