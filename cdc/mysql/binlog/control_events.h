// The non-row binlog events (FORMAT_DESCRIPTION, ROTATE, QUERY, XID, the GTID family,
// ANNOTATE_ROWS, ROWS_QUERY, HEARTBEAT, BINLOG_CHECKPOINT, STOP) and their pure decoders. These are
// small plain structs grouped in one header on purpose: each is a handful of fields and one
// decoder, and the source needs all of them together. Each decoder takes the event body
// (post-header + payload, checksum already stripped) and does no I/O; string_views point into the
// body.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/byte_reader.h"
#include "cdc/core/result.h"
#include "cdc/mysql/binlog/decode_context.h"
#include "cdc/mysql/binlog_offset.h"

namespace cdc::mysql {

struct FormatDescriptionEvent {
  uint16_t binlog_version = 0;
  std::string server_version;  // "10.11.6-MariaDB-log"
  uint32_t create_timestamp = 0;
  uint8_t header_length = 0;
  std::vector<uint8_t> post_header_lengths;  // index 0 = event type 1
  ChecksumAlg checksum = ChecksumAlg::off;
  Flavor flavor = Flavor::mysql;

  // The context for the events that follow this FDE.
  DecodeContext to_context() const;
};

// An FDE carries its own checksum algorithm, so it is decoded from the WHOLE raw event (header
// and trailer included); its CRC is verified here when the event says CRC32.
Result<FormatDescriptionEvent> decode_format_description(std::span<const std::byte> event);

struct RotateEvent {
  BinlogOffset position{0};  // where the next file is read from
  std::string_view next_file;
};
inline constexpr uint8_t kRotatePostHeaderLength = 8;  // the next file's first position, u64
Result<RotateEvent> decode_rotate(std::span<const std::byte> body, const DecodeContext& ctx);

// A QUERY's post-header since binlog v4: thread id 4, exec time 4, db length 1, error code 2,
// status variables length 2 (sql/log_event.h QUERY_HEADER_LEN).
inline constexpr uint8_t kQueryPostHeaderLength = 13;
// The post-header length of a QUERY (or MariaDB QUERY_COMPRESSED) `type` in this binlog: the
// FDE's, or kQueryPostHeaderLength when the FDE does not say.
uint8_t query_post_header_length(const DecodeContext& ctx, uint8_t type);

struct QueryEvent {
  uint32_t thread_id = 0;
  uint32_t exec_time = 0;
  uint16_t error_code = 0;
  std::string_view db;
  std::string_view statement;
};
Result<QueryEvent> decode_query(std::span<const std::byte> body, const DecodeContext& ctx);
// A QUERY-shaped body (QUERY, EXECUTE_LOAD_QUERY) whose post-header is `ph` bytes; `extra`
// (may be empty) reads the fields a derived event adds after the 13 of QUERY from the
// post-header's reader, which must then hold them. `what` names the event in errors.
Result<QueryEvent> decode_query_shaped(std::span<const std::byte> body, uint8_t ph,
                                       const char* what,
                                       const std::function<void(ByteReader&)>& extra);

struct XidEvent {
  uint64_t xid = 0;
};
Result<XidEvent> decode_xid(std::span<const std::byte> body, const DecodeContext& ctx);

// MariaDB GTID_EVENT (162): starts an event group. domain-server-seq; server id is the header's.
struct MariadbGtidEvent {
  static constexpr uint8_t kStandalone = 0x01;  // no BEGIN/COMMIT: one statement (DDL)
  static constexpr uint8_t kGroupCommitId = 0x02;
  static constexpr uint8_t kPreparedXa = 0x40;
  static constexpr uint8_t kCompletedXa = 0x80;
  uint64_t sequence = 0;
  uint32_t domain_id = 0;
  uint8_t flags = 0;
  uint64_t commit_id = 0;
  bool standalone() const { return (flags & kStandalone) != 0; }
};
Result<MariadbGtidEvent> decode_mariadb_gtid(std::span<const std::byte> body,
                                             const DecodeContext& ctx);

struct MariadbGtid {
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t sequence = 0;
  friend bool operator==(const MariadbGtid&, const MariadbGtid&) = default;
};
std::string to_string(const MariadbGtid& g);  // "0-1-100"

struct GtidListEvent {
  uint32_t flags = 0;
  std::vector<MariadbGtid> gtids;
};
Result<GtidListEvent> decode_gtid_list(std::span<const std::byte> body, const DecodeContext& ctx);

struct BinlogCheckpointEvent {
  std::string_view file;
};
Result<BinlogCheckpointEvent> decode_binlog_checkpoint(std::span<const std::byte> body,
                                                       const DecodeContext& ctx);

struct AnnotateRowsEvent {
  std::string_view statement;
};
Result<AnnotateRowsEvent> decode_annotate_rows(std::span<const std::byte> body,
                                               const DecodeContext& ctx);

struct RowsQueryEvent {
  std::string_view statement;
};
Result<RowsQueryEvent> decode_rows_query(std::span<const std::byte> body, const DecodeContext& ctx);

struct HeartbeatEvent {
  std::string_view file;  // the master's current binlog; header.log_pos is its position
};
Result<HeartbeatEvent> decode_heartbeat(std::span<const std::byte> body, const DecodeContext& ctx);

using Uuid = std::array<uint8_t, 16>;
std::string to_string(const Uuid& u);  // "3e11fa47-71ca-11e1-9e33-c80aa9429562"

// MySQL GTID_LOG_EVENT (33) / ANONYMOUS_GTID_LOG_EVENT (34).
struct MysqlGtidEvent {
  uint8_t flags = 0;
  Uuid sid{};
  uint64_t gno = 0;
  std::optional<uint64_t> last_committed;
  std::optional<uint64_t> sequence_number;
  // MySQL >= 8.0.1 appends commit timestamps (microseconds since the epoch).
  std::optional<uint64_t> immediate_commit_us;
  std::optional<uint64_t> original_commit_us;
  bool anonymous = false;
  std::string tag;              // MySQL 8.3+ tagged GTID (GTID_TAGGED_LOG_EVENT); "" untagged
  std::string gtid() const;     // "uuid:gno" or "uuid:tag:gno", "" when anonymous
  std::string sid_key() const;  // "uuid" or "uuid:tag": a GtidSet's key
};
Result<MysqlGtidEvent> decode_mysql_gtid(std::span<const std::byte> body, const DecodeContext& ctx,
                                         bool anonymous);
// GTID_TAGGED_LOG_EVENT (42, MySQL 8.3+): the same fields as a serialized message
// (mysql_serialization.h), in the order of Gtid_event::define_fields() in mysql-server's
// libs/mysql/binlog/event/control_events.h: 0 gtid_flags, 1 uuid (16 varlen bytes), 2 gno
// (signed), 3 tag (string, at most 32), 4 last_committed, 5 sequence_number (signed),
// 6 immediate_commit_timestamp, 7 original_commit_timestamp (absent: the immediate one),
// 8 transaction_length, 9 immediate_server_version, 10 original_server_version,
// 11 commit_group_ticket. The uuid and gno are required; a tag must be a valid MySQL tag.
Result<MysqlGtidEvent> decode_mysql_tagged_gtid(std::span<const std::byte> body,
                                                const DecodeContext& ctx);

struct PreviousGtidsEvent {
  struct Interval {
    uint64_t start = 0;  // inclusive
    uint64_t end = 0;    // exclusive, as on the wire
  };
  struct Sid {
    Uuid uuid{};
    std::string tag;  // tagged format (MySQL 8.3+) only; "" untagged
    std::vector<Interval> intervals;
  };
  std::vector<Sid> sids;
  std::string to_gtid_set() const;  // "uuid:1-5:7,uuid2:tag:1-3"
};
// The body is Gtid_set::encode() of mysql-server's sql/rpl_gtid_set.cc: a u64 word whose top
// byte is the format (0 untagged: the low 56 bits count the sids; 1 tagged: bits 8..55 count
// them and the low byte repeats the format), then per sid its 16 uuid bytes, in the tagged
// format its tag (varlen length + bytes, mysql_serialization.h), a u64 interval count and the
// intervals as [start, end) u64 pairs.
Result<PreviousGtidsEvent> decode_previous_gtids(std::span<const std::byte> body,
                                                 const DecodeContext& ctx);

}  // namespace cdc::mysql
