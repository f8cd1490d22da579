// TRANSACTION_PAYLOAD_EVENT (40, MySQL 8.0.20+ binlog_transaction_compression): its pure
// decoder, the bounded decompression of its payload, and the reader of the events inside it.
// The decoded event borrows the event body; the decompressed buffer is owned by the caller and
// must outlive every span PayloadEventReader hands out. Pure functions; thread-safe.
//
// Format (MySQL libbinlogevents control_events.h Transaction_payload_event and
// codecs/binary.cpp Transaction_payload::decode): right after the common header (the FDE's
// post-header length of 40 is a maximum, not a fixed part) a list of fields, each
//   type (net_field_length) [length (net_field_length) value (net_field_length, in `length` bytes)]
// with type 0 = end mark (no length/value), 1 = payload size, 2 = compression type
// (0 = ZSTD, 255 = NONE), 3 = uncompressed size; unknown types are skipped by their length.
// The payload (payload-size bytes) follows the end mark. Uncompressed, it is the transaction's
// events back to back with normal v4 headers, log_pos 0 and NO checksum trailer (the server
// compresses its transaction cache, and checksums are only added when the cache is written to
// the binlog file: binlog.cc binlog_cache_data::compress / Binlog_event_writer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/mysql/binlog/decode_context.h"

namespace cdc::mysql {

enum class PayloadCompression : uint8_t { zstd = 0, none = 255 };

struct TransactionPayloadEvent {
  PayloadCompression compression = PayloadCompression::none;
  uint64_t uncompressed_size = 0;      // as declared by the event
  std::span<const std::byte> payload;  // the (compressed) bytes, into the event body
};

// `body` is the event after the common header, checksum stripped. Errors: truncated, malformed
// (a field that does not fit its length, a payload size that disagrees with the bytes there
// are, a missing size field), unsupported (a compression type other than ZSTD/NONE).
Result<TransactionPayloadEvent> decode_transaction_payload(std::span<const std::byte> body,
                                                           const DecodeContext& ctx);

// The uncompressed events. Refuses (Errc::unsupported, naming the limit) a declared
// uncompressed size above `max_uncompressed` before allocating; a corrupt ZSTD frame is
// malformed, a frame that ends early or yields a different size than declared is malformed too.
Result<std::vector<std::byte>> decompress_transaction_payload(const TransactionPayloadEvent& ev,
                                                              uint64_t max_uncompressed);

// The context to decode the inner events with: the outer binlog's, with checksums off.
DecodeContext transaction_payload_context(const DecodeContext& outer);

// Walks the raw inner events of an uncompressed payload by their event_size. Each event is
// checked to be whole (header, event_size >= 19, fits the buffer). Borrows `events`.
class PayloadEventReader {
 public:
  explicit PayloadEventReader(std::span<const std::byte> events) : events_(events) {}
  // The next raw event (header included), nullopt after the last. Errc::truncated /
  // Errc::malformed naming the inner event index and its offset in the payload.
  Result<std::optional<std::span<const std::byte>>> next();
  // Events returned so far (= index of the next one).
  size_t index() const { return index_; }
  // Byte offset of the next event in the uncompressed payload.
  size_t offset() const { return offset_; }

 private:
  std::span<const std::byte> events_;
  size_t offset_ = 0;
  size_t index_ = 0;
};

}  // namespace cdc::mysql
