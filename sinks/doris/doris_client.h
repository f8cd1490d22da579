// DorisClient: the Doris HTTP APIs the sink uses, over one libcurl easy handle (keep-alive):
// Stream Load (FE, following its 307 to a BE with the credentials resent:
// CURLOPT_UNRESTRICTED_AUTH, which curl's --location-trusted sets; or straight to a BE of
// `benodes`; the body chunked, load_body.h), `_stream_load_2pc` (FE, redirected to a BE),
// `get_load_state` and the SQL API (`POST /api/query/default_cluster/{db}`). Answers are
// parsed by doris_answer.h; a connection failure or an answer that is not Doris's JSON is
// Errc::unavailable (retryable), a 401 Errc::auth. Not thread-safe: the sink thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cdc/core/result.h"
#include "sinks/doris/doris_answer.h"
#include "sinks/doris/doris_options.h"
#include "sinks/doris/load_body.h"

namespace cdc::sinks::doris {

class DorisClient {
 public:
  static Result<std::unique_ptr<DorisClient>> create(const DorisOptions& o);
  ~DorisClient();
  DorisClient(const DorisClient&) = delete;
  DorisClient& operator=(const DorisClient&) = delete;

  Result<LoadResult> stream_load(const std::string& db, const std::string& table,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 const LoadBody& body);
  // operation "commit" or "abort", of the load with this label.
  Result<TxnResult> two_phase(const std::string& db, std::string_view operation,
                              const std::string& label);
  // UNKNOWN, PREPARE, PRECOMMITTED, COMMITTED, VISIBLE or ABORTED.
  Result<std::string> load_state(const std::string& db, const std::string& label);
  // Runs one statement; the rows of a result set (none for DDL). A statement Doris refuses is
  // Errc::invalid_config with Doris's message.
  Result<std::vector<SqlRow>> sql(const std::string& db, const std::string& stmt);
  // The text at an ErrorURL (the reasons of filtered rows), at most `limit` bytes.
  Result<std::string> fetch_text(const std::string& url, size_t limit);

 private:
  struct Impl;
  explicit DorisClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cdc::sinks::doris
