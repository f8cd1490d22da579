// Fuzz target binlog_stream: a whole sequence of binlog events through the decode path of
// MysqlSource::Impl::handle()/emit_pending() minus the network, so cross-event state (the
// FORMAT_DESCRIPTION context, the TableMapCache, the GTID set) is exercised: FDE -> TABLE_MAP ->
// rows decoded against that table map (PARTIAL_UPDATE_ROWS after images get their JSON diffs
// applied to the before image), and a TRANSACTION_PAYLOAD's inner events are fed back through
// the same path with the payload context, as the source does.
//
// Input: u8 mode, then events back to back exactly as in a binlog file after its 4-byte magic
// (a leading magic is skipped too), each event framed by the event_size of its own header.
//   mode bit 0: rewrite each CRC32 trailer to match the (mutated) bytes, so that mutations get
//               past the checksum gate instead of all dying there
//   mode bit 1: flavor before the first FDE is MariaDB (else MySQL)
//   mode bit 2: checksum before the first FDE is CRC32 (else off), as @@binlog_checksum says
//   mode bit 3: mark every text BLOB column as JSON (MariaDB's JSON alias, found via the catalog)
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <zlib.h>

#include "cdc/core/arena.h"
#include "cdc/core/byte_reader.h"
#include "cdc/mysql/binlog/binlog_event.h"
#include "cdc/mysql/binlog/event_type.h"
#include "cdc/mysql/binlog/transaction_payload.h"
#include "cdc/mysql/gtid_set.h"
#include "cdc/mysql/schema/table_map_cache.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;
using namespace cdc::mysql;
using namespace cdc::fuzz;

namespace {

constexpr size_t kHeader = kEventHeaderLength;
// Fuzz inputs are small; a larger declared size must be refused, not allocated.
constexpr uint64_t kMaxPayload = uint64_t{1} << 20;

uint32_t load_u32(const std::byte* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}
void store_u32(std::byte* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::byte>(v >> (8 * i));
}
uint32_t crc_of(const std::vector<std::byte>& ev, size_t n) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(ev.data()), static_cast<uInt>(n)));
}

// Makes the CRC32 trailer of `ev` right for the algorithm that will check it.
void fix_checksum(std::vector<std::byte>& ev, const DecodeContext& ctx) {
  if (ev.size() < kHeader + 4) return;
  const size_t n = ev.size() - 4;
  if (static_cast<uint8_t>(ev[4]) == static_cast<uint8_t>(EventType::format_description)) {
    // The FDE names its own algorithm (byte before the trailer); its CRC is computed with
    // LOG_EVENT_BINLOG_IN_USE_F clear (see decode_format_description).
    if (ev.size() < kHeader + 5 || static_cast<uint8_t>(ev[ev.size() - 5]) != 1) return;
    std::vector<std::byte> copy = ev;
    copy[17] &= ~std::byte{0x01};
    store_u32(ev.data() + n, crc_of(copy, n));
    return;
  }
  if (ctx.checksum == ChecksumAlg::crc32) store_u32(ev.data() + n, crc_of(ev, n));
}

// The schema-less table version the unit tests build for binlog_row_metadata=MINIMAL, so
// row events of such maps are still decoded (the source itself refuses those maps).
TableVersionPtr unnamed_version(const TableMapEvent& tm) {
  auto v = std::make_shared<TableVersion>();
  v->map = tm;
  for (const auto& c : v->map.columns) {
    ColumnDecodeInfo info{.type = c.type,
                          .real_type = c.real_type,
                          .meta = c.meta,
                          .is_unsigned = c.is_unsigned.value_or(false),
                          .charset = c.collation ? charset_of_collation(*c.collation) : nullptr};
    info.labels = c.labels;
    v->columns.push_back(info);
  }
  return v;
}

struct Stream {
  DecodeContext ctx;
  TableMapCache tables;
  std::unordered_map<uint64_t, TableVersionPtr> unnamed;
  GtidSet gtids;
  std::string file;
  bool mark_json = false;

  void check_gtids() {
    // What the source checkpoints must parse back to the same set (restart reads it).
    const std::string text = gtids.to_string();
    auto again = GtidSet::parse(text);
    FUZZ_CHECK(again, "GtidSet::to_string() output does not parse");
    FUZZ_CHECK(again->to_string() == text, "GtidSet text form does not round-trip");
  }

