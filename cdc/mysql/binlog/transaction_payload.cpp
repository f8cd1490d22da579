#include "cdc/mysql/binlog/transaction_payload.h"

#include <zstd.h>

#include <memory>
#include <string>

#include "cdc/core/byte_reader.h"
#include "cdc/mysql/binlog/event_header.h"

namespace cdc::mysql {

namespace {

// codecs/binary.h Transaction_payload::fields.
constexpr uint64_t kFieldEndMark = 0;
constexpr uint64_t kFieldPayloadSize = 1;
constexpr uint64_t kFieldCompressionType = 2;
constexpr uint64_t kFieldUncompressedSize = 3;

struct DctxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

}  // namespace

Result<TransactionPayloadEvent> decode_transaction_payload(std::span<const std::byte> body,
                                                           const DecodeContext& /*ctx*/) {
  ByteReader r(body);
  std::optional<uint64_t> payload_size, uncompressed_size;
  std::optional<uint64_t> compression;
  while (true) {
    const uint64_t type = r.lenenc();
    if (!r.ok()) return r.finish().error().with_context("payload header");
    if (type == kFieldEndMark) break;
    const uint64_t length = r.lenenc();
    if (r.ok() && length > r.remaining()) {
      return make_error(Errc::truncated, "payload header field " + std::to_string(type) + " of " +
                                             std::to_string(length) + " bytes with " +
                                             std::to_string(r.remaining()) + " left");
    }
    ByteReader field = r.sub(static_cast<size_t>(length));
    if (!r.ok()) return r.finish().error().with_context("payload header");
    std::optional<uint64_t>* slot = nullptr;
    switch (type) {
      case kFieldPayloadSize: slot = &payload_size; break;
      case kFieldCompressionType: slot = &compression; break;
      case kFieldUncompressedSize: slot = &uncompressed_size; break;
      default: continue;  // a field of a newer server: skipped by its length, as MySQL does
    }
    const uint64_t value = field.lenenc();
    if (auto st = field.finish(); !st) {
      return std::move(st).error().with_context("payload header field " + std::to_string(type));
    }
    if (slot->has_value()) {
      return make_error(Errc::malformed, "payload header field " + std::to_string(type) + " twice");
    }
    *slot = value;
  }
  if (!payload_size) return make_error(Errc::malformed, "payload header without a payload size");
  if (*payload_size != r.remaining()) {
    return make_error(*payload_size > r.remaining() ? Errc::truncated : Errc::malformed,
                      "payload size " + std::to_string(*payload_size) + " but " +
                          std::to_string(r.remaining()) + " bytes follow the header");
  }
  TransactionPayloadEvent ev;
  const uint64_t c = compression.value_or(static_cast<uint64_t>(PayloadCompression::none));
  if (c == static_cast<uint64_t>(PayloadCompression::zstd)) {
    ev.compression = PayloadCompression::zstd;
    if (!uncompressed_size) {
      return make_error(Errc::malformed, "ZSTD payload header without an uncompressed size");
    }
  } else if (c == static_cast<uint64_t>(PayloadCompression::none)) {
    ev.compression = PayloadCompression::none;
    if (uncompressed_size && *uncompressed_size != *payload_size) {
      return make_error(Errc::malformed, "uncompressed payload of " +
                                             std::to_string(*payload_size) +
                                             " bytes declares an uncompressed size of " +
                                             std::to_string(*uncompressed_size));
    }
  } else {
    return make_error(Errc::unsupported, "payload compression type " + std::to_string(c) +
                                             " (known: 0 = ZSTD, 255 = NONE)");
  }
  ev.uncompressed_size = uncompressed_size.value_or(*payload_size);
  ev.payload = r.bytes(r.remaining());
  CDC_TRY(r.finish());
  return ev;
}

Result<std::vector<std::byte>> decompress_transaction_payload(const TransactionPayloadEvent& ev,
                                                              uint64_t max_uncompressed) {
  if (ev.uncompressed_size > max_uncompressed) {
    return make_error(Errc::unsupported, "transaction payload of " +
                                             std::to_string(ev.uncompressed_size) +
                                             " uncompressed bytes is above the limit of " +
                                             std::to_string(max_uncompressed) +
                                             " (raise source transaction-payload.max-size)");
  }
  if (ev.compression == PayloadCompression::none) {
    return std::vector<std::byte>(ev.payload.begin(), ev.payload.end());
  }
  std::unique_ptr<ZSTD_DCtx, DctxFree> dctx(ZSTD_createDCtx());
  if (!dctx) return make_error(Errc::internal, "ZSTD_createDCtx failed");
  // One byte more than declared, so that a frame yielding more than declared is seen.
  std::vector<std::byte> out(static_cast<size_t>(ev.uncompressed_size) + 1);
  ZSTD_inBuffer in{ev.payload.data(), ev.payload.size(), 0};
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  size_t ret = 0;
  while (true) {
    const size_t out_before = o.pos, in_before = in.pos;
    ret = ZSTD_decompressStream(dctx.get(), &o, &in);
    if (ZSTD_isError(ret)) {
      return make_error(Errc::malformed, std::string("corrupt ZSTD payload: ") +
                                             ZSTD_getErrorName(ret) + " at compressed byte " +
                                             std::to_string(in.pos));
    }
    if (o.pos == o.size) break;                             // more output than declared
    if (ret == 0 && in.pos == in.size) break;               // last frame complete and flushed
    if (o.pos == out_before && in.pos == in_before) break;  // input exhausted mid-frame
  }
  if (o.pos > ev.uncompressed_size) {
    return make_error(Errc::malformed, "ZSTD payload yields more than the declared " +
                                           std::to_string(ev.uncompressed_size) + " bytes");
  }
  if (ret != 0) {
    return make_error(Errc::malformed,
                      "ZSTD payload ends inside a frame after " + std::to_string(o.pos) + " bytes");
  }
  if (o.pos != ev.uncompressed_size) {
    return make_error(Errc::malformed, "ZSTD payload yields " + std::to_string(o.pos) +
                                           " bytes, the header declares " +
                                           std::to_string(ev.uncompressed_size));
  }
  out.resize(o.pos);
  return out;
}

DecodeContext transaction_payload_context(const DecodeContext& outer) {
  DecodeContext inner = outer;
  inner.checksum = ChecksumAlg::off;
  return inner;
}

Result<std::optional<std::span<const std::byte>>> PayloadEventReader::next() {
  if (offset_ == events_.size()) return std::optional<std::span<const std::byte>>{};
  const auto where = [&] {
    return "inner event " + std::to_string(index_) + " at payload offset " +
           std::to_string(offset_);
  };
  ByteReader r(events_.subspan(offset_));
  r.skip(9);
  const uint32_t size = r.u32le();
  if (!r.ok()) {
    return make_error(Errc::truncated,
                      "header of " + std::to_string(events_.size() - offset_) + " bytes")
        .with_context(where());
  }
  if (size < kEventHeaderLength) {
    return make_error(Errc::malformed,
                      "event_size " + std::to_string(size) + " is below the header length")
        .with_context(where());
  }
  if (size > events_.size() - offset_) {
    return make_error(Errc::truncated, "event_size " + std::to_string(size) + " but only " +
                                           std::to_string(events_.size() - offset_) +
                                           " bytes left in the payload")
        .with_context(where());
  }
  auto ev = events_.subspan(offset_, size);
  offset_ += size;
  ++index_;
  return std::optional<std::span<const std::byte>>(ev);
}

}  // namespace cdc::mysql
