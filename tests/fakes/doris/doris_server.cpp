#include "tests/fakes/doris/doris_server.h"

#include <simdjson.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "cdc/core/json/json_writer.h"
#include "cdc/core/text.h"

namespace cdc::testing::doris {
namespace {

constexpr std::string_view kDeleteSign = "__DORIS_DELETE_SIGN__";
constexpr std::string_view kSequenceColumn = "__DORIS_SEQUENCE_COL__";

HttpResponse json_response(std::string body, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  r.body = std::move(body);
  return r;
}

Reply reply(HttpResponse r) { return Reply{std::move(r), false, {}}; }

// The FE's REST answer shape (HTTP v2 API): {"msg","code","data","count"}; code 0 = success.
Reply fe_answer(int code, std::string_view msg, std::string_view data_json) {
  std::string b = "{\"msg\":";
  json::append_string(b, msg);
  b +=
      ",\"code\":" + std::to_string(code) + ",\"data\":" + std::string(data_json) + ",\"count\":0}";
  return reply(json_response(std::move(b)));
}

// The BE's 2PC answer shape: {"status": "Success"|"Fail", "msg": ...}.
Reply txn_answer(bool ok, std::string_view msg) {
  std::string b = ok ? "{\"status\":\"Success\",\"msg\":" : "{\"status\":\"Fail\",\"msg\":";
  json::append_string(b, msg);
  b += "}";
  return reply(json_response(std::move(b)));
}

std::string base64_decode(std::string_view in) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return {};
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::vector<std::string> path_parts(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    if (path[0] == '/') {
      path.remove_prefix(1);
      continue;
    }
    const size_t slash = path.find('/');
    parts.emplace_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? "" : path.substr(slash);
  }
  return parts;
}

bool header_true(const HttpRequest& req, const std::string& name) {
  const std::string* v = req.header(name);
  return v != nullptr && lower_ascii(*v) == "true";
}

// BE StreamLoadAction: "chunked" anywhere in Transfer-Encoding.
bool chunked(const HttpRequest& req) {
  const std::string* te = req.header("transfer-encoding");
  return te != nullptr && te->find("chunked") != std::string::npos;
}

// Doris label rule (FE LabelName / FeNameFormat.checkLabel): ^[-_A-Za-z0-9:]{1,128}$.
bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > 128) return false;
  for (char c : label) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':'))
      return false;
  }
  return true;
}

std::optional<std::string> scalar_text(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::NULL_VALUE: return std::nullopt;
    case simdjson::dom::element_type::STRING: return std::string(std::string_view(e.get_string()));
    case simdjson::dom::element_type::INT64: return std::to_string(int64_t(e.get_int64()));
    case simdjson::dom::element_type::UINT64: return std::to_string(uint64_t(e.get_uint64()));
    case simdjson::dom::element_type::DOUBLE: {
      std::string out;
      json::append_double(out, double(e.get_double()));
      return out;
    }
    case simdjson::dom::element_type::BOOL: return bool(e.get_bool()) ? "true" : "false";
    default: return simdjson::minify(e);
  }
}

struct LoadHeaders {
  std::string label;
  bool two_phase = false;
  std::optional<std::vector<std::string>> columns;
  enum class Merge { append, remove, merge } merge = Merge::append;
  std::optional<std::pair<std::string, std::string>> delete_on;  // MERGE: col = value
  bool delete_sign_column = false;  // hidden_columns / columns name __DORIS_DELETE_SIGN__
  bool sequence_hidden = false;     // hidden_columns names __DORIS_SEQUENCE_COL__
  bool partial = false;             // partial_columns: true (UPDATE_FIXED_COLUMNS)
  bool flexible = false;            // unique_key_update_mode: UPDATE_FLEXIBLE_COLUMNS
  std::optional<std::string> sequence_source;  // function_column.sequence_col
  double max_filter_ratio = 0;
  bool strict = false;
  bool by_line = false;
  bool outer_array = false;
};

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (true) {
    const size_t comma = s.find(',');
    const std::string_view part = trim(s.substr(0, comma));
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// The key of a partial row, from its JSON object (key columns come first in a table and are
// all named by a partial load, so they are read before any unmentioned column).
std::vector<std::string> key_of(const Table& t,
                                const std::vector<std::pair<std::string, Cell>>& values) {
  std::vector<std::string> key;
  for (size_t i = 0; i < t.key_count && i < values.size(); ++i) {
    key.push_back(values[i].second.value_or(std::string("\x01NULL")));
  }
  return key;
}

void write_cell(json::JsonWriter& w, const Cell& c) {
  if (c) {
    w.string(*c);
  } else {
    w.null();
  }
}

std::optional<Cell> read_cell(simdjson::dom::element e) {
  if (e.is_null()) return Cell();
  std::string_view v;
  if (e.get(v) != simdjson::SUCCESS) return std::nullopt;
  return Cell(std::string(v));
}

}  // namespace

// {"load": id, "db", "table", "label", "two_phase", "state", "rows": [[remove, sequence,
// column, value, ...], ...]}: a load as it stood when answered.
std::string DorisServer::load_record(const Txn& t, TxnState state) {
  std::string line;
  json::JsonWriter w(line);
  w.begin_object();
  w.key("load");
  w.int64(t.id);
  w.key("db");
  w.string(t.db);
  w.key("table");
  w.string(t.table);
  w.key("label");
  w.string(t.label);
  w.key("two_phase");
  w.boolean(t.two_phase);
  w.key("state");
  w.string(to_string(state));
  w.key("partial");
  w.boolean(!t.changes.empty() && t.changes.front().partial);
  w.key("rows");
  w.begin_array();
  for (const RowChange& c : t.changes) {
    w.begin_array();
    w.boolean(c.remove);
    write_cell(w, c.sequence);
    for (const auto& [name, cell] : c.values) {
      w.string(name);
      write_cell(w, cell);
    }
    w.end_array();
  }
  w.end_array();
  w.end_object();
  return line;
}

Status DorisServer::open_data_dir(const std::string& dir) {
  std::lock_guard lock(mu_);
  CDC_TRY_ASSIGN(journal_,
                 Journal::open(dir, [this](std::string_view line) { return replay(line); }));
  for (const auto& [id, txn] : txns_) next_txn_ = std::max(next_txn_, id + 1);
  return {};
}

