#include "tests/support/test_ca.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

namespace cdc::testing {

namespace {

void sh(const std::string& cmd) {
  INFO(cmd);
  REQUIRE(std::system((cmd + " >/dev/null 2>&1").c_str()) == 0);
}

}  // namespace

void make_test_ca(const std::string& dir, const std::string& name, const std::string& san) {
  const std::string p = dir + "/" + name;
  sh("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj '/CN=" + name + " test CA' -keyout " +
     p + "-ca-key.pem -out " + p + "-ca.pem");
  sh("openssl req -newkey rsa:2048 -nodes -subj '/CN=redis test server' -keyout " + p +
     "-server-key.pem -out " + p + "-server.csr");
  std::ofstream(p + "-ext.cnf") << "subjectAltName=" << san << "\n";
  sh("openssl x509 -req -days 1 -in " + p + "-server.csr -CA " + p + "-ca.pem -CAkey " + p +
     "-ca-key.pem -CAcreateserial -extfile " + p + "-ext.cnf -out " + p + "-server.pem");
}

}  // namespace cdc::testing
