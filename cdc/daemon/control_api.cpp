#include "cdc/daemon/control_api.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "cdc/core/json/json_writer.h"
#include "cdc/core/log.h"
#include "cdc/daemon/status_page.h"
#include "state/checkpoint_format.h"

namespace cdc::daemon {

namespace {

constexpr std::string_view kPrefix = "/api/v1/pipelines";
constexpr auto kPauseWait = std::chrono::seconds(10);

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse json_ok(int code, std::string body) {
  HttpResponse r;
  r.code = code;
  r.body = std::move(body);
  r.body.push_back('\n');
  return r;
}

// Compares in time independent of where the first difference is, so that the answer's timing
// tells nothing about the token.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^
            static_cast<unsigned char>(i < b.size() ? b[i] : static_cast<char>(~a[i]));
  }
  return diff == 0;
}

void write_record(json::JsonWriter& w, const CheckpointRecord& r) {
  w.key("checkpoint_id");
  w.uint64(r.id);
  w.key("position");
  w.string(to_string(r.position));
  w.key("time");
  w.string(state::format_wall_time(r.wall_time_ms));
  w.key("wall_time_ms");
  w.int64(r.wall_time_ms);
}

std::string savepoint_json(std::string_view name, const CheckpointRecord& r) {
  std::string out;
  json::JsonWriter w(out);
  w.begin_object();
  w.key("savepoint");
  w.string(name);
  write_record(w, r);
  w.end_object();
  return out;
}

// {"table", "state", "rows_read", "rows_estimated", "percent"}: percent is 100 once done, and
// from the server's estimate before (capped at 99.9: estimates are statistics, a table may
// hold more rows than estimated), null without one.
void write_table_progress(json::JsonWriter& w, const TableSnapshotProgress& t) {
  w.begin_object();
  w.key("table");
  w.string(t.table.to_string());
  w.key("state");
  w.string(state_name(t.state));
  w.key("rows_read");
  w.uint64(t.rows_read);
  w.key("rows_estimated");
  if (t.rows_estimated) {
    w.uint64(*t.rows_estimated);
  } else {
    w.null();
  }
  w.key("percent");
  if (t.state == TableSnapshotProgress::State::done) {
    w.float64(100);
  } else if (t.rows_estimated && *t.rows_estimated > 0) {
    const double p =
        100.0 * static_cast<double>(t.rows_read) / static_cast<double>(*t.rows_estimated);
    w.float64(std::min(99.9, std::floor(p * 10) / 10));
  } else {
    w.null();
  }
  w.end_object();
}

}  // namespace

HttpResponse json_error(int code, std::string_view message) {
  std::string out;
  json::JsonWriter w(out);
  w.begin_object();
  w.key("error");
  w.string(message);
  w.end_object();
  return json_ok(code, std::move(out));
}

std::string status_json(const std::string& name, const pipeline::PipelineStatus& s, int64_t now) {
  std::string out;
  json::JsonWriter w(out);
  w.begin_object();
  w.key("name");
  w.string(name);
  w.key("state");
  w.string(pipeline::state_name(s.state));
  w.key("position");
  w.string(to_string(s.written));
  w.key("committed_position");
  w.string(to_string(s.committed));
  w.key("last_checkpoint");
  if (s.last_checkpoint_ms == 0) {
    w.null();
  } else {
    w.begin_object();
    w.key("id");
    w.uint64(s.last_checkpoint_id);
    w.key("time");
    w.string(state::format_wall_time(s.last_checkpoint_ms));
    w.key("age_seconds");
    w.float64(static_cast<double>(std::max<int64_t>(0, now - s.last_checkpoint_ms)) / 1000.0);
    w.end_object();
  }
  w.key("lag_seconds");
  if (s.lag_seconds < 0) {
    w.null();
  } else {
    w.float64(s.lag_seconds);
  }
  w.key("events_per_second");
  w.float64(s.events_per_second);
  w.key("events_written");
  w.uint64(s.events_written);
  w.key("queue");
  w.begin_object();
  w.key("events");
  w.uint64(s.queue_events);
  w.key("bytes");
  w.uint64(s.queue_bytes);
  w.key("max_events");
  w.uint64(s.queue_max_events);
  w.key("max_bytes");
  w.uint64(s.queue_max_bytes);
  w.key("fill");  // the fuller of the two bounds, 0..1
  const double by_events = s.queue_max_events == 0 ? 0
                                                   : static_cast<double>(s.queue_events) /
                                                         static_cast<double>(s.queue_max_events);
  const double by_bytes = s.queue_max_bytes == 0 ? 0
                                                 : static_cast<double>(s.queue_bytes) /
                                                       static_cast<double>(s.queue_max_bytes);
  w.float64(std::min(1.0, std::max(by_events, by_bytes)));
  w.end_object();
  w.key("snapshot");
  w.begin_object();
  w.key("reading");
  w.boolean(s.snapshot.reading);
  w.key("table");
  if (s.snapshot_table.empty()) {
    w.null();
  } else {
    w.string(s.snapshot_table);
  }
  w.key("rows");
  w.uint64(s.snapshot.rows);
  w.key("chunks");
  w.uint64(s.snapshot.chunks);
  w.key("tables_done");
  w.uint64(s.snapshot.tables_done);
  w.key("tables_total");
  w.uint64(s.snapshot.tables_total);
  w.key("tables");
  w.begin_array();
  for (const TableSnapshotProgress& t : s.snapshot_tables) write_table_progress(w, t);
  w.end_array();
  w.end_object();
  w.key("restarts");
  w.uint64(s.restarts);
  w.key("source_server");  // the server the source reads from (a failover changes it)
  if (s.source_server.empty()) {
    w.null();
  } else {
    w.string(s.source_server);
  }
  w.key("last_error");
  if (s.last_error_ms == 0) {
    w.null();
  } else {
    w.begin_object();
    w.key("message");
    w.string(s.last_error);
    w.key("time");
    w.string(state::format_wall_time(s.last_error_ms));
    w.end_object();
  }
  w.end_object();
  return out;
}

