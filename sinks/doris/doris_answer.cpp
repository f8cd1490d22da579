#include "sinks/doris/doris_answer.h"

#include <simdjson.h>

namespace cdc::sinks::doris {
namespace {

std::string snippet(std::string_view s) {
  return std::string(s.substr(0, 300)) + (s.size() > 300 ? "..." : "");
}

Result<simdjson::dom::element> parse_object(simdjson::dom::parser& parser, std::string_view body,
                                            const std::string& what) {
  auto doc = parser.parse(body.data(), body.size());
  if (doc.error() || !doc.value().is_object()) {
    return make_error(Errc::unavailable,
                      what + ": the answer is not Doris's JSON: " + snippet(body));
  }
  return doc.value();
}

std::string string_field(simdjson::dom::element e, const char* name) {
  std::string_view v;
  if (e[name].get(v) == simdjson::SUCCESS) return std::string(v);
  return {};
}

int64_t int_field(simdjson::dom::element e, const char* name) {
  int64_t v = 0;
  if (e[name].get(v) == simdjson::SUCCESS) return v;
  return 0;
}

}  // namespace

Result<LoadResult> parse_load_answer(simdjson::dom::parser& parser, std::string_view body,
                                     const std::string& what) {
  CDC_TRY_ASSIGN(auto e, parse_object(parser, body, what));
  LoadResult r;
  r.status = string_field(e, "Status");
  r.existing_job_status = string_field(e, "ExistingJobStatus");
  r.message = string_field(e, "Message");
  r.error_url = string_field(e, "ErrorURL");
  if (e["TxnId"].get(r.txn_id) != simdjson::SUCCESS) r.txn_id = -1;
  r.loaded_rows = int_field(e, "NumberLoadedRows");
  r.filtered_rows = int_field(e, "NumberFilteredRows");
  if (r.status.empty()) {
    return make_error(Errc::unavailable, what + ": no Status in " + snippet(body));
  }
  return r;
}

Result<TxnResult> parse_txn_answer(simdjson::dom::parser& parser, std::string_view body,
                                   const std::string& what) {
  CDC_TRY_ASSIGN(auto e, parse_object(parser, body, what));
  TxnResult r;
  const std::string status = string_field(e, "status");
  if (status.empty())
    return make_error(Errc::unavailable, what + ": no status in " + snippet(body));
  r.success = status == "Success";
  r.message = string_field(e, "msg");
  return r;
}

Result<std::string> parse_load_state_answer(simdjson::dom::parser& parser, std::string_view body,
                                            const std::string& what) {
  CDC_TRY_ASSIGN(auto e, parse_object(parser, body, what));
  std::string_view state;
  if (int_field(e, "code") != 0 || e["data"].get(state) != simdjson::SUCCESS) {
    return make_error(Errc::unavailable, what + ": " + snippet(body));
  }
  return std::string(state);
}

Result<std::vector<SqlRow>> parse_sql_answer(simdjson::dom::parser& parser, std::string_view body,
                                             const std::string& what) {
  CDC_TRY_ASSIGN(auto e, parse_object(parser, body, what));
  int64_t code = 0;
  if (e["code"].get(code) != simdjson::SUCCESS) {
    return make_error(Errc::unavailable, what + ": no code in " + snippet(body));
  }
  if (code != 0) {
    return make_error(Errc::invalid_config,
                      "Doris refused " + what + ": " + string_field(e, "msg"));
  }
  std::vector<SqlRow> rows;
  simdjson::dom::element result;
  if (e["data"].get(result) != simdjson::SUCCESS || !result.is_object() ||
      result["data"].error() == simdjson::NO_SUCH_FIELD) {
    return rows;  // a statement without a result set (DDL: exec_status only)
  }
  simdjson::dom::array data;
  if (result["data"].get(data) != simdjson::SUCCESS) {
    return make_error(Errc::unavailable, what + ": data.data is not an array in " + snippet(body));
  }
  for (simdjson::dom::element row : data) {
    simdjson::dom::array cells;
    if (row.get(cells) != simdjson::SUCCESS) {
      return make_error(Errc::unavailable, what + ": row " + std::to_string(rows.size() + 1) +
                                               " of the result is not an array in " +
                                               snippet(body));
    }
    SqlRow out;
    for (simdjson::dom::element cell : cells) {
      std::string_view s;
      if (cell.is_null()) {
        out.emplace_back(std::nullopt);
      } else if (cell.get(s) == simdjson::SUCCESS) {
        out.emplace_back(std::string(s));
      } else {
        out.emplace_back(simdjson::minify(cell));
      }
    }
    rows.push_back(std::move(out));
  }
  return rows;
}

}  // namespace cdc::sinks::doris
