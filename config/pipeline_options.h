// The `pipeline:` section: identity, delivery guarantee, checkpoints, queues, metrics, restarts.
// A plain value type. Not reloadable: a change needs a restart.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "config/config_enums.h"

namespace cdc::config {

struct PipelineOptions {
  // `name`: free text (as Flink CDC's job name), 1..200 bytes without control characters,
  // unique in the file. Logs and messages show it. Required.
  std::string name;
  // Derived by normalize() from `name` (config/pipeline_id.h): names the state, the metrics
  // label, the Kafka transactional.id and topics, Doris labels and the Redis offset key, so
  // renaming a pipeline starts it from scratch. Not a key.
  std::string id;
  // `description`: free text, kept for people. Default: "".
  std::string description;
  // `parallelism`: Flink's operator parallelism, >= 1. sluice runs one reader and one writer per
  // pipeline whatever it says (the output is the same); scale out with more pipelines.
  // Default: 1.
  uint32_t parallelism = 1;
  // `local-time-zone`: the zone of the transform expressions' NOW(), TIMESTAMP_LTZ text,
  // DATE_FORMAT, TO_TIMESTAMP, UNIX_TIMESTAMP and FROM_UNIXTIME (Flink CDC's session time zone):
  // "UTC", "+08:00" or an IANA name. Default: "UTC".
  std::string local_time_zone = "UTC";
  // `schema.change.behavior`: Flink CDC's schema evolution mode, lower case; accepted where it
  // names what the sink does (validate.cpp). Default: "" (not given).
  std::string schema_change_behavior;
  // `delivery`: exactly-once | at-least-once. Default: exactly-once.
  Delivery delivery = Delivery::exactly_once;
  // `checkpoint.interval`: time between checkpoints, >= 10ms. Bounds the data repeated under
  // at-least-once and the latency of read_committed consumers under exactly-once. Default: 1s.
  std::chrono::milliseconds checkpoint_interval{1000};
  // `checkpoint.retained`: checkpoints kept in the state store, >= 1. Default: 3.
  uint32_t checkpoint_retained = 3;
  // `state.dir`: directory of the RocksDB state store. Default: "/var/lib/sluice/<name>",
  // filled in by normalize().
  std::string state_dir;
  // `metrics.port`: port of /metrics, /healthz and /readyz, 1..65535; 0 turns them off.
  // Two pipelines of one daemon share the endpoint. Default: 9249.
  uint16_t metrics_port = 9249;
  // `metrics.bind-address`: address the endpoint listens on. Default: "127.0.0.1" (not exposed).
  std::string metrics_bind_address = "127.0.0.1";
  // `control.token`: the bearer token the control API (on the metrics port) requires for the
  // calls that change state (savepoint, pause, resume, stop, snapshot, deleting a savepoint);
  // normally `${ENV_VAR}`. Never logged. Default: "" = no token (the port is on 127.0.0.1).
  std::string control_token;
  // `queue.max-events`: events buffered between source and sink, >= 1. Default: 10000.
  uint64_t queue_max_events = 10'000;
  // `queue.max-bytes`: bytes buffered between source and sink, >= 64kb. With max-events, this
  // bounds memory: a slow sink slows the reader instead. Unit: size (`64mb`). Default: 64mb.
  uint64_t queue_max_bytes = 64ull << 20;
  // `restart.initial-backoff`: wait before the first restart after a retryable failure, doubled
  // (with jitter) per attempt. Default: 1s.
  std::chrono::milliseconds restart_initial_backoff{1000};
  // `restart.max-backoff`: cap of that wait, >= initial-backoff. Default: 60s.
  std::chrono::milliseconds restart_max_backoff{60'000};
  // `restart.max-attempts`: consecutive failed restarts before the pipeline stops.
  // Default: 0 = retry forever.
  uint32_t restart_max_attempts = 0;
  // `route-mode`: all-match (an event goes to every matching `route:` rule's table, as in Flink
  // CDC) | first-match (to the first only). Default: all-match.
  RouteMode route_mode = RouteMode::all_match;
};

}  // namespace cdc::config
