// Wiring: turns one validated config::PipelineConfig into the runner's parts (source, sink
// and stage factories) and options. The only place that knows every source and sink type.
#pragma once

#include <prometheus/registry.h>

#include "cdc/pipeline/runner.h"
#include "config/pipeline_config.h"
#include "state/state_store.h"

namespace cdc::daemon {

pipeline::RunnerOptions runner_options(const config::PipelineConfig& config);
// What the pipeline's state (checkpoints, savepoints, schema history) is keyed by in its state
// store: the id derived from the pipeline name (config/pipeline_id.h).
std::string pipeline_key(const config::PipelineConfig& config);
// Every problem of the pipeline that needs no server, beyond config::validate: what this build
// cannot do yet, datagen column types, sink templates and properties, route patterns, and the
// transform rules with their expressions (pipeline::TransformStage::check_rules). Each error
// names the pipeline or its place in the file.
std::vector<Error> check_pipeline(const config::PipelineConfig& config);
// Refuses the first of check_pipeline's problems (Errc::invalid_config).
// Sinks with their own metrics register them in `registry` when it is not null.
Result<pipeline::PipelineParts> make_parts(const config::PipelineConfig& config,
                                           prometheus::Registry* registry = nullptr);

// Gives the parts' source the pipeline's state store where it keeps state of its own (the MySQL
// source's schema history); other sources are left as they are. `store` outlives `parts`' sources.
Status use_state_store(pipeline::PipelineParts& parts, const config::PipelineConfig& config,
                       state::StateStore& store, prometheus::Registry* registry = nullptr);

}  // namespace cdc::daemon
