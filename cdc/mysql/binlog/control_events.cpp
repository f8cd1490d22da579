#include "cdc/mysql/binlog/control_events.h"

#include <array>
#include <charconv>
#include <cstdio>

#include "cdc/core/byte_reader.h"
#include "cdc/mysql/binlog/event_header.h"
#include "cdc/mysql/binlog/mysql_serialization.h"

namespace cdc::mysql {

uint8_t query_post_header_length(const DecodeContext& ctx, uint8_t type) {
  const uint8_t post = ctx.post_header(type);
  return post != 0 ? post : kQueryPostHeaderLength;
}

namespace {

// Is this server version checksum-aware (writes the checksum-alg byte into its FDE)?
// MySQL >= 5.6.1, MariaDB >= 5.3 (sql/log_event.cc: checksum_version_split).
bool checksum_aware(std::string_view version, bool mariadb) {
  int parts[3] = {0, 0, 0};
  const char* p = version.data();
  const char* end = p + version.size();
  for (int i = 0; i < 3 && p < end; ++i) {
    auto [next, ec] = std::from_chars(p, end, parts[i]);
    if (ec != std::errc()) break;
    p = next;
    if (p < end && *p == '.') ++p;
  }
  // Compared component-wise: a version text from the wire ("056789012.999") must neither
  // overflow nor let a large minor number pass for a higher major.
  const std::array<int, 3> v{parts[0], parts[1], parts[2]};
  return mariadb ? v >= std::array<int, 3>{5, 3, 0} : v >= std::array<int, 3>{5, 6, 1};
}

Status check_post_header(const ByteReader& r, size_t need, const char* what) {
  if (r.remaining() < need) {
    return make_error(Errc::truncated,
                      std::string(what) + " post-header needs " + std::to_string(need) + " bytes");
  }
  return {};
}

}  // namespace

DecodeContext FormatDescriptionEvent::to_context() const {
  DecodeContext ctx = DecodeContext::v4_defaults(checksum, flavor);
  ctx.header_length = header_length;
  ctx.post_header_len.fill(0);
  for (size_t i = 0; i < post_header_lengths.size() && i + 1 < ctx.post_header_len.size(); ++i) {
    ctx.post_header_len[i + 1] = post_header_lengths[i];
  }
  return ctx;
}

Result<FormatDescriptionEvent> decode_format_description(std::span<const std::byte> event) {
  CDC_TRY_ASSIGN(const EventHeader header, decode_event_header(event));
  ByteReader r(event.subspan(kEventHeaderLength));
  FormatDescriptionEvent fde;
  fde.binlog_version = r.u16le();
  auto version = r.string(50);
  fde.server_version = std::string(version.substr(0, version.find('\0')));
  fde.create_timestamp = r.u32le();
  fde.header_length = r.u8();
  if (!r.ok()) return r.finish().error();
  if (fde.binlog_version != 4) {
    return make_error(Errc::unsupported,
                      "binlog version " + std::to_string(fde.binlog_version) + " (only v4)");
  }
  if (fde.header_length < kEventHeaderLength) {
    return make_error(Errc::malformed, "FDE header length " + std::to_string(fde.header_length));
  }
  fde.flavor =
      fde.server_version.find("MariaDB") != std::string::npos ? Flavor::mariadb : Flavor::mysql;
  size_t tail = 0;  // bytes after the post-header-length array
  if (checksum_aware(fde.server_version, fde.flavor == Flavor::mariadb)) {
    tail = 5;  // checksum-alg byte + 4-byte checksum slot (always present in aware servers)
    if (r.remaining() < tail) return make_error(Errc::truncated, "FDE without checksum algorithm");
    const auto alg = static_cast<uint8_t>(event[event.size() - 5]);
    if (alg == 1) {
      fde.checksum = ChecksumAlg::crc32;
      // The server computes the FDE checksum with LOG_EVENT_BINLOG_IN_USE_F (0x1) clear and
      // sets the flag in the file while it is open (sql/log_event.cc event_checksum_test).
      std::vector<std::byte> copy(event.begin(), event.end());
      copy[17] &= ~std::byte{0x01};
      CDC_TRY(strip_checksum(copy, ChecksumAlg::crc32));
    } else if (alg == 0) {
      fde.checksum = ChecksumAlg::off;
    } else {
      return make_error(Errc::unsupported, "binlog checksum algorithm " + std::to_string(alg));
    }
  }
  const size_t n_types = r.remaining() - tail;
  auto lens = r.bytes(n_types);
  fde.post_header_lengths.reserve(lens.size());
  for (auto b : lens) fde.post_header_lengths.push_back(static_cast<uint8_t>(b));
  r.skip(tail);
  CDC_TRY(r.finish());
  (void)header;  // only validated
  return fde;
}

Result<RotateEvent> decode_rotate(std::span<const std::byte> body, const DecodeContext& ctx) {
  ByteReader r(body);
  RotateEvent ev;
  // Binlog v1 ROTATE had no position: the next file is read from its first event.
  const uint8_t post = ctx.post_header(EventType::rotate);
  ev.position =
      post >= kRotatePostHeaderLength || post == 0 ? BinlogOffset{r.u64le()} : kFirstEventOffset;
  ev.next_file = r.rest();
  CDC_TRY(r.finish());
  if (ev.next_file.empty()) return make_error(Errc::malformed, "ROTATE without a file name");
  return ev;
}

Result<QueryEvent> decode_query(std::span<const std::byte> body, const DecodeContext& ctx) {
  return decode_query_shaped(body, query_post_header_length(ctx, code(EventType::query)), "QUERY",
                             nullptr);
}

Result<QueryEvent> decode_query_shaped(std::span<const std::byte> body, uint8_t ph,
                                       const char* what,
                                       const std::function<void(ByteReader&)>& extra) {
  ByteReader r(body);
  CDC_TRY(check_post_header(r, ph, what));
  ByteReader post = r.sub(ph);
  QueryEvent ev;
  ev.thread_id = post.u32le();
  ev.exec_time = post.u32le();
  const uint8_t db_len = post.u8();
  ev.error_code = post.u16le();
  const uint16_t status_len = ph >= kQueryPostHeaderLength ? post.u16le() : 0;
  if (extra) extra(post);
  CDC_TRY(post.finish(/*allow_trailing=*/true));
  r.skip(status_len);
  ev.db = r.string(db_len);
  if (r.u8() != 0 && r.ok()) r.mark_malformed("QUERY database name is not NUL-terminated");
  ev.statement = r.rest();
  CDC_TRY(r.finish());
  return ev;
}

Result<XidEvent> decode_xid(std::span<const std::byte> body, const DecodeContext& ctx) {
  ByteReader r(body);
  XidEvent ev{.xid = r.u64le()};
  CDC_TRY(r.finish());
  return ev;
}

Result<MariadbGtidEvent> decode_mariadb_gtid(std::span<const std::byte> body,
                                             const DecodeContext& ctx) {
  ByteReader r(body);
  MariadbGtidEvent ev;
  ev.sequence = r.u64le();
  ev.domain_id = r.u32le();
  ev.flags = r.u8();
  if (ev.flags & MariadbGtidEvent::kGroupCommitId) {
    ev.commit_id = r.u64le();
  } else if (ev.flags & (MariadbGtidEvent::kPreparedXa | MariadbGtidEvent::kCompletedXa)) {
    r.u32le();  // XID formatID
    const uint8_t gtrid_len = r.u8();
    const uint8_t bqual_len = r.u8();
    if (gtrid_len > 64 || bqual_len > 64) r.mark_malformed("XA xid longer than 64 bytes");
    r.skip(size_t{gtrid_len} + bqual_len);
  }
  // The fixed 19-byte post-header is zero padded; MariaDB 11 adds flags_extra after it.
  CDC_TRY(r.finish(/*allow_trailing=*/true));
  return ev;
}

std::string to_string(const MariadbGtid& g) {
  return std::to_string(g.domain_id) + "-" + std::to_string(g.server_id) + "-" +
         std::to_string(g.sequence);
}

Result<GtidListEvent> decode_gtid_list(std::span<const std::byte> body, const DecodeContext& ctx) {
  ByteReader r(body);
  GtidListEvent ev;
  const uint32_t word = r.u32le();
  const uint32_t count = word & 0x0fffffffu;
  ev.flags = word >> 28;
  if (!r.ok()) return r.finish().error();
  if (static_cast<uint64_t>(count) * 16 > r.remaining()) {
    return make_error(Errc::truncated, "GTID_LIST of " + std::to_string(count) + " GTIDs");
  }
  ev.gtids.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    MariadbGtid g;
    g.domain_id = r.u32le();
    g.server_id = r.u32le();
    g.sequence = r.u64le();
    ev.gtids.push_back(g);
  }
  // MariaDB 10.5 pads an empty list with two bytes (mariadb-bin.000001 at 256): the count
  // decides the length, as in the server's own reader.
  CDC_TRY(r.finish(/*allow_trailing=*/true));
  return ev;
}

