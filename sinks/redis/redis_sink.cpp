#include "sinks/redis/redis_sink.h"

#include <chrono>

#include "cdc/core/log.h"

namespace cdc::sinks::redis {

namespace {
// A lost race between our WATCH and EXEC while claiming (another instance opening at the same
// moment) is retried this many times before giving up with a retryable error.
constexpr int kClaimAttempts = 5;
}  // namespace

Result<std::unique_ptr<RedisSink>> RedisSink::create(RedisOptions options,
                                                     std::shared_ptr<RedisMetrics> metrics) {
  CDC_TRY_ASSIGN(CommandBuilder builder, CommandBuilder::create(options));
  return std::unique_ptr<RedisSink>(
      new RedisSink(std::move(options), std::move(builder), std::move(metrics)));
}

RedisSink::RedisSink(RedisOptions options, CommandBuilder builder,
                     std::shared_ptr<RedisMetrics> metrics)
    : options_(std::move(options)), builder_(std::move(builder)), metrics_(std::move(metrics)) {}

Error RedisSink::refused(std::string_view command, const redisReply& r) const {
  return make_error(error_reply_code(reply_text(r)), "redis " + connection_->name() + " refused " +
                                                         std::string(command) + ": " +
                                                         std::string(reply_text(r)));
}

Result<std::optional<OffsetRecord>> RedisSink::read_offset() {
  CDC_TRY_ASSIGN(Reply r, connection_->command({"GET", options_.offset_key}));
  if (r->type == REDIS_REPLY_NIL) return std::optional<OffsetRecord>();
  if (r->type != REDIS_REPLY_STRING) {
    return make_error(Errc::malformed,
                      "redis offset key '" + options_.offset_key + "' holds no string");
  }
  CDC_TRY_ASSIGN(OffsetRecord record,
                 decode_offset(std::string_view(r->str, r->len), options_.offset_key));
  return std::optional<OffsetRecord>(std::move(record));
}

Status RedisSink::claim(const std::optional<OffsetRecord>& current) {
  OffsetRecord next = current.value_or(OffsetRecord{});
  next.epoch += 1;
  CommandBuffer tx;
  tx.command(CommandType::other, {"MULTI"});
  const std::string bytes = encode_offset(next);
  tx.command(CommandType::other, {"SET", options_.offset_key, bytes});
  tx.command(CommandType::other, {"EXEC"});
  connection_->append(tx.bytes());
  for (int i = 0; i < 2; ++i) {
    CDC_TRY_ASSIGN(Reply r, connection_->read());
    if (r->type == REDIS_REPLY_ERROR)
      return refused(i == 0 ? "MULTI" : "SET of the offset key", *r);
  }
  CDC_TRY_ASSIGN(Reply exec, connection_->read());
  if (exec->type == REDIS_REPLY_NIL) {
    return make_error(Errc::unavailable, "another instance changed offset key '" +
                                             options_.offset_key +
                                             "' while this one was claiming it");
  }
  if (exec->type != REDIS_REPLY_ARRAY) return refused("EXEC of the offset claim", *exec);
  epoch_ = next.epoch;
  return {};
}

Result<std::optional<CheckpointRecord>> RedisSink::open(std::span<const CheckpointRecord> history) {
  auto logger = log::get("sink.redis");
  connection_.reset();
  buffer_.clear();
  CDC_TRY_ASSIGN(RedisConnection conn, RedisConnection::connect(options_));
  connection_.emplace(std::move(conn));
  if (metrics_) metrics_->connected();

  std::optional<OffsetRecord> current;
  for (int attempt = 1;; ++attempt) {
    CDC_TRY(connection_->command({"WATCH", options_.offset_key}));
    CDC_TRY_ASSIGN(current, read_offset());
    // A key with no checkpoint (claimed, never written) is as empty as no key at all.
    if ((!current || current->checkpoint_id == 0) && !history.empty()) {
      return make_error(
          Errc::malformed,
          "redis " + connection_->name() + " holds no checkpoint in offset key '" +
              options_.offset_key + "' but the state store has checkpoint " +
              std::to_string(history.front().id) +
              ": the data this pipeline wrote is gone (FLUSHALL, another database, a restart "
              "without persistence?). Remove pipeline.state.dir to start over");
    }
    auto st = claim(current);
    if (st) break;
    if (st.error().code != Errc::unavailable || attempt == kClaimAttempts)
      return std::move(st).error();
  }

  last_id_ =
      std::max(current ? current->checkpoint_id : 0, history.empty() ? 0 : history.front().id);
  if (!current || current->checkpoint_id == 0) {
    logger->info("[pipeline={}] redis {}: no offset yet in '{}'; epoch {}", options_.pipeline,
                 connection_->name(), options_.offset_key, epoch_);
    return std::optional<CheckpointRecord>();
  }
  if (history.empty()) {
    logger->info(
        "[pipeline={}] the state store has no checkpoint; resuming from redis offset key '{}' "
        "(checkpoint {})",
        options_.pipeline, options_.offset_key, current->checkpoint_id);
  } else if (history.front().id > current->checkpoint_id) {
    // Redis is the truth about its own data: it lost its newest writes (a crash between
    // fsyncs), so the changes after its position are written again.
    logger->warn(
        "[pipeline={}] redis offset key '{}' holds checkpoint {}, older than the state "
        "store's {}: redis lost its latest writes; resuming from its position",
        options_.pipeline, options_.offset_key, current->checkpoint_id, history.front().id);
  }
  logger->info("[pipeline={}] redis {}: resuming at {} (checkpoint {}, epoch {})",
               options_.pipeline, connection_->name(), to_string(current->position),
               current->checkpoint_id, epoch_);
  return std::optional<CheckpointRecord>(
      CheckpointRecord{current->checkpoint_id, current->position, encode_offset(*current), 0});
}

Status RedisSink::on_idle(const Position& written) {
  if (!connection_ || !options_.exactly_once || buffer_.operations() == 0) return {};
  const OffsetRecord at{epoch_, last_id_ + 1, written};
  return flush(&at);
}

Status RedisSink::write(const Batch& batch) {
  if (!connection_) return make_error(Errc::internal, "redis sink written before open");
  for (const ChangeEvent& e : batch.events) CDC_TRY(builder_.append(e, buffer_));
  if (metrics_ && builder_.skipped_rows() != skipped_reported_) {
    metrics_->skipped_rows.Increment(
        static_cast<double>(builder_.skipped_rows() - skipped_reported_));
    skipped_reported_ = builder_.skipped_rows();
  }
  if (!options_.exactly_once) return flush(nullptr);  // lowest latency: no waiting for a checkpoint
  if (buffer_.operations() >= options_.batch_max_commands) {
    // Its own transaction and position (the batch boundary is a resume point): bounded memory.
    const OffsetRecord at{epoch_, last_id_ + 1, batch.end};
    return flush(&at);
  }
  return {};
}

Result<std::string> RedisSink::prepare(uint64_t id, const Position& position) {
  if (!connection_) return make_error(Errc::internal, "redis sink prepared before open");
  const OffsetRecord at{epoch_, id, position};
  if (options_.exactly_once) {
    CDC_TRY(flush(&at));
  } else {
    CDC_TRY(flush(nullptr));
    const std::string bytes = encode_offset(at);
    CDC_TRY(connection_->command({"SET", options_.offset_key, bytes}));
  }
  last_id_ = id;
  return encode_offset(at);
}

Status RedisSink::read_guard() {
  CDC_TRY_ASSIGN(Reply watch, connection_->read());
  if (watch->type == REDIS_REPLY_ERROR) return refused("WATCH", *watch);
  CDC_TRY_ASSIGN(Reply get, connection_->read());
  if (get->type == REDIS_REPLY_ERROR) return refused("GET of the offset key", *get);
  std::optional<OffsetRecord> now;
  if (get->type == REDIS_REPLY_STRING) {
    CDC_TRY_ASSIGN(now, decode_offset(std::string_view(get->str, get->len), options_.offset_key));
  }
  if (!now || now->epoch != epoch_) {
    // Returning leaves the MULTI open: the connection is dropped with it and Redis executes
    // nothing of a transaction without EXEC.
    const std::string who =
        now ? "epoch " + std::to_string(now->epoch) : "nobody (the key is gone)";
    return make_error(Errc::fenced,
                      "redis offset key '" + options_.offset_key + "' is owned by " + who +
                          ", not this instance (epoch " + std::to_string(epoch_) +
                          "): another sluice runs this pipeline; stopping without writing");
  }
  CDC_TRY_ASSIGN(Reply multi, connection_->read());
  if (multi->type == REDIS_REPLY_ERROR) return refused("MULTI", *multi);
  return {};
}

Status RedisSink::send_buffer(std::string_view expected_status, std::string_view leading,
                              bool guarded) {
  const size_t n = buffer_.size();
  const size_t window = options_.max_in_flight;
  size_t sent = 0;
  // At most max-in-flight commands wait for replies; the window is topped up once half of it
  // is answered, so the socket never runs dry while we read.
  const auto top_up = [&](size_t answered) {
    if (sent < n && sent - answered <= window / 2) {
      const size_t upto = std::min(n, answered + window);
      connection_->append(buffer_.range(sent, upto));
      sent = upto;
    }
  };
  connection_->append(leading);
  top_up(0);
  if (guarded) CDC_TRY(read_guard());  // its replies come first; the data is already on its way
  std::optional<Error> first_error;
  for (size_t answered = 0; answered < n; ++answered) {
    top_up(answered);
    CDC_TRY_ASSIGN(Reply r, connection_->read());
    const bool bad = r->type == REDIS_REPLY_ERROR ||
                     (!expected_status.empty() &&
                      (r->type != REDIS_REPLY_STATUS || reply_text(*r) != expected_status));
    if (bad && !first_error) first_error = refused(buffer_.describe(answered), *r);
  }
  if (first_error) return std::move(*first_error);
  return {};
}

Status RedisSink::flush(const OffsetRecord* at) {
  buffer_.seal();
  if (buffer_.empty() && at == nullptr) return {};
  const auto t0 = std::chrono::steady_clock::now();
  auto fail = [&](Error e) -> Status {
    if (metrics_) metrics_->errors.Increment();
    return e;
  };
  if (at == nullptr) {  // at-least-once: plain pipelined writes
    if (auto st = send_buffer("", {}, false); !st) return fail(std::move(st).error());
  } else {
    // One pipelined exchange: WATCH and GET the offset key (do we still own it?), MULTI, the
    // data, and only after the ownership check the offset SET and EXEC.
    CommandBuffer edge;
    edge.command(CommandType::other, {"WATCH", options_.offset_key});
    edge.command(CommandType::other, {"GET", options_.offset_key});
    edge.command(CommandType::other, {"MULTI"});
    // On any failure the MULTI is left open: the connection is dropped with it (the sink is
    // reopened or the pipeline stops) and Redis executes nothing of the transaction.
    if (auto st = send_buffer("QUEUED", edge.bytes(), true); !st) {
      return fail(std::move(st).error());
    }
    edge.clear();
    const std::string bytes = encode_offset(*at);
    edge.command(CommandType::other, {"SET", options_.offset_key, bytes});
    edge.command(CommandType::other, {"EXEC"});
    connection_->append(edge.bytes());
    auto set = connection_->read();
    if (!set) return fail(std::move(set).error());
    auto exec = connection_->read();
    if (!exec) return fail(std::move(exec).error());
    if ((*set)->type != REDIS_REPLY_STATUS) return fail(refused("SET of the offset key", **set));
    const redisReply& result = **exec;
    if (result.type == REDIS_REPLY_NIL) {
      return fail(
          make_error(Errc::fenced, "redis offset key '" + options_.offset_key +
                                       "' changed during the transaction: another sluice runs "
                                       "this pipeline; nothing of this batch was written"));
    }
    if (result.type != REDIS_REPLY_ARRAY) return fail(refused("EXEC", result));
    for (size_t i = 0; i < result.elements; ++i) {
      if (result.element[i]->type == REDIS_REPLY_ERROR) {
        // Redis does not roll back a transaction whose command fails at run time (WRONGTYPE):
        // the rest of it, offset included, was applied. Stop for an operator.
        const std::string what =
            i < buffer_.size() ? buffer_.describe(i) : std::string("SET of the offset key");
        return fail(make_error(
            Errc::malformed,
            "redis " + connection_->name() + " failed " + what + " inside the transaction of " +
                to_string(at->position) + ": " + std::string(reply_text(*result.element[i])) +
                " (Redis applied the rest of the transaction; fix the key and restart)"));
      }
    }
  }
  if (metrics_) {
    metrics_->count_commands(buffer_);
    metrics_->batch_seconds.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  buffer_.clear();
  return {};
}

}  // namespace cdc::sinks::redis
