// sluice: the change-data-capture daemon. Subcommands: run, validate, checkpoints, status,
// savepoint, binlog, pgoutput.
// Exit codes: 0 success; 1 a pipeline failed; 2 bad usage or invalid configuration.

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <prometheus/registry.h>

#include "cdc/core/arena.h"
#include "cdc/core/log.h"
#include "cdc/core/text.h"
#include "cdc/daemon/binlog_command.h"
#include "cdc/daemon/control_api.h"
#include "cdc/daemon/control_commands.h"
#include "cdc/daemon/http_endpoint.h"
#include "cdc/daemon/pgoutput_command.h"
#include "cdc/daemon/preflight.h"
#include "cdc/daemon/wiring.h"
#include "config/loader.h"
#include "state/checkpoint_format.h"
#include "state/state_store.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0.0"
#endif

namespace {

using namespace cdc;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr const char* kUsage =
    R"(sluice — change data capture from MySQL/MariaDB and PostgreSQL to Kafka, Doris, Redis and files

usage:
  sluice run FILE [--log-level LEVEL]        run the pipelines of FILE until SIGTERM/SIGINT
  sluice run FILE --from-savepoint NAME [--pipeline P] [--yes]
  sluice run FILE --from-checkpoint ID [--pipeline P] [--yes]
                                              start from a savepoint, or from a retained
                                              checkpoint (newer ones are dropped): the changes
                                              after it are delivered again (exactly-once sinks:
                                              needs --yes)
  sluice validate FILE                        check FILE; print every problem (exit 2) or "ok"
  sluice validate --connect FILE              also run the start checks against the servers
                                              (login, settings, privileges, tables, columns,
                                              topics), reading nothing; problems: exit 1
  sluice checkpoints --state-dir DIR [--json] list the retained checkpoints of a state dir
  sluice checkpoints FILE [--json]            the same for every pipeline of FILE
                                              (savepoints included)
  sluice status [FILE | --url URL] [--json]   what a running daemon's pipelines are doing
  sluice savepoint create (FILE | --url URL) [--pipeline P] [--name NAME]
  sluice savepoint list (FILE | --state-dir DIR) [--pipeline P] [--json]
  sluice savepoint delete (FILE | --state-dir DIR | --url URL) [--pipeline P] NAME
  sluice binlog FILE... [options]             decode binlog files from disk into change events
                                              as JSON lines (see sluice binlog --help)
  sluice pgoutput [FILE]                      decode recorded pgoutput messages (hex lines) into
                                              JSON lines, one per message
  sluice --help | --version

options:
  --log-level LEVEL   trace, debug, info (default), warn, error, off
  --log-format FMT    text (default) or json (one object per line)
  SLUICE_CONTROL_TOKEN  the bearer token status/savepoint send with --url

exit codes: 0 success, 1 a pipeline failed (or a server refused a check of validate
--connect), 2 bad usage or invalid configuration
)";

int usage_error(const std::string& message) {
  std::cerr << "sluice: " << message << "\n\n" << kUsage;
  return kExitUsage;
}

// Prints the first config::kShownProblems problems, one per line with control characters and
// bytes that are not UTF-8 escaped (they may come from a garbage file), then the count line.
void print_problems(const std::string& path, const std::vector<std::string>& problems,
                    size_t total) {
  const size_t shown = std::min(problems.size(), config::kShownProblems);
  for (size_t i = 0; i < shown; ++i) std::cerr << printable(problems[i]) << "\n";
  std::cerr << "sluice: " << total << " problem" << (total == 1 ? "" : "s") << " in "
            << printable(path);
  if (total > shown) std::cerr << "; the first " << shown << " are shown";
  std::cerr << "\n";
}

std::optional<config::ConfigFile> load_or_report(const std::string& path) {
  auto outcome = config::load_file(path);
  if (outcome.ok()) return std::move(outcome.config);
  std::vector<std::string> lines;
  for (const auto& problem : outcome.problems) lines.push_back(problem.to_string());
  print_problems(path, lines, lines.size() + outcome.more_problems);
  return std::nullopt;
}

// "FILE: message", or the message alone when it starts with its own place in FILE.
std::string located(const std::string& path, const Error& e) {
  if (e.message.starts_with(path + ":")) return e.message;
  return path + ": " + e.message;
}

// Adapts the RocksDB state store to the runner's checkpoint log for one pipeline.
class StateCheckpointLog final : public pipeline::CheckpointLog {
 public:
  StateCheckpointLog(state::StateStore& store, std::string pipeline, uint32_t retained)
      : store_(store), pipeline_(std::move(pipeline)), retained_(retained) {}
  Result<std::vector<CheckpointRecord>> history() override { return store_.checkpoints(pipeline_); }
  Status record(const CheckpointRecord& r) override {
    return store_.put_checkpoint(pipeline_, r, retained_);
  }

