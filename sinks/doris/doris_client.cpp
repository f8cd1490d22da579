#include "sinks/doris/doris_client.h"

#include <curl/curl.h>
#include <simdjson.h>

#include <cstring>
#include <mutex>

#include "cdc/core/json/json_writer.h"

namespace cdc::sinks::doris {
namespace {

// What a PUT sends: a small flat body (2PC: none), or a Stream Load's blocks (load_body.h),
// which go out with chunked transfer encoding as curl asks for them.
struct UploadCursor {
  std::string_view flat;
  const LoadBody* blocks = nullptr;
  size_t at = 0;
  size_t size() const { return blocks != nullptr ? blocks->size() : flat.size(); }
};

size_t read_body(char* buffer, size_t size, size_t count, void* user) {
  auto* c = static_cast<UploadCursor*>(user);
  size_t n = 0;
  if (c->blocks != nullptr) {
    n = c->blocks->read(c->at, buffer, size * count);
  } else {
    n = std::min(size * count, c->flat.size() - c->at);
    std::memcpy(buffer, c->flat.data() + c->at, n);
  }
  c->at += n;
  return n;
}

// The redirect to the BE resends the body: curl rewinds it through this callback.
int seek_body(void* user, curl_off_t offset, int origin) {
  auto* c = static_cast<UploadCursor*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > c->size()) {
    return CURL_SEEKFUNC_FAIL;
  }
  c->at = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t collect(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

}  // namespace

struct DorisClient::Impl {
  CURL* curl = nullptr;
  std::string base;                // http://fenodes
  std::vector<std::string> loads;  // http://<BE> of each `benodes` entry; empty: through the FE
  size_t next_be = 0;              // the BE the next load goes to
  DorisOptions o;
  simdjson::dom::parser parser;

  ~Impl() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }

  // One request; returns (HTTP status, body). Credentials go with every request and, after a
  // redirect, to the BE as well (CURLOPT_UNRESTRICTED_AUTH): Doris's FE answers a Stream
  // Load with 307 and the BE checks the credentials again.
  Result<std::pair<long, std::string>> perform(const std::string& method, const std::string& url,
                                               const std::vector<std::string>& headers,
                                               std::optional<std::string_view> body,
                                               const LoadBody* blocks = nullptr) {
    curl_easy_reset(curl);
    std::string response;
    UploadCursor cursor{body.value_or(std::string_view()), blocks, 0};
    curl_slist* list = nullptr;
    for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, o.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, o.password.c_str());
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_UNRESTRICTED_AUTH, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(o.http_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
    if (method == "PUT") {
      curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_body);
      curl_easy_setopt(curl, CURLOPT_READDATA, &cursor);
      curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, seek_body);
      curl_easy_setopt(curl, CURLOPT_SEEKDATA, &cursor);
      // Without a size curl sends the blocks chunked (the caller's Transfer-Encoding header).
      if (blocks == nullptr) {
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                         static_cast<curl_off_t>(cursor.flat.size()));
      }
    } else if (method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, cursor.flat.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(cursor.flat.size()));
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    const CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(list);
    if (rc != CURLE_OK) {
      return make_error(rc == CURLE_OPERATION_TIMEDOUT ? Errc::timeout : Errc::unavailable,
                        method + " " + url + ": " + curl_easy_strerror(rc));
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status == 401 || status == 403) {
      return make_error(Errc::auth, method + " " + url + ": HTTP " + std::to_string(status) +
                                        " (check sink.username and sink.password)");
    }
    return std::make_pair(status, std::move(response));
  }
};

DorisClient::DorisClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DorisClient::~DorisClient() = default;

Result<std::unique_ptr<DorisClient>> DorisClient::create(const DorisOptions& o) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto impl = std::make_unique<Impl>();
  impl->curl = curl_easy_init();
  if (impl->curl == nullptr) return make_error(Errc::internal, "curl_easy_init failed");
  impl->o = o;
  impl->base = "http://" + o.fenodes;
  for (const std::string& be : split_be_nodes(o.benodes)) impl->loads.push_back("http://" + be);
  return std::unique_ptr<DorisClient>(new DorisClient(std::move(impl)));
}

Result<LoadResult> DorisClient::stream_load(
    const std::string& db, const std::string& table,
    const std::vector<std::pair<std::string, std::string>>& headers, const LoadBody& body) {
  std::vector<std::string> h;
  // The FE redirects on the head alone: with 100-continue no body goes to the FE.
  h.emplace_back("Expect: 100-continue");
  // BE StreamLoadAction::_on_header: the body is delimited by Content-Length or chunked
  // transfer encoding, never both; chunked lets curl send the blocks as they are.
  h.emplace_back("Transfer-Encoding: chunked");
  for (const auto& [k, v] : headers) h.push_back(k + ": " + v);
  // `benodes` (Flink CDC's Doris sink): the load goes straight to a BE's HTTP port, the FE's
  // redirect skipped; the BEs take turns, and a BE that cannot be reached passes the next
  // attempt to the one after it.
  const bool direct = !impl_->loads.empty();
  const std::string& node = direct ? impl_->loads[impl_->next_be] : impl_->base;
  const std::string url = node + "/api/" + db + "/" + table + "/_stream_load";
  auto answer = impl_->perform("PUT", url, h, std::nullopt, &body);
  if (direct) impl_->next_be = (impl_->next_be + 1) % impl_->loads.size();
  if (!answer) return std::move(answer).error();
  return parse_load_answer(impl_->parser, answer->second, "Stream Load into " + db + "." + table);
}

Result<TxnResult> DorisClient::two_phase(const std::string& db, std::string_view operation,
                                         const std::string& label) {
  const std::string url = impl_->base + "/api/" + db + "/_stream_load_2pc";
  CDC_TRY_ASSIGN(auto answer,
                 impl_->perform("PUT", url,
                                {"Expect: 100-continue", "txn_operation: " + std::string(operation),
                                 "label: " + label},
                                std::string_view()));
  return parse_txn_answer(impl_->parser, answer.second,
                          std::string(operation) + " of label " + label);
}

Result<std::string> DorisClient::load_state(const std::string& db, const std::string& label) {
  char* escaped = curl_easy_escape(impl_->curl, label.c_str(), static_cast<int>(label.size()));
  const std::string url = impl_->base + "/api/" + db + "/get_load_state?label=" + escaped;
  curl_free(escaped);
  CDC_TRY_ASSIGN(auto answer, impl_->perform("GET", url, {}, std::nullopt));
  return parse_load_state_answer(impl_->parser, answer.second, "get_load_state of " + label);
}

Result<std::vector<SqlRow>> DorisClient::sql(const std::string& db, const std::string& stmt) {
  std::string body = "{\"stmt\":";
  json::append_string(body, stmt);
  body += "}";
  const std::string url = impl_->base + "/api/query/default_cluster/" + db;
  CDC_TRY_ASSIGN(auto answer,
                 impl_->perform("POST", url, {"Content-Type: application/json"}, body));
  return parse_sql_answer(impl_->parser, answer.second, stmt.substr(0, 300));
}

Result<std::string> DorisClient::fetch_text(const std::string& url, size_t limit) {
  CDC_TRY_ASSIGN(auto answer, impl_->perform("GET", url, {}, std::nullopt));
  answer.second.resize(std::min(answer.second.size(), limit));
  return std::move(answer.second);
}

}  // namespace cdc::sinks::doris