Status DorisServer::replay(std::string_view line) {
  simdjson::dom::parser parser;
  auto doc = parser.parse(line.data(), line.size());
  if (doc.error() || !doc.value().is_object()) {
    return make_error(Errc::malformed, "a journal line is not a JSON object");
  }
  const simdjson::dom::element e = doc.value();
  const auto bad = [](const std::string& what) {
    return make_error(Errc::malformed, "journal record: " + what);
  };
  std::string_view text;
  int64_t id = 0;
  if (e["sql"].get(text) == simdjson::SUCCESS) {
    std::string_view db;
    if (e["db"].get(db) != simdjson::SUCCESS) return bad("sql without db");
    if (db == "information_schema") catalog_.ensure_database(std::string(db));
    auto r = catalog_.execute(std::string(db), text);
    if (!r) return bad("the statement fails again: " + r.error().message);
    return {};
  }
  if (e["load"].get(id) == simdjson::SUCCESS) {
    Txn t;
    t.id = id;
    std::string_view db, table, label, state;
    bool two_phase = false, partial = false;
    simdjson::dom::array rows;
    if (e["db"].get(db) || e["table"].get(table) || e["label"].get(label) ||
        e["two_phase"].get(two_phase) || e["state"].get(state) || e["partial"].get(partial) ||
        e["rows"].get(rows)) {
      return bad("a load without db, table, label, two_phase, state, partial or rows");
    }
    t.db = db;
    t.table = table;
    t.label = label;
    t.two_phase = two_phase;
    for (simdjson::dom::element row : rows) {
      simdjson::dom::array cells;
      if (row.get(cells) || cells.size() < 2 || cells.size() % 2 != 0) return bad("a bad row");
      RowChange c;
      c.partial = partial;
      auto it = cells.begin();
      if ((*it).get(c.remove)) return bad("a row without its delete flag");
      ++it;
      auto seq = read_cell(*it);
      if (!seq) return bad("a bad sequence value");
      c.sequence = std::move(*seq);
      for (++it; it != cells.end(); ++it) {
        std::string_view name;
        if ((*it).get(name)) return bad("a column name that is not a string");
        ++it;
        auto cell = read_cell(*it);
        if (!cell) return bad("a bad value of column " + std::string(name));
        c.values.emplace_back(std::string(name), std::move(*cell));
      }
      t.changes.push_back(std::move(c));
    }
    const auto now = Clock::now();
    if (state == "PRECOMMITTED") {
      t.state = TxnState::precommitted;
      t.precommitted_at = now;
    } else if (state == "COMMITTED") {
      t.state = TxnState::committed;
      t.publish_at = now;
    } else if (state == "ABORTED") {
      t.state = TxnState::aborted;
      t.abort_reason = "too many filtered rows";
    } else {
      return bad("a load in state " + std::string(state));
    }
    labels_[{t.db, t.label}] = id;
    txns_[id] = std::move(t);
    return {};
  }
  const auto txn_of = [&](const char* key) -> Result<Txn*> {
    if (e[key].get(id)) return bad("no transaction id");
    auto it = txns_.find(id);
    if (it == txns_.end())
      return bad(std::string(key) + " of unknown transaction " + std::to_string(id));
    return &it->second;
  };
  if (!e["commit"].error()) {
    CDC_TRY_ASSIGN(Txn * t, txn_of("commit"));
    t->state = TxnState::committed;
    t->publish_at = Clock::now();
    return {};
  }
  if (!e["visible"].error()) {
    CDC_TRY_ASSIGN(Txn * t, txn_of("visible"));
    if (t->state != TxnState::committed) return bad("visible before commit");
    publish(*t);
    return {};
  }
  if (!e["abort"].error()) {
    CDC_TRY_ASSIGN(Txn * t, txn_of("abort"));
    std::string_view reason;
    if (e["reason"].get(reason) != simdjson::SUCCESS) reason = "(no reason journaled)";
    abort(*t, std::string(reason));
    return {};
  }
  return bad("unknown record");
}

std::string_view to_string(TxnState s) {
  // GET LABEL STATE's words: UNKNOWN, PREPARE, PRECOMMITTED, COMMITTED, VISIBLE, ABORTED.
  switch (s) {
    case TxnState::prepare: return "PREPARE";
    case TxnState::precommitted: return "PRECOMMITTED";
    case TxnState::committed: return "COMMITTED";
    case TxnState::visible: return "VISIBLE";
    case TxnState::aborted: return "ABORTED";
  }
  return "UNKNOWN";
}

bool DorisServer::authorized(const HttpRequest& req) const {
  const std::string* h = req.header("authorization");
  if (h == nullptr || !h->starts_with("Basic ")) return false;
  return base64_decode(std::string_view(*h).substr(6)) == o_.user + ":" + o_.password;
}

std::optional<Txn> DorisServer::txn_for_test(int64_t id) {
  std::lock_guard lock(mu_);
  auto it = txns_.find(id);
  if (it == txns_.end()) return std::nullopt;
  return it->second;
}

Txn* DorisServer::txn_by_label(const std::string& db, const std::string& label) {
  auto it = labels_.find({db, label});
  return it == labels_.end() ? nullptr : &txns_.at(it->second);
}

void DorisServer::record(const std::string& line) {
  if (!journal_) return;
  if (auto r = journal_->append(line); !r) {
    std::fprintf(stderr, "doris_test_server: %s\n", r.error().message.c_str());
    std::_Exit(1);
  }
}

void DorisServer::abort(Txn& txn, std::string reason) {
  if (journal_) {
    std::string line;
    json::JsonWriter w(line);
    w.begin_object();
    w.key("abort");
    w.int64(txn.id);
    w.key("reason");
    w.string(reason);
    w.end_object();
    record(line);
  }
  txn.state = TxnState::aborted;
  txn.abort_reason = std::move(reason);
  txn.changes.clear();
  txn.changes.shrink_to_fit();
}

void DorisServer::make_visible(Txn& txn, Clock::time_point now, bool publish_timeout) {
  // Doris publishes the transactions of a table in commit order: a commit waits behind an
  // earlier one of the same table that is still COMMITTED.
  Clock::time_point publish_at = publish_timeout ? now + o_.publish_delay : now;
  for (const auto& [id, other] : txns_) {
    if (other.state == TxnState::committed && other.db == txn.db && other.table == txn.table) {
      publish_at = std::max(publish_at, other.publish_at);
    }
  }
  txn.state = TxnState::committed;
  txn.publish_at = publish_at;
  tick(now);
}

