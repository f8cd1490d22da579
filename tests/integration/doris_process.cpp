#include "tests/integration/doris_process.h"

#include <doctest/doctest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/control_line.h"

namespace cdc::testing {
namespace {

const std::string kServerBinary = SLUICE_BINARY_DIR "/tests/fakes/doris/doris_test_server";

}  // namespace

DorisProcess::DorisProcess(const std::vector<std::string>& extra_args) {
  // A real Doris (deploy/doris): its FE port and root password from the environment; no
  // control port, so fault cases cannot run against it.
  if (const char* fe = std::getenv("SLUICE_DORIS_FE_PORT"); fe != nullptr && *fe != 0) {
    fe_port_ = std::atoi(fe);
    const char* pw = std::getenv("SLUICE_DORIS_PASSWORD");
    password_ = pw != nullptr ? pw : "";
    external_ = true;
    return;
  }
  dir_ = make_temp_dir("sluice-doris-server");
  log_ = dir_ + "/server.log";
  extra_args_ = extra_args;
  start({});
}

void DorisProcess::kill() {
  REQUIRE_MESSAGE(!external_, "a real Doris is not killed by the tests");
  child_->signal(SIGKILL);
  REQUIRE(child_->wait(std::chrono::seconds(10)) == 128 + SIGKILL);
}

void DorisProcess::restart() {
  REQUIRE(!child_->running());
  client_.reset();  // its kept-alive connection died with the server
  start({"--fe-port", std::to_string(fe_port_), "--be-port", std::to_string(be_port_),
         "--control-port", std::to_string(control_port_)});
}

void DorisProcess::start(const std::vector<std::string>& port_args) {
  const std::string port_file = dir_ + "/ports";
  std::filesystem::remove(port_file);
  std::vector<std::string> argv{kServerBinary, "--port-file", port_file,
                                "--password",  "pw",          "--exit-with-parent"};
  argv.insert(argv.end(), port_args.begin(), port_args.end());
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  child_ = std::make_unique<ChildProcess>(argv, log_, log_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!std::filesystem::exists(port_file) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::ifstream in(port_file);
  REQUIRE_MESSAGE((in >> fe_port_ >> be_port_ >> control_port_),
                  "the Doris test server wrote no port file: " << read_file(log_));
}

DorisProcess::~DorisProcess() {
  if (external_) return;
  if (child_ && child_->running()) {
    child_->signal(SIGTERM);
    (void)child_->wait(std::chrono::seconds(2));
  }
  child_.reset();
  std::filesystem::remove_all(dir_);
}

std::string DorisProcess::control(const std::string& command) {
  REQUIRE_MESSAGE(!external_, "a real Doris has no control port: " << command);
  return send_control_line(control_port_, command);
}

long DorisProcess::stat(const std::string& word) {
  const std::string s = control("stats");
  const size_t at = s.find(" " + word + " ");
  REQUIRE_MESSAGE(at != std::string::npos, s);
  return std::atol(s.c_str() + at + word.size() + 2);
}

SqlRows DorisProcess::sql(const std::string& db, const std::string& stmt) {
  auto rows = try_sql(db, stmt);
  REQUIRE_MESSAGE(rows.has_value(), stmt << " was refused: " << last_answer_);
  return std::move(*rows);
}

std::optional<SqlRows> DorisProcess::try_sql(const std::string& db, const std::string& stmt) {
  if (!client_) {
    sinks::doris::DorisOptions o;
    o.fenodes = "127.0.0.1:" + std::to_string(fe_port_);
    o.password = password_;
    o.http_timeout = std::chrono::seconds(10);
    auto client = sinks::doris::DorisClient::create(o);
    REQUIRE(client);
    client_ = std::move(*client);
  }
  auto rows = client_->sql(db, stmt);
  if (!rows) {
    last_answer_ = rows.error().message;
    REQUIRE_MESSAGE(rows.error().code == Errc::invalid_config,
                    last_answer_);  // refused, not unreachable
    return std::nullopt;
  }
  return std::move(*rows);
}

}  // namespace cdc::testing