ControlApi::ControlApi(std::vector<ControlTarget> targets,
                       std::chrono::milliseconds checkpoint_timeout)
    : targets_(std::move(targets)), checkpoint_timeout_(checkpoint_timeout) {}

HttpResponse ControlApi::handle(const HttpRequest& req) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (req.path == "/" || req.path == "/index.html") {
    if (!get) return json_error(405, "the status page only answers GET");
    HttpResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::string(status_page_html());
    return r;
  }
  if (req.path == kPrefix || req.path == std::string(kPrefix) + "/") {
    if (!get) return json_error(405, std::string(kPrefix) + " only answers GET");
    std::string out = "{\"pipelines\":[";
    const int64_t now = now_ms();
    for (size_t idx = 0; idx < targets_.size(); ++idx) {
      if (idx != 0) out.push_back(',');
      out += status_json(targets_[idx].name, targets_[idx].control->status(), now);
    }
    out += "]}";
    return json_ok(200, std::move(out));
  }
  if (!req.path.starts_with(std::string(kPrefix) + "/")) {
    return json_error(404, "no such resource: " + req.path +
                               " (try /, /api/v1/pipelines, /metrics, /healthz, /readyz)");
  }
  // /api/v1/pipelines/{name}[/{action}[/{rest}]]
  std::string_view tail = std::string_view(req.path).substr(kPrefix.size() + 1);
  const size_t slash = tail.find('/');
  std::string name;
  if (!percent_decode(tail.substr(0, slash), name)) {
    return json_error(400, "the pipeline name in the path is not valid percent-encoding");
  }
  std::string_view action;
  std::string_view rest;
  if (slash != std::string_view::npos) {
    action = tail.substr(slash + 1);
    if (const size_t s2 = action.find('/'); s2 != std::string_view::npos) {
      rest = action.substr(s2 + 1);
      action = action.substr(0, s2);
    }
  }
  auto it = std::find_if(targets_.begin(), targets_.end(),
                         [&](const ControlTarget& t) { return t.name == name; });
  if (it == targets_.end()) return json_error(404, "no pipeline named '" + name + "' here");
  if (!get && !it->token.empty()) {
    const std::string_view auth = req.authorization;
    if (!auth.starts_with("Bearer ") || !same_secret(auth.substr(7), it->token)) {
      HttpResponse r =
          json_error(401, "pipeline '" + name + "' needs \"Authorization: Bearer <token>\" for " +
                              req.method + " (pipeline.control.token)" +
                              (auth.empty() ? "" : "; the token given is not it"));
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"sluice\"");
      return r;
    }
  }
  return handle_pipeline(req, *it, action, rest);
}

