#include "tests/fakes/doris/http_message.h"

#include <cctype>
#include <charconv>

#include "cdc/core/text.h"

namespace cdc::testing::doris {
namespace {

std::string_view reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 500: return "Internal Server Error";
    default: return "Status";
  }
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      if (std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16).ec == std::errc()) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

}  // namespace

std::string HttpResponse::serialize() const {
  std::string out =
      "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason(status)) + "\r\n";
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

void split_target(std::string_view target, HttpRequest& into) {
  const size_t q = target.find('?');
  into.path = percent_decode(target.substr(0, q));
  if (q == std::string_view::npos) return;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const size_t eq = pair.find('=');
    into.query[percent_decode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    rest = amp == std::string_view::npos ? "" : rest.substr(amp + 1);
  }
}

bool parse_head(std::string_view head, HttpRequest& into) {
  size_t eol = head.find("\r\n");
  const std::string_view line = head.substr(0, eol);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1 || !line.substr(sp2 + 1).starts_with("HTTP/1.")) {
    return false;
  }
  into.method = std::string(line.substr(0, sp1));
  split_target(line.substr(sp1 + 1, sp2 - sp1 - 1), into);
  while (eol != std::string_view::npos && eol + 2 < head.size()) {
    const size_t start = eol + 2;
    eol = head.find("\r\n", start);
    const std::string_view h =
        head.substr(start, eol == std::string_view::npos ? eol : eol - start);
    if (h.empty()) break;
    const size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    into.headers[lower_ascii(h.substr(0, colon))] = std::string(trim(h.substr(colon + 1)));
  }
  return true;
}

ChunkedState decode_chunked(std::string_view raw, std::string& body, size_t& consumed) {
  size_t pos = 0;
  body.clear();
  for (;;) {
    const size_t eol = raw.find("\r\n", pos);
    if (eol == std::string_view::npos) return ChunkedState::incomplete;
    std::string_view size_text = raw.substr(pos, eol - pos);
    size_text = size_text.substr(0, size_text.find(';'));  // chunk extensions are ignored
    size_t size = 0;
    if (auto [p, ec] =
            std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
        ec != std::errc() || p != size_text.data() + size_text.size() || size_text.empty()) {
      return ChunkedState::malformed;
    }
    pos = eol + 2;
    if (size == 0) {
      // Trailer section: header lines, then an empty line.
      for (;;) {
        const size_t end = raw.find("\r\n", pos);
        if (end == std::string_view::npos) return ChunkedState::incomplete;
        const bool blank = end == pos;
        pos = end + 2;
        if (blank) {
          consumed = pos;
          return ChunkedState::done;
        }
      }
    }
    if (raw.size() < pos + size + 2) return ChunkedState::incomplete;
    if (raw.substr(pos + size, 2) != "\r\n") return ChunkedState::malformed;
    body.append(raw.substr(pos, size));
    pos += size + 2;
  }
}

}  // namespace cdc::testing::doris