Result<BinlogCheckpointEvent> decode_binlog_checkpoint(std::span<const std::byte> body,
                                                       const DecodeContext& ctx) {
  ByteReader r(body);
  const uint32_t len = r.u32le();
  BinlogCheckpointEvent ev{.file = r.string(len)};
  CDC_TRY(r.finish());
  return ev;
}

Result<AnnotateRowsEvent> decode_annotate_rows(std::span<const std::byte> body,
                                               const DecodeContext& ctx) {
  ByteReader r(body);
  AnnotateRowsEvent ev{.statement = r.rest()};
  CDC_TRY(r.finish());
  return ev;
}

Result<RowsQueryEvent> decode_rows_query(std::span<const std::byte> body,
                                         const DecodeContext& ctx) {
  ByteReader r(body);
  // One length byte (truncated to 255, so not authoritative: MySQL reads the rest), then text.
  if (r.u8() == 0 && !r.ok()) return r.finish().error();
  RowsQueryEvent ev{.statement = r.rest()};
  CDC_TRY(r.finish());
  return ev;
}

Result<HeartbeatEvent> decode_heartbeat(std::span<const std::byte> body, const DecodeContext& ctx) {
  ByteReader r(body);
  HeartbeatEvent ev{.file = r.rest()};
  CDC_TRY(r.finish());
  return ev;
}

