#include "cdc/daemon/control_commands.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "cdc/core/json/json_writer.h"
#include "cdc/core/text.h"
#include "cdc/daemon/http_client.h"
#include "cdc/daemon/http_request.h"
#include "cdc/daemon/wiring.h"
#include "config/loader.h"
#include "state/checkpoint_format.h"
#include "state/state_store.h"

namespace cdc::daemon {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

int fail(const std::string& message, int code = kExitFailed) {
  std::cerr << "sluice: " << printable(message) << "\n";
  return code;
}

// The pipeline of `file` named by --pipeline, or its only one.
Result<config::PipelineConfig> pick_pipeline(const std::string& file, const std::string& name) {
  auto outcome = config::load_file(file);
  if (!outcome.ok()) {
    std::string first = outcome.problems.empty() ? "" : outcome.problems.front().to_string();
    return make_error(Errc::invalid_config, file + ": not a valid pipeline file: " + first);
  }
  auto& pipelines = outcome.config->pipelines;
  if (!name.empty()) {
    for (auto& p : pipelines) {
      if (p.pipeline.name == name) return p;
    }
    return make_error(Errc::invalid_config, file + " has no pipeline named '" + name + "'");
  }
  if (pipelines.size() != 1) {
    return make_error(Errc::invalid_config, file + " has " + std::to_string(pipelines.size()) +
                                                " pipelines: name one with --pipeline NAME");
  }
  return pipelines.front();
}

struct Endpoint {
  std::string base;   // http://host:port
  std::string token;  // for state-changing calls
};

Result<Endpoint> endpoint_of(const ControlCommandArgs& args) {
  Endpoint e;
  if (const char* env = std::getenv("SLUICE_CONTROL_TOKEN")) e.token = env;
  if (!args.url.empty()) {
    e.base = args.url;
    while (e.base.ends_with('/')) e.base.pop_back();
    return e;
  }
  if (args.file.empty()) {
    return make_error(Errc::invalid_config, "name the daemon: a pipeline FILE or --url URL");
  }
  CDC_TRY_ASSIGN(auto p, pick_pipeline(args.file, args.pipeline));
  if (p.pipeline.metrics_port == 0) {
    return make_error(Errc::invalid_config,
                      args.file + ": pipeline.metrics.port is 0, so the control API is off");
  }
  std::string host = p.pipeline.metrics_bind_address;
  if (host == "0.0.0.0") host = "127.0.0.1";  // listening everywhere: ask it locally
  e.base = "http://" + host + ":" + std::to_string(p.pipeline.metrics_port);
  if (!p.pipeline.control_token.empty()) e.token = p.pipeline.control_token;
  return e;
}

// The pipeline name for an API path: --pipeline, else the file's only pipeline, else the
// daemon's only one (asked).
Result<std::string> api_pipeline(const ControlCommandArgs& args, const Endpoint& e) {
  if (!args.pipeline.empty()) return args.pipeline;
  if (!args.file.empty()) {
    CDC_TRY_ASSIGN(auto p, pick_pipeline(args.file, ""));
    return p.pipeline.name;
  }
  CDC_TRY_ASSIGN(auto answer, http_call("GET", e.base + "/api/v1/pipelines"));
  simdjson::dom::parser parser;
  simdjson::dom::array list;
  if (parser.parse(answer.body).at_key("pipelines").get(list) != simdjson::SUCCESS) {
    return make_error(Errc::malformed, e.base + " did not answer with a pipeline list");
  }
  if (list.size() != 1) {
    return make_error(Errc::invalid_config, e.base + " runs " + std::to_string(list.size()) +
                                                " pipelines: name one with --pipeline NAME");
  }
  std::string_view name;
  if (list.at(0).at_key("name").get(name) != simdjson::SUCCESS) {
    return make_error(Errc::malformed, e.base + ": a pipeline without a name");
  }
  return std::string(name);
}

// Prints the answer's body; an error answer goes to stderr with its message.
int report(const Result<HttpAnswer>& answer) {
  if (!answer) return fail(answer.error().message);
  if (answer->code >= 200 && answer->code < 300) {
    std::cout << answer->body;
    return kExitOk;
  }
  simdjson::dom::parser parser;
  std::string_view message;
  if (parser.parse(answer->body).at_key("error").get(message) != simdjson::SUCCESS) {
    message = answer->body;
  }
  return fail("HTTP " + std::to_string(answer->code) + ": " + std::string(message));
}

std::string text_of(simdjson::dom::element e) {
  if (e.is_null()) return "-";
  if (e.is_string()) return std::string(e.get_string().value_unsafe());
  if (e.is_double()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", e.get_double().value_unsafe());
    return buf;
  }
  if (e.is_int64()) return std::to_string(e.get_int64().value_unsafe());
  if (e.is_uint64()) return std::to_string(e.get_uint64().value_unsafe());
  return simdjson::to_string(e);
}

std::string field(simdjson::dom::element e, std::initializer_list<const char*> path) {
  for (const char* key : path) {
    if (!e.is_object()) return "-";
    simdjson::dom::element next;
    if (e.at_key(key).get(next) != simdjson::SUCCESS) return "-";
    e = next;
  }
  return text_of(e);
}

// Aligned columns, two spaces apart; the first row is the header.
void print_table(const std::vector<std::vector<std::string>>& cells) {
  std::vector<size_t> widths(cells.front().size(), 0);
  for (const auto& line : cells) {
    for (size_t col_idx = 0; col_idx < line.size(); ++col_idx) {
      widths[col_idx] = std::max(widths[col_idx], line[col_idx].size());
    }
  }
  for (const auto& line : cells) {
    std::string out;
    for (size_t col_idx = 0; col_idx < line.size(); ++col_idx) {
      out += printable(line[col_idx]);
      if (col_idx + 1 < line.size()) out.append(widths[col_idx] - line[col_idx].size() + 2, ' ');
    }
    std::cout << out << "\n";
  }
}

int print_status_table(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::array list;
  if (parser.parse(body).at_key("pipelines").get(list) != simdjson::SUCCESS) {
    return fail("the daemon's answer is not a pipeline list");
  }
  std::vector<std::vector<std::string>> cells{{"PIPELINE", "STATE", "POSITION", "CHECKPOINT",
                                               "AGE_S", "LAG_S", "EVENTS/S", "QUEUE_FILL",
                                               "LAST_ERROR"}};
  for (simdjson::dom::element p : list) {
    std::string fill = field(p, {"queue", "fill"});
    if (fill != "-") {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.0f%%", 100 * std::strtod(fill.c_str(), nullptr));
      fill = buf;
    }
    std::string error = field(p, {"last_error", "message"});
    if (error != "-") error = field(p, {"last_error", "time"}) + " " + error;
    cells.push_back({field(p, {"name"}), field(p, {"state"}), field(p, {"position"}),
                     field(p, {"last_checkpoint", "id"}),
                     field(p, {"last_checkpoint", "age_seconds"}), field(p, {"lag_seconds"}),
                     field(p, {"events_per_second"}), fill, error});
  }
  print_table(cells);
  return kExitOk;
}

// The state dir and key of the savepoints list/delete work on.
struct StoreTarget {
  std::string dir;
  std::string key;  // "" = every pipeline of the store
};

Result<StoreTarget> store_of(const ControlCommandArgs& args) {
  if (!args.state_dir.empty()) return StoreTarget{args.state_dir, args.pipeline};
  if (args.file.empty()) {
    return make_error(Errc::invalid_config, "name the state: a pipeline FILE or --state-dir DIR");
  }
  CDC_TRY_ASSIGN(auto p, pick_pipeline(args.file, args.pipeline));
  return StoreTarget{p.pipeline.state_dir, pipeline_key(p)};
}

int list_savepoints(const ControlCommandArgs& args) {
  auto target = store_of(args);
  if (!target) return fail(target.error().message, kExitUsage);
  auto store = state::StateStore::open(target->dir, state::OpenMode::read_only);
  if (!store) return fail(store.error().message);
  std::vector<std::string> keys;
  if (target->key.empty()) {
    auto all = (*store)->pipelines();
    if (!all) return fail(all.error().message);
    keys = *all;
  } else {
    keys.push_back(target->key);
  }
  std::vector<std::vector<std::string>> cells{
      {"PIPELINE", "SAVEPOINT", "CHECKPOINT", "WALL_TIME", "POSITION"}};
  std::string json = "[";
  for (const auto& key : keys) {
    auto list = (*store)->savepoints(key);
    if (!list) return fail(list.error().message);
    for (const auto& sp : *list) {
      cells.push_back({key, sp.name, std::to_string(sp.record.id),
                       state::format_wall_time(sp.record.wall_time_ms),
                       to_string(sp.record.position)});
      if (json.size() > 1) json += ",";
      json += "\n  {\"pipeline\":";
      json::append_string(json, key);
      json += ",\"savepoint\":";
      json::append_string(json, sp.name);
      json += ",\"checkpoint_id\":" + std::to_string(sp.record.id) +
              ",\"wall_time_ms\":" + std::to_string(sp.record.wall_time_ms) + "}";
    }
  }
  if (args.json) {
    std::cout << json << (json.size() > 1 ? "\n]\n" : "]\n");
    return kExitOk;
  }
  if (cells.size() == 1) {
    std::cout << "no savepoints\n";
    return kExitOk;
  }
  print_table(cells);
  return kExitOk;
}

}  // namespace

