#include "cdc/daemon/http_client.h"

#include <curl/curl.h>

#include <memory>

namespace cdc::daemon {

namespace {
size_t append_body(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}
struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
}  // namespace

Result<HttpAnswer> http_call(const std::string& method, const std::string& url,
                             const std::string& bearer) {
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) return make_error(Errc::internal, "curl_easy_init failed");
  HttpAnswer answer;
  std::unique_ptr<curl_slist, CurlFree> headers;
  if (!bearer.empty()) {
    const std::string h = "Authorization: Bearer " + bearer;
    headers.reset(curl_slist_append(nullptr, h.c_str()));
  }
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");  // the API is local; a proxy env must not apply
  if (const CURLcode rc = curl_easy_perform(c); rc != CURLE_OK) {
    return make_error(Errc::unavailable, method + " " + url + ": " + curl_easy_strerror(rc) +
                                             " (is `sluice run` running with this port?)");
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.code);
  return answer;
}

}  // namespace cdc::daemon