  void rows(const RowsEvent& re, std::span<const std::byte> raw) {
    FUZZ_CHECK(within(re.present, raw) && within(re.present_after, raw) && within(re.rows, raw) &&
                   within(re.extra_data, raw),
               "rows event spans point outside the event");
    FUZZ_CHECK(re.column_count > 0 && (re.column_count + 7) / 8 <= raw.size(),
               "column count exceeds the event");
    TableVersionPtr t;
    if (auto it = unnamed.find(re.table_id); it != unnamed.end()) {
      t = it->second;
    } else {
      t = tables.find(re.table_id);
    }
    if (!t || re.column_count != t->columns.size()) return;  // the source refuses these
    const bool full = re.full_image();
    Arena arena;
    const size_t n = t->columns.size();
    ByteReader r(re.rows);
    size_t row_idx = 0;
    std::vector<std::span<const std::byte>> json_docs(n);
    while (r.remaining() > 0 && row_idx < 100000) {
      const size_t before_off = r.offset();
      auto before = arena.make_array<Value>(n);
      Status st = decode_row_image(
          r, t->columns, re.present, arena, before,
          re.partial() ? std::span(json_docs) : std::span<std::span<const std::byte>>{});
      if (st && re.kind == RowsKind::update) {
        auto after = arena.make_array<Value>(n);
        std::vector<uint32_t> unapplied;
        st = re.partial() ? decode_partial_after_image(r, t->columns, re.present_after, re.present,
                                                       json_docs, arena, after, unapplied)
                          : decode_row_image(r, t->columns, re.present_after, arena, after);
      }
      if (!st) {
        FUZZ_CHECK(is_bad_bytes_error(st.error()), "row image failed with a non-decode error");
        return;
      }
      // emit_pending() advances by r.offset(): a full image that consumed nothing would make
      // the source emit the same row forever.
      if (r.offset() == before_off) {
        FUZZ_CHECK(!full, "full row image decoded from zero bytes (source would spin)");
        return;
      }
      FUZZ_CHECK(r.offset() <= re.rows.size(), "row decoder read past the rows");
      ++row_idx;
    }
  }

  void payload(const TransactionPayloadEvent& tp, std::span<const std::byte> raw) {
    FUZZ_CHECK(within(tp.payload, raw), "payload outside the event");
    auto events = decompress_transaction_payload(tp, kMaxPayload);
    if (!events) {
      FUZZ_CHECK(is_bad_bytes_error(events.error()), "payload failed with a non-decode error");
      return;
    }
    FUZZ_CHECK(events->size() == tp.uncompressed_size, "payload size not verified");
    PayloadEventReader reader(*events);
    while (true) {
      auto next = reader.next();
      if (!next) {
        FUZZ_CHECK(is_bad_bytes_error(next.error()), "inner framing: non-decode error");
        return;
      }
      if (!next->has_value()) break;
      FUZZ_CHECK(within(**next, *events) && (*next)->size() >= kHeader, "inner event view");
      event(**next, /*inner=*/true);
    }
    FUZZ_CHECK(reader.offset() == events->size(), "inner events do not cover the payload");
  }

