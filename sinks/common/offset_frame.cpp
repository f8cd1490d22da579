#include "sinks/common/offset_frame.h"

#include "cdc/core/byte_reader.h"

namespace cdc::sinks {

namespace {
constexpr uint8_t kVersion = 1;
}  // namespace

std::string encode_offset_frame(std::span<const uint64_t> fields, const Position& position) {
  std::string s(1, static_cast<char>(kVersion));
  for (const uint64_t field : fields) {
    for (int byte_idx = 0; byte_idx < 8; ++byte_idx)
      s.push_back(static_cast<char>(field >> (8 * byte_idx)));
  }
  s += encode_position(position);
  return s;
}

Result<Position> decode_offset_frame(std::string_view bytes, std::span<uint64_t> fields,
                                     std::string_view context, std::string_view record_name) {
  const std::string where(context);
  ByteReader r(bytes);
  const uint8_t version = r.u8();
  for (uint64_t& field : fields) field = r.u64le();
  const auto position = r.bytes(r.remaining());
  if (auto st = r.finish(); !st) return std::move(st).error().with_context(where);
  if (version != kVersion) {
    return make_error(Errc::malformed, where + ": unknown " + std::string(record_name) +
                                           " version " + std::to_string(version) +
                                           " (written by another program or a newer sluice?)");
  }
  auto p = decode_position(position);
  if (!p) return std::move(p).error().with_context(where);
  return std::move(*p);
}

}  // namespace cdc::sinks