void DorisServer::tick(Clock::time_point now) {
  for (auto& [id, txn] : txns_) {
    if (txn.state == TxnState::precommitted && now - txn.precommitted_at >= o_.precommit_timeout) {
      abort(txn, "timeout by txn manager");
    }
    if (txn.state == TxnState::committed && txn.publish_at <= now) publish(txn);
  }
}

void DorisServer::publish(Txn& txn) {
  record("{\"visible\":" + std::to_string(txn.id) + "}");
  Table* t = catalog_.table(txn.db, txn.table);
  if (t != nullptr) {
    for (const RowChange& c : txn.changes) {
      if (!t->apply(c)) ++sequence_kept_;
    }
  }
  txn.state = TxnState::visible;
  ++txn.commits;
  txn.changes.clear();
  txn.changes.shrink_to_fit();
}

std::optional<Reply> DorisServer::on_head(Port port, const HttpRequest& req) {
  std::lock_guard lock(mu_);
  const auto parts = path_parts(req.path);
  const bool is_load = parts.size() == 4 && parts[0] == "api" && parts[3] == "_stream_load";
  const bool is_2pc = (parts.size() == 3 || parts.size() == 4) && parts[0] == "api" &&
                      parts.back() == "_stream_load_2pc";
  if (parts.size() == 2 && parts[0] == "api" && parts[1] == "_load_error_log") return std::nullopt;
  if (!authorized(req)) {
    // FE (HTTP v2): 401 with a Basic challenge. BE (http/utils.cpp parse_basic_auth): the
    // load fails with "no valid Basic authorization".
    if (port == Port::fe) {
      Reply r = fe_answer(401, "Need auth information.", "null");
      r.response.status = 401;
      r.response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"\"");
      return r;
    }
    if (is_load) {
      return reply(
          json_response("{\"Status\":\"Fail\",\"Message\":\"no valid Basic authorization\"}"));
    }
    return txn_answer(false, "no valid Basic authorization");
  }
  if (port == Port::fe && (is_load || is_2pc)) {
    if (req.method != "PUT") return fe_answer(405, "stream load must use PUT", "null");
    if (is_load) ++fe_loads_;
    // FE LoadAction: Stream Load and 2PC requests are redirected (307) to a BE; the client
    // must send its credentials again there (curl --location-trusted).
    HttpResponse r;
    r.status = 307;
    std::string location = "http://127.0.0.1:" + std::to_string(o_.be_port) + req.path;
    r.headers.emplace_back("Location", location);
    return reply(std::move(r));
  }
  if (port == Port::be && is_load) {
    if (req.method != "PUT")
      return reply(json_response("{\"Status\":\"Fail\",\"Message\":\"stream load must use PUT\"}"));
    ++be_loads_;
    if (reset_loads_ > 0) {
      --reset_loads_;
      return Reply{{}, true, {}};
    }
    // BE StreamLoadAction::_on_header: the body is delimited by Content-Length or by
    // Transfer-Encoding chunked, exactly one of them (an empty header counts as absent); the
    // messages are those Doris's regression suite test_stream_load.groovy asserts.
    const std::string* length = req.header("content-length");
    const bool has_length = length != nullptr && !length->empty();
    if (!has_length && !chunked(req)) {
      return reply(json_response(
          "{\"Status\":\"Fail\",\"Message\":\"[INTERNAL_ERROR]content_length is empty and "
          "transfer-encoding!=chunked, please set content_length or transfer-encoding=chunked\"}"));
    }
    if (has_length && chunked(req)) {
      return reply(
          json_response("{\"Status\":\"Fail\",\"Message\":\"[INTERNAL_ERROR]please do not set "
                        "both content_length and transfer-encoding\"}"));
    }
    if (chunked(req)) ++chunked_loads_;
  }
  return std::nullopt;
}

Reply DorisServer::handle(Port port, const HttpRequest& req) {
  std::lock_guard lock(mu_);
  tick(Clock::now());
  const auto parts = path_parts(req.path);
  Reply r;
  if (parts.size() == 2 && parts[0] == "api" && parts[1] == "_load_error_log" && port == Port::be) {
    r = error_log(req);
  } else if (port == Port::be && parts.size() == 4 && parts[0] == "api" &&
             parts[3] == "_stream_load") {
    r = stream_load(req, parts[1], parts[2]);
  } else if (port == Port::be && (parts.size() == 3 || parts.size() == 4) && parts[0] == "api" &&
             parts.back() == "_stream_load_2pc") {
    r = two_phase(req, parts[1]);
  } else if (port == Port::fe && parts.size() == 3 && parts[0] == "api" &&
             parts[2] == "get_load_state") {
    r = load_state(req, parts[1]);
  } else if (port == Port::fe && parts.size() == 4 && parts[0] == "api" && parts[1] == "query") {
    // POST /api/query/<ns_name>/<db_name> ("Statement Execution Action").
    r = sql(req, parts[3]);
  } else {
    HttpResponse nf;
    nf.status = 404;
    nf.body = "not found";
    r = reply(std::move(nf));
  }
  r.delay += delay_;
  return r;
}