int cmd_status(const ControlCommandArgs& args) {
  auto e = endpoint_of(args);
  if (!e) return fail(e.error().message, kExitUsage);
  std::string url = e->base + "/api/v1/pipelines";
  auto answer = http_call("GET", url);
  if (!answer) return fail(answer.error().message);
  if (answer->code != 200) return report(answer);
  if (args.json) {
    std::cout << answer->body;
    return kExitOk;
  }
  return print_status_table(answer->body);
}

int cmd_savepoint(const std::string& verb, const ControlCommandArgs& args,
                  const std::string& operand) {
  if (verb == "list") return list_savepoints(args);
  if (verb == "create") {
    auto e = endpoint_of(args);
    if (!e) return fail(e.error().message, kExitUsage);
    auto name = api_pipeline(args, *e);
    if (!name) return fail(name.error().message, kExitUsage);
    std::string url = e->base + "/api/v1/pipelines/" + percent_encode(*name) + "/savepoint";
    if (!args.name.empty()) url += "?name=" + percent_encode(args.name);
    return report(http_call("POST", url, e->token));
  }
  if (verb == "delete") {
    if (operand.empty()) return fail("savepoint delete needs the savepoint's NAME", kExitUsage);
    auto through_daemon = [&] {
      auto e = endpoint_of(args);
      if (!e) return fail(e.error().message, kExitUsage);
      auto name = api_pipeline(args, *e);
      if (!name) return fail(name.error().message, kExitUsage);
      return report(http_call("DELETE",
                              e->base + "/api/v1/pipelines/" + percent_encode(*name) +
                                  "/savepoints/" + percent_encode(operand),
                              e->token));
    };
    if (!args.url.empty()) return through_daemon();
    auto target = store_of(args);
    if (!target) return fail(target.error().message, kExitUsage);
    if (target->key.empty()) return fail("name the pipeline with --pipeline NAME", kExitUsage);
    auto store = state::StateStore::open(target->dir);
    // The running daemon holds the store's lock: with its pipeline file the daemon is known, so
    // it deletes the savepoint itself (the same call as --url).
    if (!store && store.error().code == Errc::unavailable && !args.file.empty()) {
      return through_daemon();
    }
    if (!store) {
      return fail(store.error().message +
                  (store.error().code == Errc::unavailable
                       ? " (while the daemon runs, delete through it: FILE or --url URL)"
                       : ""));
    }
    if (auto st = (*store)->delete_savepoint(target->key, operand); !st) {
      return fail(st.error().message);
    }
    std::cout << "deleted savepoint " << printable(operand) << "\n";
    return kExitOk;
  }
  return fail("savepoint takes create, list or delete, not '" + verb + "'", kExitUsage);
}

}  // namespace cdc::daemon