  void event(std::span<const std::byte> raw, bool inner = false) {
    auto h = decode_event_header(raw);
    if (!h) {
      FUZZ_CHECK(is_bad_bytes_error(h.error()), "header failed with a non-decode error");
      return;
    }
    FUZZ_CHECK(h->event_size == raw.size(), "header accepted a wrong event_size");
    FUZZ_CHECK(h->start_offset() <= h->next_offset(), "start offset after log_pos");
    if (inner && (h->type == static_cast<uint8_t>(EventType::format_description) ||
                  h->type == static_cast<uint8_t>(EventType::transaction_payload))) {
      return;  // the source refuses these inside a payload
    }
    if (h->type == static_cast<uint8_t>(EventType::format_description)) {
      auto fde = decode_format_description(raw);
      if (!fde) {
        FUZZ_CHECK(is_bad_bytes_error(fde.error()), "FDE failed with a non-decode error");
        return;
      }
      FUZZ_CHECK(fde->header_length >= kHeader, "FDE accepted a short header length");
      FUZZ_CHECK(fde->post_header_lengths.size() <= raw.size(), "FDE longer than its event");
      ctx = fde->to_context();
      FUZZ_CHECK(ctx.header_length == fde->header_length, "context lost the header length");
      return;
    }
    auto decoded = decode_event(raw, inner ? transaction_payload_context(ctx) : ctx);
    if (!decoded) {
      FUZZ_CHECK(is_bad_bytes_error(decoded.error()), "event failed with a non-decode error");
      return;
    }
    auto& ev = *decoded;
    FUZZ_CHECK(ev.header.type == h->type, "decode_event disagrees with the header");
    if (auto* rot = std::get_if<RotateEvent>(&ev.body)) {
      FUZZ_CHECK(!rot->next_file.empty() && within(rot->next_file, raw), "rotate file view");
      file = std::string(rot->next_file);
    } else if (auto* q = std::get_if<QueryEvent>(&ev.body)) {
      FUZZ_CHECK(within(q->db, raw) && within(q->statement, raw), "query views");
    } else if (auto* gl = std::get_if<GtidListEvent>(&ev.body)) {
      FUZZ_CHECK(gl->gtids.size() * 16 <= raw.size(), "more GTIDs than the event holds");
      gtids.reset_mariadb(gl->gtids);
      check_gtids();
    } else if (auto* pg = std::get_if<PreviousGtidsEvent>(&ev.body)) {
      size_t intervals = 0;
      for (const auto& sid : pg->sids) intervals += sid.intervals.size();
      FUZZ_CHECK(pg->sids.size() * 24 + intervals * 16 <= raw.size(),
                 "more GTID intervals than the event holds");
      gtids.reset_mysql(pg->to_gtid_set());
      check_gtids();
    } else if (auto* g = std::get_if<MariadbGtidEvent>(&ev.body)) {
      gtids.add(MariadbGtid{g->domain_id, h->server_id, g->sequence});
      check_gtids();
    } else if (auto* g = std::get_if<MysqlGtidEvent>(&ev.body)) {
      if (!g->anonymous) {
        gtids.add_mysql(to_string(g->sid), g->gno);
        check_gtids();
      }
      (void)g->gtid();
    } else if (auto* a = std::get_if<AnnotateRowsEvent>(&ev.body)) {
      FUZZ_CHECK(within(a->statement, raw), "annotate view");
    } else if (auto* a = std::get_if<RowsQueryEvent>(&ev.body)) {
      FUZZ_CHECK(within(a->statement, raw), "rows query view");
    } else if (auto* hb = std::get_if<HeartbeatEvent>(&ev.body)) {
      FUZZ_CHECK(within(hb->file, raw), "heartbeat view");
    } else if (auto* cp = std::get_if<BinlogCheckpointEvent>(&ev.body)) {
      FUZZ_CHECK(within(cp->file, raw), "checkpoint view");
    } else if (auto* tm = std::get_if<TableMapEvent>(&ev.body)) {
      FUZZ_CHECK(tm->columns.size() <= raw.size(), "more columns than bytes");
      for (uint32_t idx : tm->primary_key) {
        FUZZ_CHECK(idx < tm->columns.size(), "primary key index outside the columns");
      }
      for (const auto& c : tm->columns) (void)source_type_text(c);
      if (mark_json) {
        std::vector<std::string> names;
        for (const auto& c : tm->columns) {
          if (c.real_type == 252) names.push_back(c.name);
        }
        tables.set_json_columns(TableId{tm->db, tm->table}, std::move(names));
      }
      unnamed.erase(tm->table_id);
      if (!tm->has_column_names) {
        unnamed[tm->table_id] = unnamed_version(*tm);
        return;
      }
      const uint64_t id = tm->table_id;
      auto v = tables.apply(std::move(*tm));
      if (!v) {
        FUZZ_CHECK(is_bad_bytes_error(v.error()) || v.error().code == Errc::invalid_config,
                   "TableMapCache::apply failed with an unexpected code");
        return;
      }
      FUZZ_CHECK(*v && (*v)->schema && (*v)->columns.size() == (*v)->map.columns.size() &&
                     (*v)->schema->columns.size() == (*v)->map.columns.size(),
                 "table version with inconsistent column counts");
      FUZZ_CHECK(tables.find(id) == *v, "applied table map is not found by its id");
    } else if (auto* re = std::get_if<RowsEvent>(&ev.body)) {
      rows(*re, raw);
    } else if (auto* tp = std::get_if<TransactionPayloadEvent>(&ev.body)) {
      payload(*tp, raw);
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  const bool fix_crc = mode & 1;
  Stream s;
  s.ctx = DecodeContext::v4_defaults((mode & 4) ? ChecksumAlg::crc32 : ChecksumAlg::off,
                                     (mode & 2) ? Flavor::mariadb : Flavor::mysql);
  s.mark_json = mode & 8;
  auto in = bytes_of(data + 1, size - 1);
  size_t pos = 0;
  if (in.size() >= 4 && std::memcmp(in.data(),
                                    "\xfe"
                                    "bin",
                                    4) == 0)
    pos = 4;
  std::vector<std::byte> ev;
  size_t events = 0;
  while (pos < in.size() && events < 10000) {
    // Frame by the header's event_size like a file reader; a short tail is fed as it is.
    size_t len = in.size() - pos;
    if (len >= kHeader) {
      const uint32_t want = load_u32(in.data() + pos + 9);
      if (want < kHeader)
        len = kHeader;  // still fed, to be refused; then move on
      else if (want < len)
        len = want;
    }
    ev.assign(in.begin() + pos, in.begin() + pos + len);
    if (fix_crc) fix_checksum(ev, s.ctx);
    s.event(ev);
    pos += len;
    ++events;
  }
  return 0;
}
