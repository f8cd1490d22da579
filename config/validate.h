// normalize() and validate(): the two steps between parsing and use (RocksDB's Sanitize vs
// Validate). The loader calls both; call them yourself for configs built in code.
#pragma once

#include <vector>

#include "config/pipeline_config.h"
#include "config/problem.h"

namespace cdc::config {

// Fills derived defaults: state_dir = "/var/lib/sluice/<name>" when empty. Logs each change at
// debug level on the "config" logger. Idempotent.
void normalize(PipelineConfig& pipeline);
void normalize(ConfigFile& file);

// Returns every problem: values out of range, bad names and regexes, unsupported datagen types,
// cross-field conflicts (restart.max-backoff < initial-backoff, specific-offset without file or
// gtid-set, timestamp mode without timestamp, empty file sink path), duplicate pipeline names.
// `where` gives positions for the problems; without it they have line 0.
std::vector<Problem> validate(const ConfigFile& file, const LocationMap& where = {});

}  // namespace cdc::config