Reply DorisServer::stream_load(const HttpRequest& req, const std::string& db,
                               const std::string& table) {
  const auto started = Clock::now();
  bool group_commit = false;  // "GroupCommit": true in the answer
  // Response fields of the Stream Load manual ("Return results"), in Doris's order.
  const auto result = [&](const Txn* txn, const std::string& label, std::string_view status,
                          std::string_view message, int64_t total, int64_t loaded, int64_t filtered,
                          const std::string& error_url) {
    std::string b = "{\"TxnId\":" + std::to_string(txn ? txn->id : -1) + ",\"Label\":";
    json::append_string(b, label);
    b += ",\"Comment\":\"\",";
    if (group_commit) b += "\"GroupCommit\":true,";
    b += "\"TwoPhaseCommit\":\"";
    b += txn && txn->two_phase ? "true" : "false";
    b += "\",\"Status\":";
    json::append_string(b, status);
    b += ",\"Message\":";
    json::append_string(b, message);
    b +=
        ",\"NumberTotalRows\":" + std::to_string(total) +
        ",\"NumberLoadedRows\":" + std::to_string(loaded) +
        ",\"NumberFilteredRows\":" + std::to_string(filtered) +
        ",\"NumberUnselectedRows\":0,\"LoadBytes\":" + std::to_string(req.body.size()) +
        ",\"LoadTimeMs\":" +
        std::to_string(
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()) +
        ",\"BeginTxnTimeMs\":0,\"StreamLoadPutTimeMs\":0,\"ReadDataTimeMs\":0,\"WriteDataTimeMs\":"
        "0,"
        "\"CommitAndPublishTimeMs\":0";
    if (!error_url.empty()) {
      b += ",\"ErrorURL\":";
      json::append_string(b, error_url);
    }
    b += "}";
    return reply(json_response(std::move(b)));
  };
  LoadHeaders h;
  if (const std::string* l = req.header("label")) h.label = *l;
  // Group commit (Doris docs "Group Commit"; BE StreamLoadAction::_handle_group_commit):
  // `group_commit` is off_mode, sync_mode or async_mode. A load with two_phase_commit,
  // partial_columns, partitions or an empty non-chunked body is loaded the ordinary way, the
  // header ignored. Otherwise a label is refused, except on a chunked load, whose label Doris
  // drops ("allow chunked stream load in flink"); the load is named group_commit_<id>.
  // async_mode answers once the rows are in the WAL and they turn visible after the table's
  // group_commit_interval_ms; a chunked load (size unknown) is switched to sync_mode, which
  // answers once they are visible.
  bool async_commit = false;
  if (const std::string* gc = req.header("group_commit")) {
    const std::string mode = lower_ascii(*gc);
    if (mode != "off_mode" && mode != "sync_mode" && mode != "async_mode") {
      return result(nullptr, h.label, "Fail",
                    "[INVALID_ARGUMENT]group_commit can only be [async_mode, sync_mode, off_mode]",
                    0, 0, 0, "");
    }
    const bool ordinary =
        header_true(req, "two_phase_commit") || header_true(req, "partial_columns") ||
        req.header("partitions") != nullptr || req.header("temporary_partitions") != nullptr;
    if (mode != "off_mode" && (chunked(req) || !req.body.empty()) && !ordinary) {
      if (!chunked(req) && !h.label.empty()) {
        return result(nullptr, h.label, "Fail",
                      "[INVALID_ARGUMENT]label and group_commit can't be set at the same time", 0,
                      0, 0, "");
      }
      group_commit = true;
      async_commit = mode == "async_mode" && !chunked(req);
      h.label = "group_commit_" + std::to_string(next_txn_);
    }
  }
  if (h.label.empty()) h.label = "stream_load_" + std::to_string(next_txn_);  // Doris makes a UUID
  const auto fail = [&](std::string_view msg) {
    return result(nullptr, h.label, "Fail", msg, 0, 0, 0, "");
  };
  if (fail_loads_ > 0) {
    --fail_loads_;
    return fail("[INTERNAL_ERROR]injected failure (test server control port)");
  }
  if (!valid_label(h.label)) {
    return fail(
        "[ANALYSIS_ERROR]errCode = 2, detailMessage = Label format error. regex: "
        "^[-_A-Za-z0-9:]{1,128}$, label: " +
        h.label);
  }
  // The test server reads JSON only; Doris's default format is csv.
  const std::string* format = req.header("format");
  if (format == nullptr || lower_ascii(*format) != "json") {
    return fail("the Doris test server loads format json only (header 'format: json')");
  }
  h.by_line = header_true(req, "read_json_by_line");
  h.outer_array = header_true(req, "strip_outer_array");
  h.two_phase = header_true(req, "two_phase_commit");
  h.strict = header_true(req, "strict_mode");
  h.partial = header_true(req, "partial_columns");
  // BE StreamLoadAction::_process_put: `unique_key_update_mode` (UPSERT, UPDATE_FIXED_COLUMNS,
  // UPDATE_FLEXIBLE_COLUMNS, any case) decides when given; `partial_columns` only without it.
  if (const std::string* mode = req.header("unique_key_update_mode")) {
    const std::string m = upper_ascii(std::string(trim(*mode)));
    if (m != "UPSERT" && m != "UPDATE_FIXED_COLUMNS" && m != "UPDATE_FLEXIBLE_COLUMNS") {
      return fail("[INVALID_ARGUMENT]Invalid unique_key_update_mode " + *mode +
                  ", must be one of 'UPSERT', 'UPDATE_FIXED_COLUMNS' or "
                  "'UPDATE_FLEXIBLE_COLUMNS'");
    }
    h.partial = m == "UPDATE_FIXED_COLUMNS";
    h.flexible = m == "UPDATE_FLEXIBLE_COLUMNS";
  }
  if (h.flexible) {
    // Doris docs, "Flexible Partial Column Updates": JSON only (the test server reads nothing
    // else), and none of these load parameters may be given with it.
    for (const char* refused : {"merge_type", "delete", "fuzzy_parse", "columns", "jsonpaths",
                                "hidden_columns", "function_column.sequence_col", "sql",
                                "memtable_on_sink_node", "group_commit", "where"}) {
      if (req.header(refused) != nullptr) {
        return fail(std::string("[INVALID_ARGUMENT]Don't support flexible partial update when '") +
                    refused + "' is specified");
      }
    }
    h.delete_sign_column = true;  // a row may carry __DORIS_DELETE_SIGN__ itself
  }
  for (const char* unsupported : {"jsonpaths", "where"}) {
    if (req.header(unsupported) != nullptr) {
      return fail(std::string("the Doris test server does not implement header '") + unsupported +
                  "'");
    }
  }
  if (const std::string* r = req.header("max_filter_ratio")) {
    const std::string_view v = trim(*r);
    if (std::from_chars(v.data(), v.data() + v.size(), h.max_filter_ratio).ec != std::errc() ||
        h.max_filter_ratio < 0 || h.max_filter_ratio > 1) {
      return fail("[INVALID_ARGUMENT]max_filter_ratio must be between 0 and 1: " + *r);
    }
  }
  if (const std::string* m = req.header("merge_type")) {
    const std::string v = upper_ascii(*m);
    if (v == "APPEND")
      h.merge = LoadHeaders::Merge::append;
    else if (v == "DELETE")
      h.merge = LoadHeaders::Merge::remove;
    else if (v == "MERGE")
      h.merge = LoadHeaders::Merge::merge;
    else
      return fail("[INVALID_ARGUMENT]Unknown merge type " + *m);
  }
  if (const std::string* d = req.header("delete")) {
    // Doris: "delete" is the DELETE ON condition of merge_type MERGE; the test server takes
    // `column=value` only.
    if (h.merge != LoadHeaders::Merge::merge) {
      return fail("[ANALYSIS_ERROR]not support DELETE ON clause when merge type is not MERGE.");
    }
    const size_t eq = d->find('=');
    if (eq == std::string::npos)
      return fail("the Doris test server takes 'delete: <column>=<value>' only");
    h.delete_on.emplace(std::string(trim(std::string_view(*d).substr(0, eq))),
                        std::string(trim(std::string_view(*d).substr(eq + 1))));
  } else if (h.merge == LoadHeaders::Merge::merge) {
    return fail("[ANALYSIS_ERROR]Excepted DELETE ON clause when merge type is MERGE.");
  }
  if (const std::string* hc = req.header("hidden_columns")) {
    for (const std::string& c : split_list(*hc)) {
      if (c == kDeleteSign)
        h.delete_sign_column = true;
      else if (c == kSequenceColumn)
        h.sequence_hidden = true;
      else
        return fail(
            "the Doris test server knows hidden columns __DORIS_DELETE_SIGN__ and "
            "__DORIS_SEQUENCE_COL__ only, not " +
            c);
    }
  }
  if (const std::string* cols = req.header("columns")) {
    h.columns = split_list(*cols);
    for (const std::string& c : *h.columns) {
      if (c == kDeleteSign) h.delete_sign_column = true;
    }
  }
  if (h.delete_on && h.delete_on->first == kDeleteSign) h.delete_sign_column = true;

  Database* d = catalog_.database(db);
  if (d == nullptr)
    return fail("[ANALYSIS_ERROR]errCode = 2, detailMessage = unknown databases, dbName=" + db);
  Table* t = catalog_.table(db, table);
  if (t == nullptr)
    return fail("[ANALYSIS_ERROR]errCode = 2, detailMessage = Unknown table, tableName=" + table);
  if (const std::string* seq = req.header("function_column.sequence_col")) {
    h.sequence_source = std::string(trim(*seq));
  }
  // Doris FE (load planning, "Sequence Column" docs): a table with a sequence column needs the
  // load to name the column that feeds it, and a load that names one needs a table with one.
  // Partial column update (Doris docs, "Partial Column Update"): Unique Key merge-on-write
  // tables only; the `columns` header names the columns to update, every key column among
  // them; the sequence column may be left out (the stored row's value is kept).
  const auto property_true = [&](std::string_view name) {
    for (const auto& [k, v] : t->properties) {
      if (k == name && lower_ascii(v) == "true") return true;
    }
    return false;
  };
  if (h.flexible) {
    // OlapTable::validateForFlexiblePartialUpdate: a merge-on-write Unique Key table with the
    // skip-bitmap hidden column (created with enable_unique_key_skip_bitmap_column = true).
    if (!property_true("enable_unique_key_merge_on_write")) {
      return fail(
          "[ANALYSIS_ERROR]errCode = 2, detailMessage = Flexible partial update is only "
          "supported in unique table MoW");
    }
    if (!property_true("enable_unique_key_skip_bitmap_column")) {
      return fail(
          "[ANALYSIS_ERROR]errCode = 2, detailMessage = Flexible partial update can only "
          "support table with skip bitmap hidden column. But table " +
          table + " doesn't have it. You can use `ALTER TABLE " + table +
          " ENABLE FEATURE \"UPDATE_FLEXIBLE_COLUMNS\";` to add it to the table.");
    }
  }
  if (h.partial) {
    if (!property_true("enable_unique_key_merge_on_write")) {
      return fail(
          "[ANALYSIS_ERROR]errCode = 2, detailMessage = Partial update is only allowed "
          "on unique table with merge-on-write enabled.");
    }
    if (!h.columns) {
      return fail("the Doris test server needs the `columns` header with partial_columns");
    }
    for (size_t k = 0; k < t->key_count; ++k) {
      if (std::none_of(h.columns->begin(), h.columns->end(), [&](const std::string& c) {
            return lower_ascii(c) == lower_ascii(t->columns[k].name);
          })) {
        return fail(
            "[ANALYSIS_ERROR]errCode = 2, detailMessage = Partial update should include "
            "all key columns, missing: " +
            t->columns[k].name);
      }
    }
  }
  if (t->sequence_type && !h.sequence_source && !h.partial && !h.flexible) {
    return fail("[ANALYSIS_ERROR]errCode = 2, detailMessage = Table " + table +
                " has sequence column, need to specify the sequence column");
  }
  if (!t->sequence_type && h.sequence_source) {
    return fail(
        "[ANALYSIS_ERROR]errCode = 2, detailMessage = There is no sequence column in the "
        "table " +
        table);
  }
  // The named column must be a load column: one of `columns`, a hidden column listed in
  // hidden_columns, or (without `columns`) a column of the table.
  if (h.sequence_source) {
    const std::string& src = *h.sequence_source;
    bool known = h.columns
                     ? std::find(h.columns->begin(), h.columns->end(), src) != h.columns->end()
                     : t->column_index(src).has_value();
    known = known || (src == kSequenceColumn && h.sequence_hidden);
    if (!known) {
      return fail("[ANALYSIS_ERROR]errCode = 2, detailMessage = sequence column " + src +
                  " is not a column of the load");
    }
  }
  if (h.columns) {
    for (const std::string& c : *h.columns) {
      if (c != kDeleteSign && c != kSequenceColumn && !t->column_index(c)) {
        return fail("[ANALYSIS_ERROR]errCode = 2, detailMessage = Unknown column '" + c + "' in '" +
                    table + "'");
      }
    }
  }
  // Label uniqueness (Stream Load manual, "label"): a label used by a load that is not
  // aborted is refused with "Label Already Exists" and the existing job's status: RUNNING
  // while it is in progress or PRECOMMITTED, FINISHED once committed.
  if (Txn* existing = txn_by_label(db, h.label);
      existing != nullptr && existing->state != TxnState::aborted) {
    const bool finished =
        existing->state == TxnState::committed || existing->state == TxnState::visible;
    std::string b = "{\"TxnId\":-1,\"Label\":";
    json::append_string(b, h.label);
    b += ",\"Comment\":\"\",\"TwoPhaseCommit\":\"";
    b += h.two_phase ? "true" : "false";
    b += "\",\"Status\":\"Label Already Exists\",\"ExistingJobStatus\":\"";
    b += finished ? "FINISHED" : "RUNNING";
    b += "\",\"Message\":";
    json::append_string(b, "errCode = 2, detailMessage = Label [" + h.label +
                               "] has already been used, relate to txn [" +
                               std::to_string(existing->id) + "], src: be");
    b += ",\"NumberTotalRows\":0,\"NumberLoadedRows\":0,\"NumberFilteredRows\":0,"
         "\"NumberUnselectedRows\":0,"
         "\"LoadBytes\":0,\"LoadTimeMs\":0,\"BeginTxnTimeMs\":0,\"StreamLoadPutTimeMs\":0,"
         "\"ReadDataTimeMs\":0,"
         "\"WriteDataTimeMs\":0,\"CommitAndPublishTimeMs\":0}";
    return reply(json_response(std::move(b)));
  }

  partial_loads_ += h.partial ? 1 : 0;
  flexible_loads_ += h.flexible ? 1 : 0;
  Txn txn;
  txn.id = next_txn_++;
  txn.db = db;
  txn.table = table;
  txn.label = h.label;
  txn.two_phase = h.two_phase;

  // Rows: read_json_by_line (one object per line), strip_outer_array (one array of
  // objects), or the whole body as one object (Stream Load manual, "JSON format").
  simdjson::dom::parser parser;
  std::vector<std::string> reasons;
  int64_t total = 0;
  int64_t filtered = 0;
  const auto load_object = [&](simdjson::dom::element obj, std::string_view src) {
    ++total;
    const auto filter = [&](std::string why) {
      ++filtered;
      if (reasons.size() < 50)
        reasons.push_back("Reason: " + why + ". src line [" + std::string(src.substr(0, 256)) +
                          "];");
    };
    if (!obj.is_object()) return filter("the JSON line is not an object");
    RowChange change;
    change.partial = h.partial || h.flexible;
    bool sign = false;
    for (size_t ci = 0; ci < t->columns.size(); ++ci) {
      const ColumnDef& col = t->columns[ci];
      bool listed = !h.columns && !h.flexible;
      if (h.columns) {
        for (const std::string& c : *h.columns)
          listed = listed || lower_ascii(c) == lower_ascii(col.name);
      }
      if (h.flexible) {
        // Flexible: each row updates the columns it has (keys that name no column are
        // ignored), and must have every key column (else it is a filtered row).
        for (auto field : obj.get_object()) {
          listed = listed || lower_ascii(field.key) == lower_ascii(col.name);
        }
        if (!listed && ci < t->key_count) {
          return filter("the row has no value for the key column " + col.name +
                        " (flexible partial update)");
        }
      }
      Cell cell = col.default_value;
      bool present = false;
      if (listed) {
        for (auto field : obj.get_object()) {
          if (lower_ascii(field.key) != lower_ascii(col.name)) continue;
          present = true;
          const auto text = scalar_text(field.value);
          if (!text) {
            cell.reset();
          } else {
            Checked checked = check_value(col.type, *text);
            // strict_mode (Stream Load manual): off, a value that fails conversion becomes
            // NULL; on, the row is filtered. A value that converts but exceeds the column
            // (too long, out of range) is filtered in both modes: the test server filters
            // every refused value in strict mode and only conversion failures otherwise.
            if (!checked.value) {
              if (h.strict || !col.nullable || checked.reason.find("not a") == std::string::npos) {
                return filter("column(" + col.name + ") value is incorrect: " + checked.reason);
              }
            }
            cell = std::move(checked.value);
          }
          break;
        }
      }
      if ((h.partial || h.flexible) && !listed) {
        // Partial column update: a column the load does not name keeps the stored row's value
        // (Table::apply); a new key gets its default, which a NOT NULL column must have (Doris
        // docs, "Partial Column Update": unmentioned columns of newly inserted rows use their
        // default value or NULL).
        const bool stored = t->rows.contains(key_of(*t, change.values));
        if (!stored && !col.default_value && !col.nullable) {
          return filter("the unmentioned column `" + col.name +
                        "` should have default value or be nullable for newly inserted rows in "
                        "non-strict mode partial update");
        }
        continue;
      }
      if (!present && !col.default_value && !col.nullable) {
        return filter("column(" + col.name + ") values is null while columns is not nullable");
      }
      if (!cell && !col.nullable) {
        return filter("column(" + col.name + ") values is null while columns is not nullable");
      }
      change.values.emplace_back(col.name, std::move(cell));
    }
    if (h.sequence_source) {
      auto v = obj[*h.sequence_source];
      const auto text = v.error() ? std::nullopt : scalar_text(v.value());
      if (text) {
        Checked checked = check_value(*t->sequence_type, *text);
        if (!checked.value) {
          return filter("column(" + std::string(kSequenceColumn) +
                        ") value is incorrect: " + checked.reason);
        }
        change.sequence = std::move(checked.value);
      }
    }
    if (h.delete_sign_column) {
      auto v = obj[kDeleteSign];
      if (!v.error()) {
        const auto text = scalar_text(v.value());
        if (text && *text != "0" && *text != "1")
          return filter("__DORIS_DELETE_SIGN__ must be 0 or 1");
        sign = text && *text == "1";
      }
    }
    switch (h.merge) {
      case LoadHeaders::Merge::append:
        change.remove = h.delete_sign_column && sign && !h.delete_on;
        break;
      case LoadHeaders::Merge::remove: change.remove = true; break;
      case LoadHeaders::Merge::merge: {
        const auto& [col, want] = *h.delete_on;
        std::optional<std::string> got;
        if (col == kDeleteSign) {
          got = sign ? "1" : "0";
        } else if (auto idx = t->column_index(col)) {
          got = change.values[*idx].second;
        }
        change.remove = got && *got == want;
        break;
      }
    }
    txn.changes.push_back(std::move(change));
  };
  if (h.by_line) {
    std::string_view rest = req.body;
    while (!rest.empty()) {
      const size_t nl = rest.find('\n');
      const std::string_view line = trim(rest.substr(0, nl));
      rest = nl == std::string_view::npos ? "" : rest.substr(nl + 1);
      if (line.empty()) continue;
      auto doc = parser.parse(line.data(), line.size());
      if (doc.error()) {
        ++total;
        ++filtered;
        if (reasons.size() < 50)
          reasons.push_back("Reason: JSON data is invalid. src line [" +
                            std::string(line.substr(0, 256)) + "];");
        continue;
      }
      load_object(doc.value(), line);
    }
  } else {
    auto doc = parser.parse(req.body.data(), req.body.size());
    if (doc.error()) return fail("[DATA_QUALITY_ERROR]JSON data is invalid");
    if (h.outer_array) {
      if (!doc.value().is_array()) {
        return fail(
            "[DATA_QUALITY_ERROR]JSON data is not an array-object, strip_outer_array must be "
            "FALSE");
      }
      for (auto e : doc.value().get_array()) load_object(e, simdjson::minify(e));
    } else {
      if (doc.value().is_array()) {
        return fail(
            "[DATA_QUALITY_ERROR]JSON data is array-object, `strip_outer_array` must be TRUE.");
      }
      load_object(doc.value(), req.body);
    }
  }
  std::string error_url;
  if (filtered > 0) {
    const std::string file = "__shard_0/error_log_insert_stmt_" + std::to_string(txn.id);
    std::string log;
    for (const std::string& r : reasons) log += r + "\n";
    error_logs_[file] = log;
    error_url =
        "http://127.0.0.1:" + std::to_string(o_.be_port) + "/api/_load_error_log?file=" + file;
  }
  // max_filter_ratio (default 0): the load fails when filtered / total exceeds it.
  if (filtered > 0 &&
      static_cast<double>(filtered) / static_cast<double>(total) > h.max_filter_ratio) {
    txn.state = TxnState::aborted;
    txn.abort_reason = "too many filtered rows";
    txn.changes.clear();
    const int64_t id = txn.id;
    labels_[{db, h.label}] = id;
    record(load_record(txn, TxnState::aborted));
    txns_.emplace(id, std::move(txn));
    return result(&txns_.at(id), h.label, "Fail", "[DATA_QUALITY_ERROR]too many filtered rows",
                  total, total - filtered, filtered, error_url);
  }
  const int64_t id = txn.id;
  labels_[{db, h.label}] = id;
  Txn& stored = txns_.emplace(id, std::move(txn)).first->second;
  const auto now = Clock::now();
  std::string status = "Success";
  if (h.two_phase) {
    // two_phase_commit: the load returns with the transaction PRECOMMITTED; its data is
    // invisible until `_stream_load_2pc` commits it.
    record(load_record(stored, TxnState::precommitted));
    stored.state = TxnState::precommitted;
    stored.precommitted_at = now;
  } else {
    record(load_record(stored, TxnState::committed));
    const bool publish_timeout = publish_timeouts_ > 0;
    if (publish_timeout) {
      --publish_timeouts_;
      status = "Publish Timeout";  // committed, visible later
    }
    if (async_commit) {
      stored.state = TxnState::committed;  // in the WAL; published by tick()
      stored.publish_at = now + o_.group_commit_interval;
    } else {
      make_visible(stored, now, publish_timeout);
    }
  }
  Reply r = result(&stored, h.label, status, "OK", total, total - filtered, filtered, error_url);
  if (lose_loads_ > 0) {
    --lose_loads_;
    r.reset = true;  // the load happened; its answer is lost in the network
  }
  return r;
}

