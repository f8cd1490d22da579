// Reads the env file that tools/services.sh writes (KEY=VALUE lines, `#` comments): the ports
// and credentials of the real MariaDB, PostgreSQL, Redis and Prometheus started for the tests.
// The file is named by $SLUICE_SERVICES_ENV. Integration tests never skip: a missing file or
// key throws, which fails the test with the reason.
#pragma once

#include <map>
#include <string>

namespace cdc::testing {

// All keys of the env file, read once. Thread-safe after the first call.
const std::map<std::string, std::string>& services_env();
// The value of `key`, e.g. "SLUICE_MARIADB_PORT"; throws std::runtime_error when absent.
std::string service_value(const std::string& key);
int service_port(const std::string& key);

// The `source:` section of a pipeline file reading `tables` (a regex) from the services'
// MariaDB from the latest offset, as replica `server_id`.
// `user` and `password` replace the services' sluice user when given.
std::string mysql_source_yaml(const std::string& tables, int server_id,
                              const std::string& user = "", const std::string& password = "");

// Path of the repository / build tree (compile-time), for fixtures and the sluice binary.
std::string source_dir();
std::string binary_dir();
std::string sluice_binary();  // <build>/cdc/daemon/sluice

}  // namespace cdc::testing
