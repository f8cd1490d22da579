// Minimal blocking HTTP client for tests (libcurl): GET a URL, get (status, body).
#pragma once

#include <string>
#include <utility>

namespace cdc::testing {

// (HTTP status, body); status 0 when the connection failed. Times out after 5 s.
// `bearer` non-empty sends "Authorization: Bearer <bearer>"; a POST sends an empty body.
std::pair<long, std::string> http_request(const std::string& url, const char* method = "GET",
                                          const std::string& bearer = "");
std::string url_encode(const std::string& s);
// The value of one series (`name{label="v",...}`, labels in sluice's order) in a /metrics
// text; -1 when it is not there.
double metric_value(const std::string& metrics, const std::string& series);

class ChildProcess;
// Polls http://127.0.0.1:<port>/readyz for up to 30 s: true once it answers 200, false when
// `sluice` exits first or time runs out.
bool wait_ready(int port, ChildProcess& sluice);

}  // namespace cdc::testing