Reply DorisServer::two_phase(const HttpRequest& req, const std::string& db) {
  // `_stream_load_2pc`: headers txn_operation (commit|abort) and txn_id or label.
  const std::string* op = req.header("txn_operation");
  if (op == nullptr || (lower_ascii(*op) != "commit" && lower_ascii(*op) != "abort")) {
    return txn_answer(false, "errCode = 2, detailMessage = txn_operation must be commit or abort");
  }
  const bool commit = lower_ascii(*op) == "commit";
  Txn* txn = nullptr;
  std::string what;
  if (const std::string* id_text = req.header("txn_id")) {
    int64_t id = 0;
    if (std::from_chars(id_text->data(), id_text->data() + id_text->size(), id).ec != std::errc()) {
      return txn_answer(false, "errCode = 2, detailMessage = invalid txn_id " + *id_text);
    }
    auto it = txns_.find(id);
    if (it != txns_.end() && it->second.db == db) txn = &it->second;
    what = "transaction [" + *id_text + "]";
  } else if (const std::string* label = req.header("label")) {
    txn = txn_by_label(db, *label);
    what = "label [" + *label + "]";
  } else {
    return txn_answer(false, "errCode = 2, detailMessage = txn_id or label is required");
  }
  if (txn == nullptr)
    return txn_answer(false, "errCode = 2, detailMessage = " + what + " not found");
  const std::string name = "transaction [" + std::to_string(txn->id) + "]";
  if (commit) {
    if (fail_commits_ > 0) {
      --fail_commits_;
      return txn_answer(
          false, "errCode = 2, detailMessage = injected commit failure (test server control port)");
    }
    switch (txn->state) {
      case TxnState::precommitted: break;
      case TxnState::committed:
      case TxnState::visible:
        return txn_answer(false, "errCode = 2, detailMessage = " + name +
                                     " is already visible, not pre-committed.");
      case TxnState::aborted:
        return txn_answer(false, "errCode = 2, detailMessage = " + name +
                                     " is already aborted, abort reason: " + txn->abort_reason);
      case TxnState::prepare:
        return txn_answer(
            false, "errCode = 2, detailMessage = " + name + " is prepare, not pre-committed.");
    }
    const bool publish_timeout = publish_timeouts_ > 0;
    if (publish_timeout) --publish_timeouts_;
    record("{\"commit\":" + std::to_string(txn->id) + "}");
    make_visible(*txn, Clock::now(), publish_timeout);
    if (publish_timeout) {
      return txn_answer(true,
                        name + " commit successfully. publish timeout, data will be visible later");
    }
    return txn_answer(true, name + " commit successfully.");
  }
  switch (txn->state) {
    case TxnState::committed:
    case TxnState::visible:
      return txn_answer(false, "errCode = 2, detailMessage = " + name +
                                   " is already COMMITTED, could not abort.");
    case TxnState::aborted:
      return txn_answer(false, "errCode = 2, detailMessage = " + name +
                                   " is already aborted, abort reason: " + txn->abort_reason);
    default: break;
  }
  abort(*txn, "user abort");
  return txn_answer(true, name + " abort successfully.");
}