 private:
  state::StateStore& store_;
  std::string pipeline_;
  uint32_t retained_;
};

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// SIGTERM/SIGINT are blocked in main() before any thread exists (RocksDB and librdkafka start
// their own), so every thread inherits the mask and only this one receives them: the first
// becomes a stop request; a second exits at once (the operator insists; nothing is lost,
// the last checkpoint stands).
std::jthread start_signal_thread(std::stop_source stop) {
  const sigset_t set = shutdown_signals();
  return std::jthread([set, stop](std::stop_token self) mutable {
    int received = 0;
    timespec tick{0, 200'000'000};
    while (!self.stop_requested()) {
      siginfo_t info;
      const int sig = sigtimedwait(&set, &info, &tick);
      if (sig < 0) continue;
      if (++received > 1) {
        log::get("daemon")->warn("second {}: exiting now", strsignal(sig));
        std::_Exit(128 + sig);
      }
      log::get("daemon")->info("{}: finishing the in-flight checkpoint", strsignal(sig));
      stop.request_stop();
    }
  });
}

// Without `connect`, what needs no server; with it, also the start checks against the servers
// (daemon::preflight), every problem of every pipeline at once: exit 1 when a server refuses.
int cmd_validate(const std::string& path, bool connect) {
  auto file = load_or_report(path);
  if (!file) return kExitUsage;
  std::vector<std::string> problems;
  for (const auto& p : file->pipelines) {
    for (const Error& e : daemon::check_pipeline(p)) problems.push_back(located(path, e));
  }
  if (!problems.empty()) {
    print_problems(path, problems, problems.size());
    return kExitUsage;
  }
  if (connect) {
    for (const auto& p : file->pipelines) {
      for (const Error& e : daemon::preflight(p)) problems.push_back(located(path, e));
    }
    if (!problems.empty()) {
      print_problems(path, problems, problems.size());
      return kExitFailed;
    }
  }
  std::cout << path << ": ok (" << file->pipelines.size() << " pipeline"
            << (file->pipelines.size() == 1 ? "" : "s") << (connect ? ", servers checked" : "")
            << ")\n";
  return kExitOk;
}

int print_checkpoints(const std::string& dir, bool as_json) {
  auto store = state::StateStore::open(dir, state::OpenMode::read_only);
  if (!store) {
    std::cerr << "sluice: " << store.error().message << "\n";
    return kExitFailed;
  }
  auto text = state::format_checkpoints(
      **store, as_json ? state::OutputFormat::json : state::OutputFormat::table);
  if (!text) {
    std::cerr << "sluice: " << text.error().message << "\n";
    return kExitFailed;
  }
  std::cout << *text;
  return kExitOk;
}

struct RunFlags {
  std::string from_savepoint;               // --from-savepoint
  std::optional<uint64_t> from_checkpoint;  // --from-checkpoint: a retained checkpoint's id
  std::string pipeline;                     // --pipeline: which pipeline the savepoint is of
  bool yes = false;                         // --yes: the re-delivery of a replay is intended
  bool replays() const { return !from_savepoint.empty() || from_checkpoint.has_value(); }
  std::string replay_option() const {
    return from_checkpoint ? "--from-checkpoint" : "--from-savepoint";
  }
  std::string replay_point() const {
    return from_checkpoint ? "checkpoint " + std::to_string(*from_checkpoint)
                           : "savepoint '" + from_savepoint + "'";
  }
};

// The pipeline --from-savepoint or --from-checkpoint applies to; nullptr (after saying why)
// when none fits.
const config::PipelineConfig* replayed_pipeline(const config::ConfigFile& file,
                                                const RunFlags& flags) {
  const config::PipelineConfig* found = nullptr;
  for (const auto& p : file.pipelines) {
    if (flags.pipeline.empty() ? file.pipelines.size() == 1 : p.pipeline.name == flags.pipeline)
      found = &p;
  }
  if (found == nullptr) {
    std::cerr << "sluice: " << flags.replay_option() << ": "
              << (flags.pipeline.empty() ? "the file has several pipelines: name one with "
                                           "--pipeline NAME"
                                         : "no pipeline named '" + flags.pipeline + "'")
              << "\n";
    return nullptr;
  }
  if (found->pipeline.delivery == config::Delivery::exactly_once && !flags.yes) {
    std::cerr << "sluice: pipeline '" << found->pipeline.name
              << "' delivers exactly once, and starting from " << flags.replay_point()
              << " deliberately delivers the changes after it again (the sink keeps what it "
                 "has"
              << (flags.from_checkpoint ? "; the newer checkpoints are dropped" : "")
              << "). Pass --yes to do that.\n";
    return nullptr;
  }
  return found;
}

