#include "tests/support/http_client.h"

#include <curl/curl.h>

#include <chrono>
#include <string_view>
#include <thread>

#include "tests/support/child_process.h"

namespace cdc::testing {

namespace {
size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}
}  // namespace

std::pair<long, std::string> http_request(const std::string& url, const char* method,
                                          const std::string& bearer) {
  CURL* curl = curl_easy_init();
  std::string body;
  curl_slist* headers = nullptr;
  if (!bearer.empty()) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + bearer).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (std::string_view(method) == "POST") curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  curl_slist_free_all(headers);
  return {status, body};
}

std::string url_encode(const std::string& s) {
  CURL* curl = curl_easy_init();
  char* e = curl_easy_escape(curl, s.c_str(), static_cast<int>(s.size()));
  std::string out(e);
  curl_free(e);
  curl_easy_cleanup(curl);
  return out;
}

bool wait_ready(int port, ChildProcess& sluice) {
  // Generous: a daemon opening several pipelines (transactional Kafka producers, Doris, TLS)
  // on a loaded 2-core machine.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    if (http_request("http://127.0.0.1:" + std::to_string(port) + "/readyz").first == 200)
      return true;
    if (!sluice.running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

double metric_value(const std::string& metrics, const std::string& series) {
  const size_t at = metrics.find(series + " ");
  return at == std::string::npos ? -1.0 : std::stod(metrics.substr(at + series.size() + 1));
}

}  // namespace cdc::testing
