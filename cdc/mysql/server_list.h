// The servers of the MySQL source's `hostname` option: one server, or a failover list
// `db1:3306,db2:3306` tried in order (README "Failover to another server"). Pure parsing, in
// cdc_mysql_options, so that config/ checks the list where the file is read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"

namespace cdc::mysql {

struct ServerAddress {
  std::string host;
  uint16_t port = 3306;
  // "host:port"; an IPv6 address in brackets ("[::1]:3306").
  std::string to_string() const;
  friend bool operator==(const ServerAddress&, const ServerAddress&) = default;
};

// `text` is a comma-separated list of `host`, `host:port`, `[ipv6]` or `[ipv6]:port`; an entry
// without a port gets `default_port` (the `port` option). An entry with more than one ':' and
// no brackets is a bare IPv6 address (`::1`), as a single `hostname` always could be.
// Surrounding spaces are ignored. Errors (invalid_config) name the entry and what is wrong with
// it: an empty entry or host, a port that is not 1..65535, the same server listed twice (host
// names compared without case, as DNS does).
Result<std::vector<ServerAddress>> parse_server_list(std::string_view text, uint16_t default_port);

}  // namespace cdc::mysql