// --from-checkpoint ID: the retained checkpoint ID, after the newer ones (a damaged one among
// them, typically) are dropped so that the sink's open() and the next ids start from it. Its
// record goes to `out`; another exit code than kExitOk when it cannot be used, after saying why.
int start_checkpoint(state::StateStore& store, const std::string& key, uint64_t id,
                     const std::string& name, const std::string& state_dir,
                     std::optional<CheckpointRecord>& out) {
  auto logger = log::get("daemon");
  auto cp = store.checkpoint(key, id);
  if (!cp) {
    logger->error("[pipeline={}] {}", name, cp.error().message);
    return kExitFailed;
  }
  if (!*cp) {
    std::cerr << "sluice: pipeline '" << name << "' has no retained checkpoint " << id << " in "
              << state_dir << " (sluice checkpoints --state-dir " << state_dir << ")\n";
    return kExitUsage;
  }
  auto dropped = store.drop_checkpoints_after(key, id);
  if (!dropped) {
    logger->error("[pipeline={}] {}", name, dropped.error().message);
    return kExitFailed;
  }
  std::string ids;
  for (uint64_t n : *dropped) ids += (ids.empty() ? "" : ", ") + std::to_string(n);
  if (!ids.empty()) {
    logger->warn("[pipeline={}] --from-checkpoint {}: dropped the newer checkpoints {}", name, id,
                 ids);
  }
  out = std::move(**cp);
  return kExitOk;
}