Reply DorisServer::load_state(const HttpRequest& req, const std::string& db) {
  // GET /api/{db}/get_load_state?label=: {"data": UNKNOWN|PREPARE|PRECOMMITTED|COMMITTED|
  // VISIBLE|ABORTED}; UNKNOWN for a label never used.
  if (req.method != "GET") return fe_answer(405, "get_load_state must use GET", "null");
  auto it = req.query.find("label");
  if (it == req.query.end() || it->second.empty()) return fe_answer(1, "No label selected", "null");
  if (catalog_.database(db) == nullptr)
    return fe_answer(1, "unknown database, database=" + db, "null");
  const Txn* txn = txn_by_label(db, it->second);
  std::string state = "\"";
  state += txn == nullptr ? "UNKNOWN" : std::string(to_string(txn->state));
  state += "\"";
  return fe_answer(0, "success", state);
}

Reply DorisServer::sql(const HttpRequest& req, const std::string& db) {
  if (req.method != "POST") return fe_answer(405, "the SQL API takes POST", "null");
  simdjson::dom::parser parser;
  auto doc = parser.parse(req.body.data(), req.body.size());
  std::string_view stmt;
  if (doc.error() || doc.value()["stmt"].get(stmt) != simdjson::SUCCESS) {
    return fe_answer(1, "the body must be {\"stmt\": \"...\"}", "null");
  }
  // The session's database must exist; information_schema always does.
  if (db == "information_schema") catalog_.ensure_database(db);
  if (catalog_.database(db) == nullptr) {
    return fe_answer(1, "errCode = 2, detailMessage = Unknown database '" + db + "'", "null");
  }
  auto result = catalog_.execute(db, stmt);
  if (!result) return fe_answer(1, result.error().message, "null");
  if (!result->result_set) {  // DDL: journaled, replayed by running it again
    std::string line;
    json::JsonWriter w(line);
    w.begin_object();
    w.key("sql");
    w.string(stmt);
    w.key("db");
    w.string(db);
    w.end_object();
    record(line);
  }
  std::string data;
  if (result->result_set) {
    data = "{\"type\":\"result_set\",\"meta\":[";
    for (size_t i = 0; i < result->meta.size(); ++i) {
      data += i ? ",{\"name\":" : "{\"name\":";
      json::append_string(data, result->meta[i].first);
      data += ",\"type\":";
      json::append_string(data, result->meta[i].second);
      data += "}";
    }
    data += "],\"data\":[";
    for (size_t r = 0; r < result->rows.size(); ++r) {
      data += r ? ",[" : "[";
      for (size_t c = 0; c < result->rows[r].size(); ++c)
        data += (c ? "," : "") + result->rows[r][c];
      data += "]";
    }
    data += "],\"status\":{},\"time\":0}";
  } else {
    data = "{\"type\":\"exec_status\",\"status\":{}}";
  }
  return fe_answer(0, "success", data);
}

