// Fuzz target binlog_event: one binlog event, decoded on its own (no cross-event state).
// Input: u8 mode, then
//   mode bit 2 clear: u8 event type, then an event BODY (header and checksum already removed)
//                     fed to decode_event_body(): every body decoder, no CRC gate in the way;
//   mode bit 2 set:   a whole raw event fed to decode_event() and decode_format_description()
//                     (header, CRC32 trailer, FDE).
//   mode bit 0: MariaDB flavor; bit 1: CRC32; bit 3: all post-header lengths 0 (an FDE that
//   listed fewer types than the event's code: decoders fall back to their defaults).
#include "cdc/mysql/binlog/binlog_event.h"
#include "cdc/mysql/binlog/event_type.h"
#include "cdc/mysql/binlog/transaction_payload.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;
using namespace cdc::mysql;
using namespace cdc::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t mode = data[0];
  auto ctx = DecodeContext::v4_defaults((mode & 2) ? ChecksumAlg::crc32 : ChecksumAlg::off,
                                        (mode & 1) ? Flavor::mariadb : Flavor::mysql);
  if (mode & 8) ctx.post_header_len.fill(0);

  if (mode & 4) {
    auto raw = bytes_of(data + 1, size - 1);
    auto ev = decode_event(raw, ctx);
    if (!ev) {
      FUZZ_CHECK(is_bad_bytes_error(ev.error()), "decode_event: non-decode error code");
    } else {
      FUZZ_CHECK(ev->header.event_size == raw.size(), "decode_event: event_size not checked");
    }
    auto fde = decode_format_description(raw);
    if (!fde) {
      FUZZ_CHECK(is_bad_bytes_error(fde.error()), "FDE: non-decode error code");
    } else {
      FUZZ_CHECK(fde->header_length >= kEventHeaderLength, "FDE: short header length");
      (void)fde->to_context();
    }
    auto stripped = strip_checksum(raw, ctx.checksum);
    if (stripped) FUZZ_CHECK(stripped->size() <= raw.size(), "strip_checksum grew the event");
    return 0;
  }

  const uint8_t type = data[1];
  auto body = bytes_of(data + 2, size - 2);
  auto r = decode_event_body(type, body, ctx);
  if (!r) {
    // FORMAT_DESCRIPTION is refused with internal by design: it needs the raw event.
    FUZZ_CHECK(is_bad_bytes_error(r.error()) ||
                   type == static_cast<uint8_t>(EventType::format_description),
               "decode_event_body: non-decode error code");
    return 0;
  }
  if (auto* tm = std::get_if<TableMapEvent>(&*r)) {
    FUZZ_CHECK(tm->columns.size() <= body.size(), "TABLE_MAP: more columns than bytes");
    for (uint32_t idx : tm->primary_key) FUZZ_CHECK(idx < tm->columns.size(), "pk index");
    FUZZ_CHECK(tm->same_shape(*tm), "TABLE_MAP: not the same shape as itself");
  } else if (auto* re = std::get_if<RowsEvent>(&*r)) {
    FUZZ_CHECK(within(re->present, body) && within(re->present_after, body) &&
                   within(re->rows, body) && within(re->extra_data, body),
               "rows: spans outside the body");
    FUZZ_CHECK(is_rows_event(type) && !re->rows.empty(), "rows: accepted without rows");
  } else if (auto* q = std::get_if<QueryEvent>(&*r)) {
    FUZZ_CHECK(within(q->db, body) && within(q->statement, body), "query: views outside body");
  } else if (auto* pg = std::get_if<PreviousGtidsEvent>(&*r)) {
    (void)pg->to_gtid_set();
  } else if (auto* g = std::get_if<MysqlGtidEvent>(&*r)) {
    (void)g->gtid();
  } else if (auto* tp = std::get_if<TransactionPayloadEvent>(&*r)) {
    FUZZ_CHECK(within(tp->payload, body), "payload: span outside the body");
    auto events = decompress_transaction_payload(*tp, uint64_t{1} << 20);
    if (!events) {
      FUZZ_CHECK(is_bad_bytes_error(events.error()), "payload: non-decode error code");
    } else {
      FUZZ_CHECK(events->size() == tp->uncompressed_size, "payload: size not verified");
    }
  }
  return 0;
}
