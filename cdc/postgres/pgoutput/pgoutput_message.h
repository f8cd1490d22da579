// The messages of PostgreSQL's pgoutput logical decoding plugin (protocol versions 1 and 2, as
// PostgreSQL 15 writes them: src/backend/replication/logical/proto.c), decoded without copies:
// every string_view points into the bytes given to decode_pgoutput, which must outlive them.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "cdc/core/position.h"

namespace cdc::postgres {

// Microseconds since 2000-01-01 00:00:00 UTC (PostgreSQL's epoch), as the wire carries it.
enum class PgTimestamp : int64_t {};
int64_t unix_ms(PgTimestamp ts);

struct TupleColumn {
  // 'n' null, 'u' unchanged TOAST value (not sent), 't' text form, 'b' binary form.
  char kind = 'n';
  std::string_view data;  // the value's bytes for 't' and 'b'
};

struct TupleData {
  std::vector<TupleColumn> columns;
};

struct BeginMessage {
  Lsn final_lsn{0};  // the commit record's LSN
  PgTimestamp commit_time{0};
  uint32_t xid = 0;
};

struct CommitMessage {
  uint8_t flags = 0;
  Lsn commit_lsn{0};
  Lsn end_lsn{0};  // the end of the commit record: where a resume continues
  PgTimestamp commit_time{0};
};

struct OriginMessage {
  Lsn commit_lsn{0};
  std::string_view name;
};

struct RelationColumn {
  bool key = false;  // flag 1: part of the replica identity
  std::string_view name;
  uint32_t type_oid = 0;
  int32_t typmod = -1;
};

struct RelationMessage {
  uint32_t xid = 0;  // set inside a streamed transaction (protocol 2)
  uint32_t relation_id = 0;
  std::string_view nspname;
  std::string_view relname;
  // 'd' default (primary key), 'n' nothing, 'f' full, 'i' index.
  char replica_identity = 'd';
  std::vector<RelationColumn> columns;
};

struct TypeMessage {
  uint32_t xid = 0;
  uint32_t type_oid = 0;
  std::string_view nspname;
  std::string_view name;
};

struct InsertMessage {
  uint32_t xid = 0;
  uint32_t relation_id = 0;
  TupleData new_tuple;
};

struct UpdateMessage {
  uint32_t xid = 0;
  uint32_t relation_id = 0;
  // 'K' the old key (REPLICA IDENTITY DEFAULT/INDEX with a changed key), 'O' the whole old
  // row (REPLICA IDENTITY FULL), 0 no old tuple (key unchanged).
  char old_kind = 0;
  TupleData old_tuple;
  TupleData new_tuple;
};

struct DeleteMessage {
  uint32_t xid = 0;
  uint32_t relation_id = 0;
  char old_kind = 'K';  // 'K' or 'O', as for UpdateMessage
  TupleData old_tuple;
};

struct TruncateMessage {
  uint32_t xid = 0;
  bool cascade = false;
  bool restart_identity = false;
  std::vector<uint32_t> relation_ids;
};

struct LogicalMessage {
  uint32_t xid = 0;
  bool transactional = false;
  Lsn lsn{0};
  std::string_view prefix;
  std::string_view content;
};

struct StreamStartMessage {
  uint32_t xid = 0;
  bool first_segment = false;
};

struct StreamStopMessage {};

struct StreamCommitMessage {
  uint32_t xid = 0;
  uint8_t flags = 0;
  Lsn commit_lsn{0};
  Lsn end_lsn{0};
  PgTimestamp commit_time{0};
};

struct StreamAbortMessage {
  uint32_t xid = 0;     // the top-level transaction
  uint32_t subxid = 0;  // == xid: the whole transaction; else only that subtransaction
};

using PgoutputMessage =
    std::variant<BeginMessage, CommitMessage, OriginMessage, RelationMessage, TypeMessage,
                 InsertMessage, UpdateMessage, DeleteMessage, TruncateMessage, LogicalMessage,
                 StreamStartMessage, StreamStopMessage, StreamCommitMessage, StreamAbortMessage>;

// The message's name as PostgreSQL's documentation spells it ("Insert", "Stream Commit").
std::string_view message_name(char type);

}  // namespace cdc::postgres
