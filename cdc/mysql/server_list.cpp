#include "cdc/mysql/server_list.h"

#include <charconv>

#include "cdc/core/text.h"

namespace cdc::mysql {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<ServerAddress> parse_entry(std::string_view entry, uint16_t default_port) {
  const std::string named = "hostname entry '" + std::string(entry) + "'";
  std::string_view host = entry;
  std::string_view port_text;
  bool has_port = false;
  if (entry.starts_with('[')) {
    const size_t close = entry.find(']');
    if (close == std::string_view::npos) {
      return make_error(Errc::invalid_config, named +
                                                  ": '[' without ']' (an IPv6 address is "
                                                  "written [addr] or [addr]:port)");
    }
    host = entry.substr(1, close - 1);
    const std::string_view rest = entry.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) {
        return make_error(Errc::invalid_config, named + ": expected ':port' after ']', found '" +
                                                    std::string(rest) + "'");
      }
      port_text = rest.substr(1);
      has_port = true;
    }
  } else if (const size_t colon = entry.find(':');
             colon != std::string_view::npos &&
             entry.find(':', colon + 1) == std::string_view::npos) {
    host = entry.substr(0, colon);
    port_text = entry.substr(colon + 1);
    has_port = true;
  }
  host = trim(host);
  if (host.empty()) return make_error(Errc::invalid_config, named + ": the host is empty");
  ServerAddress out{std::string(host), default_port};
  if (has_port) {
    port_text = trim(port_text);
    unsigned value = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
        value < 1 || value > 65535) {
      return make_error(Errc::invalid_config, named + ": expected a port 1..65535, found '" +
                                                  std::string(port_text) + "'");
    }
    out.port = static_cast<uint16_t>(value);
  }
  return out;
}

}  // namespace

std::string ServerAddress::to_string() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<std::vector<ServerAddress>> parse_server_list(std::string_view text, uint16_t default_port) {
  std::vector<ServerAddress> out;
  std::vector<std::string_view> entries;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    entries.push_back(
        trim(text.substr(start, comma == std::string_view::npos ? text.npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].empty()) {
      return make_error(Errc::invalid_config,
                        entries.size() == 1
                            ? std::string("expected a host name or address, found ''")
                            : "hostname entry " + std::to_string(i + 1) + " of '" +
                                  std::string(text) + "' is empty: expected host or host:port");
    }
    CDC_TRY_ASSIGN(ServerAddress server, parse_entry(entries[i], default_port));
    for (size_t j = 0; j < out.size(); ++j) {
      if (lower(out[j].host) == lower(server.host) && out[j].port == server.port) {
        return make_error(Errc::invalid_config, "hostname entry '" + std::string(entries[i]) +
                                                    "' is server " + server.to_string() +
                                                    ", listed already by entry '" +
                                                    std::string(entries[j]) + "'");
      }
    }
    out.push_back(std::move(server));
  }
  return out;
}

}  // namespace cdc::mysql
