#include "sinks/kafka/offset_record.h"

#include "cdc/core/byte_reader.h"

namespace cdc::sinks::kafka {

namespace {
// Version 1: u8 version, u64le checkpoint id, encode_position() bytes to the end.
constexpr uint8_t kVersion = 1;
}  // namespace

std::string encode_offset(const OffsetRecord& r) {
  std::string s(1, static_cast<char>(kVersion));
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(r.checkpoint_id >> (8 * i)));
  s += encode_position(r.position);
  return s;
}

Result<OffsetRecord> decode_offset(std::string_view bytes, std::string_view where) {
  const std::string context = std::string(where);
  ByteReader r(bytes);
  const uint8_t version = r.u8();
  OffsetRecord out;
  out.checkpoint_id = r.u64le();
  const auto position = r.bytes(r.remaining());
  if (auto st = r.finish(); !st) return std::move(st).error().with_context(context);
  if (version != kVersion) {
    return make_error(Errc::malformed, context + ": unknown offset record version " + std::to_string(version) +
                                           " (written by another program or a newer sluice?)");
  }
  auto p = decode_position(position);
  if (!p) return std::move(p).error().with_context(context);
  out.position = std::move(*p);
  return out;
}

}  // namespace cdc::sinks::kafka
