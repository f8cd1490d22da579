// `sluice validate --connect FILE`: per pipeline, the checks `run` makes when it starts, asked of
// the real servers, with nothing read from the source, written to a sink or stored: the
// operator's preflight before a deploy. Runs on the calling thread; blocks up to the sources'
// connect timeouts and the sinks' operation timeouts.
#pragma once

#include <vector>

#include "cdc/core/result.h"
#include "config/pipeline_config.h"

namespace cdc::daemon {

// Every problem found: the source's (login, server settings, privileges, start position,
// captured tables: mysql::MysqlSource::preflight), each captured table through the stages as
// the runner checks them at start (pipeline::check_stages: expressions type-checked against the
// real columns), and the sink's (Redis: connect, AUTH, SELECT, PING; Kafka: metadata and the
// topics it needs, sinks::kafka::preflight). A config check_pipeline refuses is refused first.
std::vector<Error> preflight(const config::PipelineConfig& config);

}  // namespace cdc::daemon
