// RedisSink: keeps Redis keys (string, hash), invalidations or streams in step with the source,
// exactly once by default: each batch of commands and SET <offset key> <position> go in one
// MULTI/EXEC, so Redis always holds the data up to exactly the position its offset key names,
// and open() resumes from there. A large checkpoint is written as several such transactions,
// each with its own position, so memory stays bounded. Every transaction is guarded: WATCH on
// the offset key plus a check of its epoch, which each new instance bumps; a stale instance
// fails with Errc::fenced. Owns its connection. Sink-thread only.
#pragma once

#include <memory>
#include <optional>

#include "cdc/core/sink.h"
#include "sinks/redis/command_builder.h"
#include "sinks/redis/offset_record.h"
#include "sinks/redis/redis_connection.h"
#include "sinks/redis/redis_metrics.h"
#include "sinks/redis/redis_options.h"

namespace cdc::sinks::redis {

class RedisSink final : public Sink {
 public:
  // `metrics` may be null; it is shared with the sinks of later restarts.
  static Result<std::unique_ptr<RedisSink>> create(RedisOptions options,
                                                   std::shared_ptr<RedisMetrics> metrics);

  Result<std::optional<CheckpointRecord>> open(std::span<const CheckpointRecord> history) override;
  Status write(const Batch& batch) override;
  Result<std::string> prepare(uint64_t id, const Position& position) override;
  Status commit(uint64_t id) override { return {}; }
  // Exactly-once: what write() buffered goes out now as its own guarded MULTI/EXEC with the
  // position of the last batch written (as at batch.max-commands), so that readers see it
  // without waiting for the checkpoint. At-least-once writes every batch at once anyway.
  Status on_idle(const Position& written) override;
  void close() override { connection_.reset(); }
  bool exactly_once() const override { return options_.exactly_once; }

 private:
  RedisSink(RedisOptions options, CommandBuilder builder, std::shared_ptr<RedisMetrics> metrics);
  // Reads the offset key (nullopt when absent).
  Result<std::optional<OffsetRecord>> read_offset();
  // Bumps the offset key's epoch (keeping its position) so that older instances are fenced.
  Status claim(const std::optional<OffsetRecord>& current);
  // Writes buffer_ (and, exactly-once, the offset record `at`) to Redis; clears buffer_.
  Status flush(const OffsetRecord* at);
  // Reads the replies of WATCH, GET <offset key>, MULTI; Errc::fenced when the key's epoch is
  // not ours.
  Status read_guard();
  // Sends `leading` then buffer_'s commands pipelined (bounded in flight) and reads their
  // replies (first the guard's, when `guarded`); `expected_status` is the status reply each
  // command must get ("QUEUED" inside MULTI), or "" for any non-error reply.
  Status send_buffer(std::string_view expected_status, std::string_view leading, bool guarded);
  Error refused(std::string_view command, const redisReply& r) const;

  RedisOptions options_;
  CommandBuilder builder_;
  std::shared_ptr<RedisMetrics> metrics_;
  std::optional<RedisConnection> connection_;
  CommandBuffer buffer_;
  uint64_t epoch_ = 0;    // ours, written by claim()
  uint64_t last_id_ = 0;  // newest checkpoint id known to the state store or Redis
  uint64_t skipped_reported_ = 0;
};

}  // namespace cdc::sinks::redis