Reply DorisServer::error_log(const HttpRequest& req) {
  auto it = req.query.find("file");
  HttpResponse r;
  r.headers.emplace_back("Content-Type", "text/plain");
  if (it == req.query.end() || !error_logs_.contains(it->second)) {
    r.status = 404;
    r.body = "no such error log";
  } else {
    r.body = error_logs_[it->second];
  }
  return reply(std::move(r));
}

std::string DorisServer::control(std::string_view line) {
  std::lock_guard lock(mu_);
  std::istringstream in{std::string(line)};
  std::string cmd;
  in >> cmd;
  int n = 0;
  const auto count = [&]() -> bool { return static_cast<bool>(in >> n) && n >= 0; };
  if (cmd == "delay" && count()) {
    delay_ = std::chrono::milliseconds(n);
  } else if (cmd == "fail" && count()) {
    fail_loads_ = n;
  } else if (cmd == "reset" && count()) {
    reset_loads_ = n;
  } else if (cmd == "lose" && count()) {
    lose_loads_ = n;
  } else if (cmd == "publish_timeout" && count()) {
    publish_timeouts_ = n;
  } else if (cmd == "fail_commit" && count()) {
    fail_commits_ = n;
  } else if (cmd == "restart_be") {
    // A BE restart loses the load channels of unfinished loads: the FE aborts transactions
    // that are PREPARE or PRECOMMITTED on it.
    int aborted = 0;
    for (auto& [id, txn] : txns_) {
      if (txn.state == TxnState::prepare || txn.state == TxnState::precommitted) {
        abort(txn, "BE restarted");
        ++aborted;
      }
    }
    return "ok aborted " + std::to_string(aborted);
  } else if (cmd == "requests") {
    // Stream Load requests by the port they reached (the FE redirects, the BE loads), and the
    // BE's chunked ones.
    return "ok fe_loads " + std::to_string(fe_loads_) + " be_loads " + std::to_string(be_loads_) +
           " chunked " + std::to_string(chunked_loads_);
  } else if (cmd == "stats") {
    // loads = transactions begun; visible/aborted/precommitted by state; max_commits = the
    // most times one transaction was made visible (1 when nothing was committed twice);
    // sequence_kept = loaded rows that did not replace a stored row with a larger sequence;
    // partial/flexible = loads begun with partial_columns / UPDATE_FLEXIBLE_COLUMNS.
    int visible = 0, aborted = 0, precommitted = 0, max_commits = 0;
    for (const auto& [id, txn] : txns_) {
      visible += txn.state == TxnState::visible;
      aborted += txn.state == TxnState::aborted;
      precommitted += txn.state == TxnState::precommitted;
      max_commits = std::max(max_commits, txn.commits);
    }
    return "ok loads " + std::to_string(txns_.size()) + " visible " + std::to_string(visible) +
           " aborted " + std::to_string(aborted) + " precommitted " + std::to_string(precommitted) +
           " max_commits " + std::to_string(max_commits) + " partial " +
           std::to_string(partial_loads_) + " flexible " + std::to_string(flexible_loads_) +
           " sequence_kept " + std::to_string(sequence_kept_);
  } else {
    return "error unknown command: " + std::string(line);
  }
  return "ok";
}

}  // namespace cdc::testing::doris
