#include "cdc/mysql/binlog/mariadb_compressed.h"

#include <zlib.h>

#include <cstring>
#include <string>

#include "cdc/core/byte_reader.h"
#include "cdc/mysql/binlog/control_events.h"
#include "cdc/mysql/binlog/event_header.h"
#include "cdc/mysql/binlog/event_type.h"
#include "cdc/mysql/binlog/table_id.h"

namespace cdc::mysql {

namespace {

constexpr size_t kSizeOffset = 9;  // common header: timestamp(4) type(1) server_id(4) event_size(4)
constexpr size_t kChecksumBytes = 4;

// Where the compressed part starts in the body (post-header + fields), per sql/log_event.cc:
// Query_compressed_log_event compresses the query text after the status variables and the
// NUL-terminated database name; row_log_event_uncompress() everything after the column count
// and the column bitmap(s).
Result<size_t> compressed_offset(uint8_t type, std::span<const std::byte> body,
                                 const DecodeContext& ctx) {
  ByteReader r(body);
  if (type == static_cast<uint8_t>(EventType::query_compressed)) {
    const size_t post = query_post_header_length(ctx, type);
    if (post < kQueryPostHeaderLength) {
      return make_error(Errc::malformed, "QUERY_COMPRESSED post-header below " +
                                             std::to_string(kQueryPostHeaderLength) + " bytes");
    }
    r.skip(4 + 4);  // thread id, exec time
    const uint8_t db_len = r.u8();
    r.skip(2);  // error code
    const uint16_t status_len = r.u16le();
    r.skip(post - kQueryPostHeaderLength);
    r.skip(status_len);
    r.skip(size_t{db_len} + 1);  // database name and its NUL
    CDC_TRY(r.finish(/*allow_trailing=*/true));
    return r.offset();
  }
  const bool v2 = type >= static_cast<uint8_t>(EventType::write_rows_compressed);
  const bool update = type == static_cast<uint8_t>(EventType::update_rows_compressed) ||
                      type == static_cast<uint8_t>(EventType::update_rows_compressed_v1);
  r.skip(table_id_size(ctx, type));
  r.skip(2);  // flags
  if (v2) {
    const uint16_t extra_len = r.u16le();  // includes its own two bytes
    if (r.ok() && extra_len < 2) r.mark_malformed("rows event extra data length below 2");
    r.skip(extra_len >= 2 ? extra_len - 2 : 0);
  }
  const uint64_t columns = r.lenenc();
  if (r.ok() && (columns == 0 || columns > 4096)) r.mark_malformed("rows event column count");
  const size_t bitmap = static_cast<size_t>((columns + 7) / 8);
  r.skip(update ? 2 * bitmap : bitmap);
  CDC_TRY(r.finish(/*allow_trailing=*/true));
  return r.offset();
}

}  // namespace

bool is_mariadb_compressed(uint8_t type) {
  return type >= static_cast<uint8_t>(EventType::query_compressed) &&
         type <= static_cast<uint8_t>(EventType::delete_rows_compressed);
}

uint8_t mariadb_uncompressed_type(uint8_t type) {
  switch (static_cast<EventType>(type)) {
    case EventType::query_compressed: return static_cast<uint8_t>(EventType::query);
    case EventType::write_rows_compressed: return static_cast<uint8_t>(EventType::write_rows_v2);
    case EventType::update_rows_compressed: return static_cast<uint8_t>(EventType::update_rows_v2);
    case EventType::delete_rows_compressed: return static_cast<uint8_t>(EventType::delete_rows_v2);
    case EventType::write_rows_compressed_v1: return static_cast<uint8_t>(EventType::write_rows_v1);
    case EventType::update_rows_compressed_v1:
      return static_cast<uint8_t>(EventType::update_rows_v1);
    case EventType::delete_rows_compressed_v1:
      return static_cast<uint8_t>(EventType::delete_rows_v1);
    default: return type;
  }
}

Result<std::vector<std::byte>> inflate_mariadb_compressed_event(std::span<const std::byte> raw,
                                                                const DecodeContext& ctx,
                                                                uint64_t max_bytes) {
  CDC_TRY_ASSIGN(auto stripped, strip_checksum(raw, ctx.checksum));
  if (stripped.size() < ctx.header_length) {
    return make_error(Errc::truncated, "event shorter than the FDE header length");
  }
  const auto type = static_cast<uint8_t>(stripped[kEventTypeOffset]);
  if (!is_mariadb_compressed(type)) {
    return make_error(Errc::internal,
                      "not a MariaDB compressed event: " + describe_event_type(type));
  }
  const auto body = event_body(stripped, ctx);
  CDC_TRY_ASSIGN(const size_t plain_len, compressed_offset(type, body, ctx));

  ByteReader rec(body.subspan(plain_len));
  const uint8_t head = rec.u8();
  if (rec.ok() && (head & 0x80) == 0) rec.mark_malformed("compressed record without its 0x80 flag");
  const uint32_t length_bytes = head & 0x07;
  if (rec.ok() && (length_bytes < 1 || length_bytes > 4)) {
    rec.mark_malformed("compressed record length of " + std::to_string(length_bytes) + " bytes");
  }
  const uint64_t inflated_len = rec.ok() ? rec.uint_be(length_bytes) : 0;
  const auto deflated = rec.bytes(rec.remaining());
  CDC_TRY(rec.finish());
  if (((head >> 4) & 0x07) != 0) {
    return make_error(
        Errc::unsupported,
        "compression algorithm " + std::to_string((head >> 4) & 7) + " (only zlib, 0, is defined)");
  }
  if (inflated_len > max_bytes) {
    return make_error(Errc::unsupported, "compressed event inflates to " +
                                             std::to_string(inflated_len) + " bytes, above the " +
                                             std::to_string(max_bytes) + "-byte limit");
  }

  const size_t prefix = ctx.header_length + plain_len;
  const bool crc = ctx.checksum == ChecksumAlg::crc32;
  std::vector<std::byte> out(prefix + inflated_len + (crc ? kChecksumBytes : 0));
  std::memcpy(out.data(), stripped.data(), prefix);
  uLongf got = static_cast<uLongf>(inflated_len);
  const int zrc = ::uncompress(reinterpret_cast<Bytef*>(out.data() + prefix), &got,
                               reinterpret_cast<const Bytef*>(deflated.data()),
                               static_cast<uLong>(deflated.size()));
  if (zrc != Z_OK) {
    return make_error(Errc::malformed,
                      "zlib could not inflate the compressed event (" + std::to_string(zrc) + ")");
  }
  if (got != inflated_len) {
    return make_error(Errc::malformed, "compressed event inflated to " + std::to_string(got) +
                                           " bytes, its record says " +
                                           std::to_string(inflated_len));
  }
  out[kEventTypeOffset] = static_cast<std::byte>(mariadb_uncompressed_type(type));
  const auto size = static_cast<uint32_t>(out.size());
  for (size_t i = 0; i < 4; ++i) out[kSizeOffset + i] = static_cast<std::byte>(size >> (8 * i));
  if (crc) {
    const size_t n = out.size() - kChecksumBytes;
    const uint32_t sum = static_cast<uint32_t>(
        ::crc32(0, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(n)));
    for (size_t i = 0; i < 4; ++i) out[n + i] = static_cast<std::byte>(sum >> (8 * i));
  }
  return out;
}

}  // namespace cdc::mysql
