// HTTP/1.1 messages of the Doris test server: what a request carries once read off the socket
// (headers with lower-case names, the body de-chunked) and what a handler answers.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cdc::testing::doris {

struct HttpRequest {
  std::string method;
  std::string path;                            // without the query
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // names lower-cased (RFC 9110: case-insensitive)
  std::string body;

  const std::string* header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string serialize() const;
};

// Splits "/a/b?x=1&y=%20" into path and decoded query parameters.
void split_target(std::string_view target, HttpRequest& into);

// Parses the request line and headers (everything before the blank line). False when malformed.
bool parse_head(std::string_view head, HttpRequest& into);

// Decodes a chunked body held entirely in `raw` (RFC 9112 section 7.1). Returns false while
// incomplete or malformed; `consumed` receives the bytes of `raw` the body took.
enum class ChunkedState { incomplete, done, malformed };
ChunkedState decode_chunked(std::string_view raw, std::string& body, size_t& consumed);

}  // namespace cdc::testing::doris
