// One line command to a test server's control port (the Kafka test broker, the Doris test
// server) on 127.0.0.1, and its one-line answer. REQUIREs the connection; 5 s read timeout.
#pragma once

#include <string>

namespace cdc::testing {

std::string send_control_line(int port, const std::string& command);

}  // namespace cdc::testing