std::string to_string(const Uuid& u) {
  char buf[40];
  std::snprintf(buf, sizeof buf,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
                u[15]);
  return buf;
}

std::string MysqlGtidEvent::sid_key() const {
  return tag.empty() ? to_string(sid) : to_string(sid) + ":" + tag;
}

std::string MysqlGtidEvent::gtid() const {
  if (anonymous) return "";
  return sid_key() + ":" + std::to_string(gno);
}

namespace {

constexpr uint64_t kMaxTagLength = 32;  // mysql::gtid::tag_max_length

// A MySQL tag (mysql::gtid::Tag::is_character_valid): a letter or '_', then letters, digits
// and '_'; at most 32.
bool valid_tag(std::string_view tag) {
  for (size_t i = 0; i < tag.size(); ++i) {
    const char c = tag[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return tag.size() <= kMaxTagLength;
}

std::string read_tag(ByteReader& r) {
  std::string tag = read_varlen_string(r, kMaxTagLength);
  if (r.ok() && !valid_tag(tag)) r.mark_malformed("GTID tag '" + tag + "'");
  return tag;
}

}  // namespace

Result<MysqlGtidEvent> decode_mysql_tagged_gtid(std::span<const std::byte> body,
                                                const DecodeContext& ctx) {
  (void)ctx;
  ByteReader r(body);
  const SerializedMessage m = read_message_header(r);
  if (!r.ok()) return r.finish().error().with_context("GTID_TAGGED");
  if (m.size != body.size()) {
    return make_error(Errc::malformed, "GTID_TAGGED message of " + std::to_string(m.size) +
                                           " bytes in an event body of " +
                                           std::to_string(body.size()));
  }
  ByteReader fields = ByteReader(body).sub(m.size);
  fields.skip(r.offset());  // past the header just read
  MysqlGtidEvent ev;
  bool have_uuid = false, have_gno = false;
  int64_t last_id = -1;
  while (fields.ok() && fields.remaining() > 0) {
    const uint64_t id = read_varlen_unsigned(fields);
    if (!fields.ok()) break;
    if (static_cast<int64_t>(id) <= last_id) {
      fields.mark_malformed("field id " + std::to_string(id) + " after " + std::to_string(last_id));
      break;
    }
    last_id = static_cast<int64_t>(id);
    auto signed_field = [&fields]() -> uint64_t {
      const int64_t v = read_varlen_signed(fields);
      if (fields.ok() && v < 0) fields.mark_malformed("negative value " + std::to_string(v));
      return static_cast<uint64_t>(v);
    };
    switch (id) {
      case 0: {
        const uint64_t flags = read_varlen_unsigned(fields);
        if (fields.ok() && flags > 0xff)
          fields.mark_malformed("gtid_flags " + std::to_string(flags));
        ev.flags = static_cast<uint8_t>(flags);
        break;
      }
      case 1:
        for (auto& b : ev.sid) {
          const uint64_t v = read_varlen_unsigned(fields);
          if (fields.ok() && v > 0xff) fields.mark_malformed("uuid byte " + std::to_string(v));
          b = static_cast<uint8_t>(v);
        }
        have_uuid = true;
        break;
      case 2:
        ev.gno = signed_field();
        if (fields.ok() && ev.gno == 0) fields.mark_malformed("GTID number 0");
        have_gno = true;
        break;
      case 3: ev.tag = read_tag(fields); break;
      case 4: ev.last_committed = signed_field(); break;
      case 5: ev.sequence_number = signed_field(); break;
      case 6: ev.immediate_commit_us = read_varlen_unsigned(fields); break;
      case 7: ev.original_commit_us = read_varlen_unsigned(fields); break;
      case 8:   // transaction_length
      case 9:   // immediate_server_version
      case 10:  // original_server_version
      case 11:  // commit_group_ticket
        (void)read_varlen_unsigned(fields);
        break;
      default:
        // A field of a newer server: the rest is skipped by the message size, unless the
        // server says a decoder that does not know it must stop.
        if (id <= m.last_non_ignorable) {
          return make_error(Errc::unsupported,
                            "GTID_TAGGED field " + std::to_string(id) +
                                " is unknown to this build and the server marks it required");
        }
        fields.skip(fields.remaining());
        break;
    }
  }
  if (!fields.ok()) return fields.finish().error().with_context("GTID_TAGGED");
  if (!have_uuid || !have_gno) {
    return make_error(Errc::malformed, "GTID_TAGGED without its uuid or GTID number");
  }
  if (m.last_non_ignorable > static_cast<uint64_t>(std::max<int64_t>(last_id, 11))) {
    return make_error(Errc::unsupported, "GTID_TAGGED field " +
                                             std::to_string(m.last_non_ignorable) +
                                             " is required by the server and missing or unknown");
  }
  if (!ev.original_commit_us) ev.original_commit_us = ev.immediate_commit_us;
  return ev;
}

Result<MysqlGtidEvent> decode_mysql_gtid(std::span<const std::byte> body, const DecodeContext& ctx,
                                         bool anonymous) {
  ByteReader r(body);
  MysqlGtidEvent ev;
  ev.anonymous = anonymous;
  ev.flags = r.u8();
  auto sid = r.bytes(16);
  for (size_t i = 0; i < sid.size(); ++i) ev.sid[i] = static_cast<uint8_t>(sid[i]);
  ev.gno = r.u64le();
  if (!r.ok()) return r.finish().error();
  // MySQL >= 5.7: logical clock (type byte 2, last_committed, sequence_number).
  if (r.remaining() >= 17) {
    const uint8_t lt_type = r.u8();
    if (lt_type == 2) {
      ev.last_committed = r.u64le();
      ev.sequence_number = r.u64le();
    } else {
      r.skip(16);
    }
  }
  // MySQL >= 8.0.1: immediate commit timestamp (7 bytes; top bit says an original follows).
  if (r.remaining() >= 7) {
    uint64_t ts = r.uint_le(7);
    const bool has_original = (ts & (uint64_t{1} << 55)) != 0;
    ts &= ~(uint64_t{1} << 55);
    ev.immediate_commit_us = ts;
    ev.original_commit_us = ts;
    if (has_original) ev.original_commit_us = r.uint_le(7);
  }
  // Transaction length, server versions and tags follow in newer servers; not needed here.
  CDC_TRY(r.finish(/*allow_trailing=*/true));
  return ev;
}

std::string PreviousGtidsEvent::to_gtid_set() const {
  std::string out;
  for (const auto& s : sids) {
    if (!out.empty()) out += ",";
    out += to_string(s.uuid);
    if (!s.tag.empty()) out += ":" + s.tag;
    for (const auto& iv : s.intervals) {
      out += ":" + std::to_string(iv.start);
      if (iv.end - 1 != iv.start) out += "-" + std::to_string(iv.end - 1);
    }
  }
  return out;
}

Result<PreviousGtidsEvent> decode_previous_gtids(std::span<const std::byte> body,
                                                 const DecodeContext& ctx) {
  ByteReader r(body);
  PreviousGtidsEvent ev;
  const uint64_t word = r.u64le();
  if (!r.ok()) return r.finish().error();
  const uint64_t format = word >> 56;
  if (format > 1) {
    return make_error(Errc::malformed, "PREVIOUS_GTIDS format " + std::to_string(format));
  }
  const bool tagged = format == 1;
  if (tagged && (word & 0xff) != 1) {
    return make_error(Errc::malformed, "PREVIOUS_GTIDS tagged format byte " +
                                           std::to_string(word & 0xff) + " (expected 1)");
  }
  const uint64_t n_sids = tagged ? (word >> 8) & 0xffffffffffffULL : word & 0xffffffffffffffULL;
  // Each sid takes 24 bytes at least (uuid and interval count; a tag's length byte more).
  if (n_sids > r.remaining() / 24) return make_error(Errc::truncated, "PREVIOUS_GTIDS sid count");
  for (uint64_t i = 0; i < n_sids; ++i) {
    PreviousGtidsEvent::Sid sid;
    auto u = r.bytes(16);
    for (size_t k = 0; k < u.size(); ++k) sid.uuid[k] = static_cast<uint8_t>(u[k]);
    if (tagged) sid.tag = read_tag(r);
    const uint64_t n_iv = r.u64le();
    if (!r.ok()) return r.finish().error();
    if (n_iv > r.remaining() / 16) return make_error(Errc::truncated, "PREVIOUS_GTIDS intervals");
    for (uint64_t k = 0; k < n_iv; ++k) {
      PreviousGtidsEvent::Interval iv{.start = r.u64le(), .end = r.u64le()};
      if (iv.end <= iv.start) r.mark_malformed("PREVIOUS_GTIDS empty interval");
      sid.intervals.push_back(iv);
    }
    ev.sids.push_back(std::move(sid));
  }
  CDC_TRY(r.finish());
  return ev;
}

}  // namespace cdc::mysql
