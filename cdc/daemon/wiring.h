// Wiring: turns one validated config::PipelineConfig into the runner's parts (source, sink
// and stage factories) and options. The only place that knows every source and sink type.
#pragma once

#include <prometheus/registry.h>

#include "cdc/pipeline/runner.h"
#include "config/pipeline_config.h"
#include "state/state_store.h"

namespace cdc::daemon {

pipeline::RunnerOptions runner_options(const config::PipelineConfig& config);
// Errc::invalid_config for what validation cannot know yet (a feature of a later release).
// Sinks with their own metrics register them in `registry` when it is not null.
Result<pipeline::PipelineParts> make_parts(const config::PipelineConfig& config,
                                           prometheus::Registry* registry = nullptr);

// Gives the parts' source the pipeline's state store where it keeps state of its own (the MySQL
// source's schema history); other sources are left as they are. `store` outlives `parts`' sources.
Status use_state_store(pipeline::PipelineParts& parts, const config::PipelineConfig& config,
                       state::StateStore& store);

}  // namespace cdc::daemon
