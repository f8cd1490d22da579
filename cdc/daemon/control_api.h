// ControlApi: the REST API and status page on the daemon's HTTP port (README "Control API"):
//   GET    /                                          the status page (status_page.cpp)
//   GET    /api/v1/pipelines                          every pipeline's status
//   GET    /api/v1/pipelines/{name}                   one pipeline's status
//   POST   /api/v1/pipelines/{name}/savepoint[?name=] take a savepoint
//   GET    /api/v1/pipelines/{name}/savepoints        list them
//   DELETE /api/v1/pipelines/{name}/savepoints/{sp}   delete one
//   POST   /api/v1/pipelines/{name}/pause | resume | snapshot | stop[?savepoint=true]
// {name} is the percent-encoded pipeline name. Answers are JSON; errors are {"error": message}.
// A pipeline with a token answers its state-changing calls (POST, DELETE) only with
// "Authorization: Bearer <token>". `handle` runs on the HTTP thread; the targets' controls and
// stores are thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "cdc/daemon/http_request.h"
#include "cdc/pipeline/pipeline_control.h"
#include "state/state_store.h"

namespace cdc::daemon {

struct ControlTarget {
  std::string name;       // the pipeline's name as configured (free text)
  std::string state_key;  // what its state is keyed by in `store` (daemon::pipeline_key)
  pipeline::PipelineControl* control = nullptr;  // outlives the ControlApi
  state::StateStore* store = nullptr;            // outlives the ControlApi
  std::string token;                             // "" = state-changing calls need none
  std::function<void()> request_stop;            // stops this pipeline's runner
};

class ControlApi {
 public:
  explicit ControlApi(std::vector<ControlTarget> targets,
                      std::chrono::milliseconds checkpoint_timeout = std::chrono::seconds(30));
  HttpResponse handle(const HttpRequest& request);

 private:
  HttpResponse handle_pipeline(const HttpRequest& request, ControlTarget& target,
                               std::string_view action, std::string_view rest);
  HttpResponse savepoint(ControlTarget& target, std::string name);

  std::vector<ControlTarget> targets_;
  std::chrono::milliseconds checkpoint_timeout_;
};

// The JSON object of one pipeline's status, as GET /api/v1/pipelines lists it.
std::string status_json(const std::string& name, const pipeline::PipelineStatus& s, int64_t now_ms);
// {"error": message}.
HttpResponse json_error(int code, std::string_view message);

}  // namespace cdc::daemon
