#include "cdc/postgres/protocol/replication_message.h"

#include <chrono>
#include <cstdio>

#include "cdc/core/byte_reader.h"

namespace cdc::postgres {

Result<CopyDataMessage> decode_copy_data(std::span<const std::byte> bytes) {
  ByteReader r(bytes);
  const char type = static_cast<char>(r.u8());
  switch (type) {
    case 'w': {
      XLogData m;
      m.start = Lsn{r.u64be()};
      m.wal_end = Lsn{r.u64be()};
      m.send_time = PgTimestamp{static_cast<int64_t>(r.u64be())};
      m.payload = r.bytes(r.remaining());
      if (auto st = r.finish(); !st) return std::move(st).error().with_context("XLogData");
      if (m.payload.empty()) return make_error(Errc::truncated, "XLogData without a message");
      return CopyDataMessage(m);
    }
    case 'k': {
      PrimaryKeepalive m;
      m.wal_end = Lsn{r.u64be()};
      m.send_time = PgTimestamp{static_cast<int64_t>(r.u64be())};
      const uint8_t reply = r.u8();
      if (reply > 1 && r.ok()) r.mark_malformed("reply flag " + std::to_string(reply));
      m.reply_requested = reply == 1;
      if (auto st = r.finish(); !st) return std::move(st).error().with_context("Primary keepalive");
      return CopyDataMessage(m);
    }
    default: break;
  }
  if (!r.ok()) return make_error(Errc::truncated, "empty replication CopyData message");
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", static_cast<uint8_t>(type));
  return make_error(Errc::unsupported,
                    std::string("unknown replication CopyData message type ") + hex);
}

namespace {
void put_be64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}
}  // namespace

std::string encode_standby_status(Lsn flushed, PgTimestamp now, bool reply_requested) {
  std::string out;
  out.reserve(34);
  out.push_back('r');
  put_be64(out, static_cast<uint64_t>(flushed));  // written
  put_be64(out, static_cast<uint64_t>(flushed));  // flushed
  put_be64(out, static_cast<uint64_t>(flushed));  // applied
  put_be64(out, static_cast<uint64_t>(now));
  out.push_back(reply_requested ? 1 : 0);
  return out;
}

PgTimestamp pg_now() {
  using namespace std::chrono;
  const int64_t unix_us =
      duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  return PgTimestamp{unix_us - 946684800LL * 1000000};
}

}  // namespace cdc::postgres
