// Certificates for TLS tests, made with the openssl command line: a private CA `name` in `dir`
// (name-ca.pem, name-ca-key.pem) and a server certificate it signs (name-server.pem,
// name-server-key.pem) with `san` as its subjectAltName ("IP:127.0.0.1", "DNS:host").
// A failing openssl command fails the test.
#pragma once

#include <string>

namespace cdc::testing {

void make_test_ca(const std::string& dir, const std::string& name, const std::string& san);

}  // namespace cdc::testing
