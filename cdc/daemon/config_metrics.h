// The pipeline's configuration as Prometheus series, set once by make_parts, so that dashboards
// and alert rules can relate the runtime series to it: sluice_pipeline_info{pipeline, name,
// source, sink, delivery} = 1 (`name` is the free-text pipeline.name, `pipeline` its id),
// sluice_checkpoint_interval_seconds, sluice_queue_capacity_events and _bytes. The values live
// in the registry; nothing is kept here.
#pragma once

#include <prometheus/registry.h>

#include "config/pipeline_config.h"

namespace cdc::daemon {

void publish_config_metrics(prometheus::Registry& registry, const config::PipelineConfig& config);

}  // namespace cdc::daemon
