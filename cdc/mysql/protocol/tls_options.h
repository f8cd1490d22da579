// TlsOptions: how the replica connection uses TLS, with the ssl-mode names of the MySQL
// client (`--ssl-mode`), which Flink CDC and Debezium users already know.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cdc::mysql {

enum class TlsMode : uint8_t {
  disabled,         // plain text, even when the server offers TLS
  preferred,        // TLS when the server offers it, else plain text; certificate not checked
  required,         // TLS or no connection; certificate not checked (unless `ca` is given:
                    // then the chain is checked, as the MySQL client does)
  verify_ca,        // TLS, the server certificate chains to `ca`
  verify_identity,  // verify_ca, and the certificate names the host we connect to
};

// The `ssl-mode` spelling; defined with the other option names in mysql_source_options.cpp.
std::string_view to_string(TlsMode mode);

struct TlsOptions {
  TlsMode mode = TlsMode::preferred;
  std::string ca;    // PEM file of the CA(s) that signed the server certificate
  std::string cert;  // client certificate (PEM), for servers that require X509 users
  std::string key;   // its private key (PEM)
};

}  // namespace cdc::mysql
