// The pipeline's offsets topic (`<pipeline>.offsets`, compacted, one partition, key = pipeline
// name) read back at open(): its last committed OffsetRecord, and from it and the state store's
// history the checkpoint the sink resumes from. The records themselves are produced by the
// KafkaSink inside its transactions. Called from the sink thread only.
#pragma once

#include <optional>
#include <span>

#include "cdc/core/checkpoint.h"
#include "cdc/core/result.h"
#include "sinks/kafka/kafka_options.h"
#include "sinks/kafka/offset_record.h"

namespace cdc::sinks::kafka {

// The last record for options.pipeline on options.offsets_topic, read_committed, by a consumer
// of its own that lives for the call (at most options.operation_timeout); nullopt for none or a
// tombstone (an operator reset the pipeline). Errc::unavailable, Errc::timeout or
// Errc::malformed naming the topic (and the offset of a record that does not decode).
Result<std::optional<OffsetRecord>> read_offsets_topic(const KafkaOptions& options);

// Where the sink resumes, given the record read back (`stored`) and the state store's
// checkpoints (`history`, newest first). Exactly-once trusts Kafka and refuses a state store
// that is ahead of a topic holding nothing; at-least-once trusts the state store.
Result<std::optional<CheckpointRecord>> resume_checkpoint(
    const KafkaOptions& options, const std::optional<OffsetRecord>& stored,
    std::span<const CheckpointRecord> history);

}  // namespace cdc::sinks::kafka
