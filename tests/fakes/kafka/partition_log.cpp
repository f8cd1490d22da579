#include "tests/fakes/kafka/partition_log.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "cdc/core/byte_reader.h"
#include "tests/fakes/kafka/api.h"

namespace cdc::testing::kafka {

namespace {
int32_t next_sequence(int32_t seq) {
  return seq == std::numeric_limits<int32_t>::max() ? 0 : seq + 1;  // KIP-98: sequences wrap
}
std::span<const std::byte> as_span(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
}  // namespace

PartitionLog::PartitionLog(std::string name, std::string file_path)
    : name_(std::move(name)), file_path_(std::move(file_path)) {}

Result<std::unique_ptr<PartitionLog>> PartitionLog::open(std::string name, std::string file_path,
                                                         std::ostream& diagnostics) {
  std::unique_ptr<PartitionLog> log(new PartitionLog(std::move(name), std::move(file_path)));
  if (log->file_path_.empty()) {
    return log;
  }
  std::string content;
  if (std::ifstream in(log->file_path_, std::ios::binary); in) {
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // Log recovery: replay every whole batch to rebuild offsets, producer state and the
  // aborted-transaction index, as Kafka rebuilds its producer state from the log.
  size_t pos = 0;
  while (pos < content.size()) {
    ByteReader r(std::string_view(content).substr(pos));
    r.skip(kBatchLengthOffset);
    const int32_t len = static_cast<int32_t>(r.u32be());
    if (!r.ok() || len < 0 || static_cast<size_t>(len) > r.remaining()) {
      diagnostics << "kafka_test_broker: " << log->file_path_
                  << ": cutting off a partial batch at byte " << pos << " of " << content.size()
                  << " (broker stopped mid-write)\n";
      std::filesystem::resize_file(log->file_path_, pos);
      content.resize(pos);
      break;
    }
    const std::string bytes = content.substr(pos, kBatchLogOverhead + static_cast<size_t>(len));
    auto h = parse_record_batch(as_span(bytes));
    if (!h) {
      return std::move(h).error().with_context(log->file_path_ + " at byte " + std::to_string(pos));
    }
    std::optional<ControlMarker> marker;
    if (h->control()) {
      CDC_TRY_ASSIGN(marker, parse_control_marker(as_span(bytes)));
    }
    log->batches_.push_back({h->base_offset, h->base_offset + h->last_offset_delta, bytes});
    log->apply(*h, h->base_offset, marker);
    pos += bytes.size();
  }
  log->file_.reset(std::fopen(log->file_path_.c_str(), "ab"));
  if (!log->file_) {
    return make_error(Errc::io, "cannot open " + log->file_path_ + ": " + std::strerror(errno));
  }
  return log;
}

void PartitionLog::apply(const RecordBatchHeader& h, int64_t base_offset,
                         const std::optional<ControlMarker>& marker) {
  next_offset_ = base_offset + h.last_offset_delta + 1;
  if (h.producer_id < 0) {
    return;
  }
  ProducerState& ps = producers_[h.producer_id];
  if (h.producer_epoch != ps.epoch) {
    // A new epoch restarts the sequence at 0 (KIP-98; a marker with a bumped epoch fences
    // the older epoch's batches: their Produce gets INVALID_PRODUCER_EPOCH).
    ps.epoch = h.producer_epoch;
    ps.last_seq = -1;
    ps.recent.clear();
  }
  if (marker) {
    if (!marker->commit && ps.txn_first_offset) {
      aborted_.push_back({h.producer_id, *ps.txn_first_offset, base_offset});
    }
    ps.txn_first_offset.reset();
    return;
  }
  ps.last_seq = h.last_sequence();
  ps.recent.push_back({h.base_sequence, ps.last_seq, base_offset});
  if (ps.recent.size() > kMaxRecent) {
    ps.recent.pop_front();
  }
  if (h.transactional() && !ps.txn_first_offset) {
    ps.txn_first_offset = base_offset;
  }
}

Status PartitionLog::store(std::string bytes, int64_t base_offset, int64_t last_offset) {
  // Into the kernel before the response, not fsynced: Kafka's defaults leave
  // log.flush.interval.messages and log.flush.interval.ms unset and flush in the background
  // (Kafka documentation, "Broker Configs"), so an acknowledged batch survives a killed broker
  // process (the page cache outlives it) and may be lost only with the machine.
  if (file_) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size() ||
        std::fflush(file_.get()) != 0) {
      return make_error(Errc::io, "write to " + file_path_ + ": " + std::strerror(errno));
    }
  }
  batches_.push_back({base_offset, last_offset, std::move(bytes)});
  return {};
}

Result<PartitionLog::AppendResult> PartitionLog::append(std::string batch,
                                                        const RecordBatchHeader& h) {
  if (h.control()) {
    // Only the transaction coordinator writes control batches (KIP-98 "Control messages").
    return AppendResult{.error = err::kInvalidRecord};
  }
  if (h.producer_id >= 0) {
    const auto it = producers_.find(h.producer_id);
    if (it == producers_.end()) {
      if (h.base_sequence != 0) {
        return AppendResult{.error = err::kOutOfOrderSequenceNumber};
      }
    } else {
      const ProducerState& ps = it->second;
      if (h.producer_epoch < ps.epoch) {
        return AppendResult{.error = err::kInvalidProducerEpoch};  // fenced (KIP-98)
      }
      if (h.producer_epoch == ps.epoch) {
        // A retry of a batch that was already appended is acknowledged with its original
        // offset and not appended again (KIP-98 "Idempotent producer").
        for (const RecentBatch& rb : ps.recent) {
          if (rb.first_seq == h.base_sequence && rb.last_seq == h.last_sequence()) {
            return AppendResult{.error = err::kNone, .base_offset = rb.base_offset};
          }
        }
        const int32_t expected = ps.last_seq < 0 ? 0 : next_sequence(ps.last_seq);
        if (h.base_sequence != expected) {
          return AppendResult{.error = err::kOutOfOrderSequenceNumber};
        }
      } else if (h.base_sequence != 0) {
        return AppendResult{.error = err::kOutOfOrderSequenceNumber};  // a new epoch starts at 0
      }
      if (!h.transactional() && ps.txn_first_offset) {
        return AppendResult{.error = err::kInvalidTxnState};
      }
    }
  }
  const int64_t base = next_offset_;
  set_base_offset(batch, base);
  CDC_TRY(store(std::move(batch), base, base + h.last_offset_delta));
  apply(h, base, std::nullopt);
  return AppendResult{.error = err::kNone, .base_offset = base};
}

Result<int64_t> PartitionLog::write_marker(int64_t producer_id, int16_t producer_epoch,
                                           ControlMarker marker, int64_t timestamp_ms) {
  const int64_t offset = next_offset_;
  std::string bytes =
      build_control_batch(offset, producer_id, producer_epoch, marker, timestamp_ms);
  auto h = parse_record_batch(as_span(bytes));
  CDC_CHECK(h.has_value(), "build_control_batch makes a valid batch");
  CDC_TRY(store(std::move(bytes), offset, offset));
  apply(*h, offset, marker);
  return offset;
}

int64_t PartitionLog::last_stable_offset() const {
  int64_t lso = next_offset_;
  for (const auto& [pid, ps] : producers_) {
    if (ps.txn_first_offset) {
      lso = std::min(lso, *ps.txn_first_offset);
    }
  }
  return lso;
}

bool PartitionLog::has_open_txn(int64_t producer_id) const {
  const auto it = producers_.find(producer_id);
  return it != producers_.end() && it->second.txn_first_offset.has_value();
}

FetchedData PartitionLog::read(int64_t offset, int32_t max_bytes, int64_t limit,
                               bool with_aborted) const {
  FetchedData out;
  auto it = std::lower_bound(batches_.begin(), batches_.end(), offset,
                             [](const Stored& s, int64_t o) { return s.last_offset < o; });
  int64_t upper = offset;
  for (; it != batches_.end() && it->base_offset < limit; ++it) {
    if (!out.records.empty() &&
        out.records.size() + it->bytes.size() > static_cast<size_t>(std::max(max_bytes, 0))) {
      break;
    }
    out.records += it->bytes;
    upper = it->last_offset + 1;
  }
  if (with_aborted) {
    for (const AbortedTxn& a : aborted_) {
      if (a.last_offset >= offset && a.first_offset < upper) {
        out.aborted.push_back(a);
      }
    }
  }
  return out;
}

}  // namespace cdc::testing::kafka