HttpResponse ControlApi::handle_pipeline(const HttpRequest& req, ControlTarget& t,
                                         std::string_view action, std::string_view rest) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";
  auto logger = log::get("control");
  if (action.empty()) {
    if (!get) return json_error(405, "a pipeline's status only answers GET");
    return json_ok(200, status_json(t.name, t.control->status(), now_ms()));
  }
  if (action == "savepoints") {
    if (get && rest.empty()) {
      auto list = t.store->savepoints(t.state_key);
      if (!list) return json_error(500, list.error().to_string());
      std::string out = "{\"savepoints\":[";
      for (size_t idx = 0; idx < list->size(); ++idx) {
        if (idx != 0) out.push_back(',');
        out += savepoint_json((*list)[idx].name, (*list)[idx].record);
      }
      out += "]}";
      return json_ok(200, std::move(out));
    }
    if (req.method == "DELETE" && !rest.empty()) {
      std::string sp;
      if (!percent_decode(rest, sp)) return json_error(400, "bad percent-encoding in the path");
      if (auto st = t.store->delete_savepoint(t.state_key, sp); !st) {
        return json_error(st.error().code == Errc::invalid_config ? 404 : 500, st.error().message);
      }
      logger->info("[pipeline={}] savepoint '{}' deleted", t.name, sp);
      return json_ok(
          200, "{\"deleted\":" + [&] {
            std::string s;
            json::append_string(s, sp);
            return s;
          }() + "}");
    }
    return json_error(405, "savepoints: GET .../savepoints or DELETE .../savepoints/{name}");
  }
  if (!post) return json_error(405, std::string(action) + " needs POST");
  if (action == "savepoint") return savepoint(t, query_param(req.query, "name"));
  if (action == "pause") {
    t.control->pause();
    if (!t.control->wait_parked(kPauseWait)) {
      return json_error(503, "paused, but the reader did not stop within " +
                                 std::to_string(kPauseWait.count()) + " s");
    }
    logger->info("[pipeline={}] paused via the control API", t.name);
    return json_ok(200, status_json(t.name, t.control->status(), now_ms()));
  }
  if (action == "resume") {
    t.control->resume();
    logger->info("[pipeline={}] resumed via the control API", t.name);
    return json_ok(200, status_json(t.name, t.control->status(), now_ms()));
  }
  if (action == "stop") {
    std::string taken = "null";
    if (query_param(req.query, "savepoint") == "true") {
      HttpResponse sp = savepoint(t, query_param(req.query, "name"));
      if (sp.code != 201) return sp;
      taken = sp.body;
      while (!taken.empty() && taken.back() == '\n') taken.pop_back();
    }
    logger->info("[pipeline={}] stop requested via the control API", t.name);
    t.request_stop();
    return json_ok(202, "{\"stopping\":true,\"savepoint\":" + taken + "}");
  }
  if (action == "snapshot") {
    // ?tables=db.t1,db.t2: the captured tables to read again while streaming.
    std::vector<TableId> tables;
    const std::string list = query_param(req.query, "tables");
    for (size_t at = 0; at <= list.size() && !list.empty();) {
      const size_t comma = std::min(list.find(',', at), list.size());
      const std::string name = list.substr(at, comma - at);
      const size_t dot = name.find('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) {
        return json_error(400, "tables: expected db.table, found '" + name + "'");
      }
      tables.push_back(TableId{name.substr(0, dot), name.substr(dot + 1)});
      at = comma + 1;
    }
    if (tables.empty()) return json_error(400, "snapshot needs ?tables=db.table[,db.table...]");
    if (Status st = t.control->request_snapshot(tables); !st) {
      const Errc code = st.error().code;
      return json_error(code == Errc::unsupported   ? 501
                        : code == Errc::unavailable ? 409
                                                    : 400,
                        st.error().message);
    }
    logger->info("[pipeline={}] re-snapshot of {} table(s) requested via the control API", t.name,
                 tables.size());
    return json_ok(202,
                   "{\"snapshot\":\"requested\",\"tables\":" + std::to_string(tables.size()) + "}");
  }
  return json_error(404, "no action '" + std::string(action) +
                             "': savepoint, savepoints, pause, resume, stop, snapshot");
}

HttpResponse ControlApi::savepoint(ControlTarget& t, std::string name) {
  if (!name.empty()) {
    if (auto problem = state::savepoint_name_problem(name); !problem.empty()) {
      return json_error(400, "savepoint name '" + name + "': " + problem);
    }
    auto existing = t.store->savepoint(t.state_key, name);
    if (!existing) return json_error(500, existing.error().to_string());
    if (*existing) return json_error(409, "savepoint '" + name + "' exists already");
  }
  auto record = t.control->checkpoint_now(checkpoint_timeout_);
  if (!record) return json_error(503, record.error().message);
  if (name.empty()) {
    name = "sp-" + std::to_string(record->id) + "-" + std::to_string(record->wall_time_ms);
  }
  if (auto st = t.store->put_savepoint(t.state_key, name, *record); !st) {
    return json_error(st.error().code == Errc::invalid_config ? 409 : 500, st.error().message);
  }
  log::get("control")->info("[pipeline={}] savepoint '{}' at checkpoint {} ({})", t.name, name,
                            record->id, to_string(record->position));
  return json_ok(201, savepoint_json(name, *record));
}

}  // namespace cdc::daemon