int cmd_run(const std::string& path, const RunFlags& flags) {
  auto logger = log::get("daemon");
  auto file = load_or_report(path);
  if (!file) return kExitUsage;
  const config::PipelineConfig* replayed = nullptr;
  if (flags.replays()) {
    replayed = replayed_pipeline(*file, flags);
    if (replayed == nullptr) return kExitUsage;
  }

  struct Running {
    config::PipelineConfig config;
    pipeline::PipelineParts parts;
    std::unique_ptr<state::StateStore> store;
    std::unique_ptr<StateCheckpointLog> log;
    std::unique_ptr<pipeline::PipelineMetrics> metrics;
    pipeline::PipelineControl control;
    std::stop_source stop;  // this pipeline's: the daemon's stop, or the control API's
    std::unique_ptr<pipeline::PipelineRunner> runner;
    Status result;
  };
  auto registry = std::make_shared<prometheus::Registry>();
  std::vector<std::unique_ptr<Running>> pipelines;
  // Everything that can be refused is refused before any connection is opened.
  for (auto& config : file->pipelines) {
    auto r = std::make_unique<Running>();
    r->config = config;
    auto parts = daemon::make_parts(config, registry.get());
    if (!parts) {
      std::cerr << printable(located(path, parts.error())) << "\n";
      return kExitUsage;
    }
    r->parts = std::move(*parts);
    pipelines.push_back(std::move(r));
  }
  for (auto& r : pipelines) {
    const auto& p = r->config.pipeline;
    auto store = state::StateStore::open(p.state_dir);
    if (!store) {
      logger->error("[pipeline={}] {}", p.name, store.error().message);
      return kExitFailed;
    }
    r->store = std::move(*store);
    if (auto st = daemon::use_state_store(r->parts, r->config, *r->store, registry.get()); !st) {
      logger->error("[pipeline={}] {}", p.name, st.error().message);
      return kExitFailed;
    }
    // State keys and the metrics label are the id derived from the name (config/pipeline_id.h).
    const std::string key = daemon::pipeline_key(r->config);
    r->log = std::make_unique<StateCheckpointLog>(*r->store, key, p.checkpoint_retained);
    r->metrics = std::make_unique<pipeline::PipelineMetrics>(*registry, p.id);
    auto options = daemon::runner_options(r->config);
    if (replayed != nullptr && replayed->pipeline.name == p.name && flags.from_checkpoint) {
      const int code = start_checkpoint(*r->store, key, *flags.from_checkpoint, p.name, p.state_dir,
                                        options.start_from);
      if (code != kExitOk) return code;
    } else if (replayed != nullptr && replayed->pipeline.name == p.name) {
      auto sp = r->store->savepoint(key, flags.from_savepoint);
      if (!sp) {
        logger->error("[pipeline={}] {}", p.name, sp.error().message);
        return kExitFailed;
      }
      if (!*sp) {
        std::cerr << "sluice: pipeline '" << p.name << "' has no savepoint '"
                  << flags.from_savepoint << "' in " << p.state_dir << " (sluice savepoint list "
                  << path << ")\n";
        return kExitUsage;
      }
      options.start_from = std::move(**sp);
    }
    r->runner = std::make_unique<pipeline::PipelineRunner>(std::move(options), r->parts, *r->log,
                                                           r->metrics.get(), &r->control);
    if (std::holds_alternative<config::StdoutSinkOptions>(r->config.sink)) {
      logger->info(
          "[pipeline={}] the stdout sink is at-least-once: after a restart it repeats what "
          "followed the last checkpoint",
          p.name);
    }
  }

  std::stop_source stop;
  auto signals = start_signal_thread(stop);

  // One endpoint per distinct address:port; pipelines that name the same one share it.
  std::map<std::pair<std::string, int>, std::unique_ptr<daemon::HttpEndpoint>> endpoints;
  auto all_ready = [&pipelines] {
    for (auto& r : pipelines) {
      if (!r->runner->ready()) return false;
    }
    return true;
  };
  for (auto& r : pipelines) {
    const auto& p = r->config.pipeline;
    if (p.metrics_port == 0) continue;
    auto key = std::make_pair(p.metrics_bind_address, static_cast<int>(p.metrics_port));
    if (endpoints.count(key) != 0) continue;
    // The control API of the pipelines that name this endpoint.
    std::vector<daemon::ControlTarget> targets;
    for (auto& other : pipelines) {
      const auto& o = other->config.pipeline;
      if (o.metrics_bind_address != key.first || o.metrics_port != key.second) continue;
      targets.push_back(daemon::ControlTarget{o.name, daemon::pipeline_key(other->config),
                                              &other->control, other->store.get(), o.control_token,
                                              [rp = other.get()] { rp->stop.request_stop(); }});
    }
    auto api = std::make_shared<daemon::ControlApi>(std::move(targets));
    auto ep = daemon::HttpEndpoint::start(
        key.first, key.second, registry, all_ready,
        [api](const daemon::HttpRequest& req) { return api->handle(req); });
    if (!ep) {
      logger->error("[pipeline={}] {}", p.name, ep.error().message);
      return kExitFailed;
    }
    logger->info("metrics on http://{}:{}/metrics, status page and control API on http://{}:{}/",
                 key.first, (*ep)->port(), key.first, (*ep)->port());
    endpoints.emplace(key, std::move(*ep));
  }

  std::mutex failed_mutex;  // guards nothing but the ordering of failure logs
  {
    std::vector<std::jthread> threads;
    for (auto& r : pipelines) {
      threads.emplace_back([&, rp = r.get()] {
        logger->info("[pipeline={}] starting", rp->config.pipeline.name);
        std::stop_callback daemon_stop(stop.get_token(), [rp] { rp->stop.request_stop(); });
        rp->result = rp->runner->run(rp->stop.get_token());
        if (!rp->result) {
          std::lock_guard lock(failed_mutex);
          logger->error("[pipeline={}] failed: {}", rp->config.pipeline.name,
                        rp->result.error().to_string());
          stop.request_stop();  // one failed pipeline stops the daemon so a supervisor restarts it
        }
      });
    }
  }
  int code = kExitOk;
  for (auto& r : pipelines) {
    if (!r->result) code = kExitFailed;
  }
  logger->info("exiting with code {}", code);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  cdc::tune_allocator_for_arenas();
  const sigset_t signals = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    // `binlog` has options of its own, so it parses everything after its name.
    if (!args.empty() && args[0] == "binlog") {
      return daemon::run_binlog_command(std::vector<std::string>(args.begin() + 1, args.end()));
    }
    if (!args.empty() && args[0] == "pgoutput") {
      return daemon::run_pgoutput_command(std::vector<std::string>(args.begin() + 1, args.end()));
    }
    std::vector<std::string> positional;
    std::string state_dir;
    RunFlags run_flags;
    daemon::ControlCommandArgs control_args;
    bool as_json = false;
    bool connect = false;
    bool log_level_given = false;
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a == "--help" || a == "-h") {
        std::cout << kUsage;
        return kExitOk;
      }
      if (a == "--version") {
        std::cout << "sluice " << SLUICE_VERSION << "\n";
        return kExitOk;
      }
      if (a == "--log-level" || a.rfind("--log-level=", 0) == 0) {
        std::string level;
        if (a == "--log-level") {
          if (i + 1 >= args.size()) return usage_error("--log-level needs a value");
          level = args[++i];
        } else {
          level = a.substr(12);
        }
        if (!log::set_level(level)) return usage_error("unknown log level '" + level + "'");
        log_level_given = true;
      } else if (a == "--log-format") {
        if (i + 1 >= args.size()) return usage_error("--log-format needs text or json");
        if (!log::set_format(args[++i])) {
          return usage_error("unknown log format '" + args[i] + "' (text or json)");
        }
      } else if (a == "--url" || a == "--from-savepoint" || a == "--pipeline" || a == "--name") {
        if (i + 1 >= args.size()) return usage_error(a + " needs a value");
        const std::string& v = args[++i];
        if (a == "--url") control_args.url = v;
        if (a == "--from-savepoint") run_flags.from_savepoint = v;
        if (a == "--pipeline") run_flags.pipeline = control_args.pipeline = v;
        if (a == "--name") control_args.name = v;
      } else if (a == "--from-checkpoint") {
        if (i + 1 >= args.size()) return usage_error(a + " needs a checkpoint id");
        const std::string& v = args[++i];
        uint64_t id = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
        if (ec != std::errc() || end != v.data() + v.size() || id == 0) {
          return usage_error(
              "--from-checkpoint needs a checkpoint id (a number from `sluice "
              "checkpoints`), got '" +
              v + "'");
        }
        run_flags.from_checkpoint = id;
      } else if (a == "--yes") {
        run_flags.yes = true;
      } else if (a == "--state-dir") {
        if (i + 1 >= args.size()) return usage_error("--state-dir needs a directory");
        state_dir = args[++i];
      } else if (a == "--json") {
        as_json = true;
      } else if (a == "--connect") {
        connect = true;
      } else if (a.rfind("--", 0) == 0) {
        return usage_error("unknown option '" + a + "'");
      } else {
        positional.push_back(a);
      }
    }
    if (positional.empty()) return usage_error("missing command");
    const std::string& cmd = positional[0];
    if (connect && cmd != "validate") return usage_error("--connect is an option of validate");
    if (cmd != "run" && (run_flags.replays() || run_flags.yes)) {
      return usage_error("--from-savepoint, --from-checkpoint and --yes are options of run");
    }
    if (!run_flags.from_savepoint.empty() && run_flags.from_checkpoint) {
      return usage_error("--from-savepoint and --from-checkpoint exclude each other");
    }
    if (cmd == "run" || cmd == "validate") {
      if (positional.size() != 2) return usage_error(cmd + " takes exactly one FILE");
      if (cmd == "run") return cmd_run(positional[1], run_flags);
      // The problems are the output: the clients' progress lines would only interleave.
      if (!log_level_given) (void)log::set_level("warn");  // a known level: cannot fail
      return cmd_validate(positional[1], connect);
    }
    if (cmd == "checkpoints") {
      if (!state_dir.empty() && positional.size() == 1)
        return print_checkpoints(state_dir, as_json);
      if (state_dir.empty() && positional.size() == 2) {
        auto file = load_or_report(positional[1]);
        if (!file) return kExitUsage;
        int code = kExitOk;
        for (const auto& p : file->pipelines)
          code = std::max(code, print_checkpoints(p.pipeline.state_dir, as_json));
        return code;
      }
      return usage_error("checkpoints takes --state-dir DIR or a FILE");
    }
    if (cmd == "status" || cmd == "savepoint") {
      control_args.json = as_json;
      control_args.state_dir = state_dir;
      const size_t verb = cmd == "savepoint" ? 1 : 0;
      if (positional.size() <= verb) return usage_error("savepoint takes create, list or delete");
      std::vector<std::string> rest(positional.begin() + 1 + static_cast<long>(verb),
                                    positional.end());
      std::string operand;
      if (verb == 1 && positional[1] == "delete" && !rest.empty()) {
        operand = rest.back();
        rest.pop_back();
      }
      if (rest.size() > 1) return usage_error(cmd + ": one FILE at most");
      if (!rest.empty()) control_args.file = rest.front();
      if (cmd == "status") {
        if (!log_level_given) (void)log::set_level("warn");  // a known level: cannot fail
        return daemon::cmd_status(control_args);
      }
      return daemon::cmd_savepoint(positional[1], control_args, operand);
    }
    return usage_error("unknown command '" + cmd + "'");
  } catch (const std::exception& e) {
    std::cerr << "sluice: internal error: " << e.what() << "\n";
    return kExitFailed;
  }
}
