// HttpRequest / HttpResponse: one request of the daemon's HTTP endpoint as the handlers see it
// (cdc/daemon/http_endpoint.cpp parses it; cdc/daemon/control_api.cpp answers it). Plain data.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cdc::daemon {

struct HttpRequest {
  std::string method;         // "GET", "POST", ...
  std::string path;           // the target before '?', still percent-encoded
  std::string query;          // after '?', without it; "" when none
  std::string authorization;  // the Authorization header's value; "" when absent
  std::string body;
};

struct HttpResponse {
  int code = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra header lines
};

// The reason phrase of the codes the endpoint answers with.
const char* http_reason(int code);

// "%41b" → "Ab"; '+' stays '+' unless `plus_is_space` (queries). False, for a malformed
// escape ('%' not followed by two hex digits).
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space = false);
// Escapes everything but A-Z a-z 0-9 - . _ ~ (RFC 3986 unreserved).
std::string percent_encode(std::string_view in);
// The value of `key` in an application/x-www-form-urlencoded query; "" when absent or
// malformed (`found` says which).
std::string query_param(std::string_view query, std::string_view key, bool* found = nullptr);

}  // namespace cdc::daemon
