#include "sinks/redis/offset_record.h"

#include "cdc/core/byte_reader.h"

namespace cdc::sinks::redis {

namespace {
constexpr uint8_t kVersion = 1;

void put_u64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
}
}  // namespace

std::string encode_offset(const OffsetRecord& r) {
  std::string s(1, static_cast<char>(kVersion));
  put_u64(s, r.epoch);
  put_u64(s, r.checkpoint_id);
  s += encode_position(r.position);
  return s;
}

Result<OffsetRecord> decode_offset(std::string_view bytes, std::string_view key) {
  const std::string context = "redis offset key '" + std::string(key) + "'";
  ByteReader r(bytes);
  const uint8_t version = r.u8();
  OffsetRecord out;
  out.epoch = r.u64le();
  out.checkpoint_id = r.u64le();
  const auto position = r.bytes(r.remaining());
  if (auto st = r.finish(); !st) return std::move(st).error().with_context(context);
  if (version != kVersion) {
    return make_error(Errc::malformed, context + ": unknown record version " + std::to_string(version) +
                                           " (written by another program or a newer sluice?)");
  }
  auto p = decode_position(position);
  if (!p) return std::move(p).error().with_context(context);
  out.position = std::move(*p);
  return out;
}

}  // namespace cdc::sinks::redis
