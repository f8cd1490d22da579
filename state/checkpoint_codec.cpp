#include "state/checkpoint_codec.h"

#include "cdc/core/byte_reader.h"
#include "state/codec_util.h"

namespace cdc::state {

std::string encode_checkpoint(const CheckpointRecord& record) {
  std::string out;
  const std::string position = encode_position(record.position);
  out.reserve(1 + 8 + 8 + 4 + position.size() + 4 + record.sink_state.size());
  detail::put_u8(out, kCheckpointEncodingVersion);
  detail::put_u64le(out, record.id);
  detail::put_u64le(out, static_cast<uint64_t>(record.wall_time_ms));
  detail::put_str(out, position);
  detail::put_str(out, record.sink_state);
  return out;
}

Result<CheckpointRecord> decode_checkpoint(std::span<const std::byte> bytes) {
  ByteReader r(bytes);
  const uint8_t version = r.u8();
  if (auto st = r.finish(/*allow_trailing=*/true); !st) {
    return std::move(st).error().with_context("decoding a checkpoint");
  }
  if (version != kCheckpointEncodingVersion) {
    return make_error(Errc::unsupported, "checkpoint encoding version " + std::to_string(version) +
                                             " (this build reads " +
                                             std::to_string(kCheckpointEncodingVersion) + ")");
  }
  CheckpointRecord record;
  record.id = r.u64le();
  record.wall_time_ms = static_cast<int64_t>(r.u64le());
  const std::string_view position = detail::read_str(r, "position");
  record.sink_state = std::string(detail::read_str(r, "sink state"));
  if (auto st = r.finish(); !st) return std::move(st).error().with_context("decoding a checkpoint");
  // Decoded only after the outer record is known to be whole, so a short record reports
  // the outer truncation rather than a misleading inner one.
  auto pos = decode_position(as_bytes(position));
  if (!pos) return std::move(pos).error().with_context("checkpoint " + std::to_string(record.id));
  record.position = std::move(*pos);
  return record;
}

}  // namespace cdc::state
