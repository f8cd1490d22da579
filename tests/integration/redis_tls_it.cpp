// TLS to Redis (issue 19): a redis-server of the test's own with a `tls-port` serving
// certificates of a private CA made here with the openssl command line. The connection runs
// through OpenSSL under hiredis's encoder and reply parser: the certificate chains to tls.ca and
// names the host (verify-identity), another CA is refused naming the CA file, a wrong name is
// refused unless verify-identity is off, and `sluice run` writes a datagen table through it
// exactly once.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "sinks/redis/redis_connection.h"
#include "tests/support/child_process.h"
#include "tests/support/private_redis.h"
#include "tests/support/services_env.h"
#include "tests/support/test_ca.h"

using namespace cdc;
using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

// A private redis-server with its plain port (for readiness and checks) and a TLS port serving
// the `name` server certificate.
struct TlsRedis {
  TlsRedis(const std::string& dir, const std::string& name)
      : tls_port(free_port()),
        server(dir, {"--tls-port", std::to_string(tls_port), "--tls-cert-file",
                     dir + "/" + name + "-server.pem", "--tls-key-file",
                     dir + "/" + name + "-server-key.pem", "--tls-ca-cert-file",
                     dir + "/" + name + "-ca.pem", "--tls-auth-clients", "no"}) {}
  int tls_port;
  PrivateRedis server;
};

sinks::redis::RedisOptions tls_options(int port, std::string ca) {
  sinks::redis::RedisOptions o;
  o.host = "127.0.0.1";
  o.port = static_cast<uint16_t>(port);
  o.tls = true;
  o.tls_ca = std::move(ca);
  o.connect_timeout = 5s;
  o.command_timeout = 5s;
  return o;
}

}  // namespace

TEST_CASE("redis TLS: verified against tls.ca and the host; another CA or name is refused") {
  const std::string dir = make_temp_dir("sluice-redis-tls-it");
  make_test_ca(dir, "good", "IP:127.0.0.1");
  make_test_ca(dir, "other", "IP:127.0.0.1");
  make_test_ca(dir, "misnamed", "DNS:redis.example");
  TlsRedis good(dir, "good");

  auto conn =
      sinks::redis::RedisConnection::connect(tls_options(good.tls_port, dir + "/good-ca.pem"));
  REQUIRE_MESSAGE(conn, conn.error().to_string());
  auto pong = conn->command({"PING"});
  REQUIRE_MESSAGE(pong, pong.error().to_string());
  CHECK(sinks::redis::reply_text(**pong) == "PONG");
  auto set = conn->command({"SET", "tls-it", "over TLS"});
  REQUIRE(set);
  CHECK(run_command(
            {"/usr/bin/redis-cli", "-p", std::to_string(good.server.port()), "GET", "tls-it"}, 5s)
            .out == "over TLS\n");

  // The TLS port speaks only TLS: in plain text the first command gets no answer.
  auto plain_options = tls_options(good.tls_port, "");
  plain_options.tls = false;
  plain_options.command_timeout = 1s;
  auto plain = sinks::redis::RedisConnection::connect(plain_options);
  REQUIRE(plain);
  CHECK_FALSE(plain->command({"PING"}));

  const std::string name = "127.0.0.1:" + std::to_string(good.tls_port) + " db 0";
  auto wrong_ca =
      sinks::redis::RedisConnection::connect(tls_options(good.tls_port, dir + "/other-ca.pem"));
  REQUIRE_FALSE(wrong_ca);
  CHECK(wrong_ca.error().code == Errc::invalid_config);
  CHECK(wrong_ca.error().message == "redis " + name +
                                        ": TLS: the server's certificate is refused: self-signed "
                                        "certificate in certificate chain "
                                        "(verified against tls.ca '" +
                                        dir + "/other-ca.pem', for host 127.0.0.1)");

  TlsRedis misnamed(dir, "misnamed");
  const std::string misnamed_name = "127.0.0.1:" + std::to_string(misnamed.tls_port) + " db 0";
  auto o = tls_options(misnamed.tls_port, dir + "/misnamed-ca.pem");
  auto mismatch = sinks::redis::RedisConnection::connect(o);
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().message ==
        "redis " + misnamed_name +
            ": TLS: the server's certificate is refused: IP address mismatch (verified against "
            "tls.ca '" +
            dir + "/misnamed-ca.pem', for host 127.0.0.1)");
  o.tls_verify_identity = false;  // the chain alone
  auto unnamed = sinks::redis::RedisConnection::connect(o);
  REQUIRE_MESSAGE(unnamed, unnamed.error().to_string());
  CHECK(unnamed->command({"PING"}));
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("redis TLS: sluice run writes every row through TLS, exactly once") {
  const std::string dir = make_temp_dir("sluice-redis-tls-it");
  make_test_ca(dir, "good", "IP:127.0.0.1");
  TlsRedis redis(dir, "good");
  const std::string config = dir + "/pipeline.yaml";
  std::ofstream(config) << "source:\n"
                           "  type: datagen\n"
                           "  table: orders\n"
                           "  number-of-rows: 3000\n"
                           "  columns:\n"
                           "    - {name: id, type: bigint, kind: sequence, primary-key: true}\n"
                           "    - {name: note, type: varchar(12)}\n"
                           "sink:\n"
                           "  type: redis\n"
                           "  port: "
                        << redis.tls_port
                        << "\n"
                           "  tls: true\n"
                           "  tls.ca: "
                        << dir
                        << "/good-ca.pem\n"
                           "pipeline:\n"
                           "  name: redis-tls\n"
                           "  state.dir: "
                        << dir
                        << "/state\n"
                           "  metrics.port: 0\n";
  auto run = run_command({sluice_binary(), "run", config}, 60s);
  INFO(run.err);
  CHECK(run.exit_code == 0);
  const std::string cli = "/usr/bin/redis-cli -p " + std::to_string(redis.server.port()) + " ";
  // 3000 row keys and the offset key.
  CHECK(run_command({"/bin/sh", "-c", cli + "DBSIZE"}, 5s).out == "3001\n");
  CHECK(
      run_command({"/bin/sh", "-c", cli + "EXISTS datagen:orders:1 datagen:orders:3000"}, 5s).out ==
      "2\n");
  std::system(("rm -rf '" + dir + "'").c_str());
}
