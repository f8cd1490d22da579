#include "cdc/postgres/pgoutput/pgoutput_decoder.h"

#include <cstdio>
#include <string>

#include "cdc/core/byte_reader.h"

namespace cdc::postgres {

namespace {

// 946684800 s: 2000-01-01 in Unix time (PostgreSQL's POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE).
constexpr int64_t kPgEpochUnixMs = 946684800000;

Lsn read_lsn(ByteReader& r) { return Lsn{r.u64be()}; }
PgTimestamp read_ts(ByteReader& r) { return PgTimestamp{static_cast<int64_t>(r.u64be())}; }

// TupleData (proto.c logicalrep_read_tuple): Int16 column count, then per column a kind byte and,
// for 't'/'b', an Int32 length and the bytes.
void read_tuple(ByteReader& r, TupleData& out, TupleScratch* scratch) {
  const uint16_t ncols = r.u16be();
  // Each column takes at least its kind byte: a count beyond what is left cannot be true, and
  // must not size the vector.
  if (ncols > r.remaining()) {
    r.mark_malformed("tuple of " + std::to_string(ncols) + " columns in " +
                     std::to_string(r.remaining()) + " bytes");
    return;
  }
  if (scratch != nullptr) out.columns = scratch->take();
  out.columns.resize(ncols);
  for (auto& col : out.columns) {
    col.kind = static_cast<char>(r.u8());
    switch (col.kind) {
      case 'n':
      case 'u': break;
      case 't':
      case 'b': {
        const uint32_t len = r.u32be();
        if (len > r.remaining()) {  // also catches "negative" lengths read as huge
          r.mark_malformed("column value of " + std::to_string(len) + " bytes in " +
                           std::to_string(r.remaining()) + " bytes");
          return;
        }
        col.data = r.string(len);
        break;
      }
      default:
        if (r.ok()) {
          r.mark_malformed("tuple column kind byte 0x" +
                           std::to_string(static_cast<uint8_t>(col.kind)));
        }
        return;
    }
    if (!r.ok()) return;
  }
}

// The old-tuple marker of Update/Delete: 'K' (key) or 'O' (old row).
char read_old_kind(ByteReader& r, bool required) {
  const char kind = static_cast<char>(r.u8());
  if (kind == 'K' || kind == 'O' || (!required && kind == 'N')) return kind;
  if (r.ok()) r.mark_malformed(std::string("tuple marker '") + kind + "'");
  return 0;
}

void expect_new_marker(ByteReader& r) {
  const char marker = static_cast<char>(r.u8());
  if (marker != 'N' && r.ok())
    r.mark_malformed(std::string("tuple marker '") + marker + "', expected 'N'");
}

// Commit and Stream Commit share their layout after Stream Commit's xid.
template <class M>
void read_commit(ByteReader& r, M& m) {
  m.flags = r.u8();
  m.commit_lsn = read_lsn(r);
  m.end_lsn = read_lsn(r);
  m.commit_time = read_ts(r);
}

uint32_t stream_xid(ByteReader& r, const PgoutputContext& ctx) {
  return ctx.in_stream ? r.u32be() : 0;
}

Result<PgoutputMessage> decode_body(char type, ByteReader& r, const PgoutputContext& ctx) {
  switch (type) {
    case 'B': {
      BeginMessage m;
      m.final_lsn = read_lsn(r);
      m.commit_time = read_ts(r);
      m.xid = r.u32be();
      return PgoutputMessage(m);
    }
    case 'C': {
      CommitMessage m;
      read_commit(r, m);
      return PgoutputMessage(m);
    }
    case 'O': {
      OriginMessage m;
      m.commit_lsn = read_lsn(r);
      m.name = r.cstring();
      return PgoutputMessage(m);
    }
    case 'R': {
      RelationMessage m;
      m.xid = stream_xid(r, ctx);
      m.relation_id = r.u32be();
      m.nspname = r.cstring();
      m.relname = r.cstring();
      m.replica_identity = static_cast<char>(r.u8());
      const uint16_t ncols = r.u16be();
      // A column takes at least 10 bytes (flags, empty name's NUL, oid, typmod).
      if (ncols > r.remaining() / 10) {
        r.mark_malformed("relation of " + std::to_string(ncols) + " columns in " +
                         std::to_string(r.remaining()) + " bytes");
      } else {
        m.columns.resize(ncols);
        for (auto& col : m.columns) {
          col.key = (r.u8() & 1) != 0;
          col.name = r.cstring();
          col.type_oid = r.u32be();
          col.typmod = static_cast<int32_t>(r.u32be());
        }
      }
      const char ri = m.replica_identity;
      if (r.ok() && ri != 'd' && ri != 'n' && ri != 'f' && ri != 'i') {
        r.mark_malformed(std::string("replica identity '") + ri + "'");
      }
      return PgoutputMessage(std::move(m));
    }
    case 'Y': {
      TypeMessage m;
      m.xid = stream_xid(r, ctx);
      m.type_oid = r.u32be();
      m.nspname = r.cstring();
      m.name = r.cstring();
      return PgoutputMessage(m);
    }
    case 'I': {
      InsertMessage m;
      m.xid = stream_xid(r, ctx);
      m.relation_id = r.u32be();
      expect_new_marker(r);
      read_tuple(r, m.new_tuple, ctx.scratch);
      return PgoutputMessage(std::move(m));
    }
    case 'U': {
      UpdateMessage m;
      m.xid = stream_xid(r, ctx);
      m.relation_id = r.u32be();
      const char first = read_old_kind(r, false);
      if (first == 'K' || first == 'O') {
        m.old_kind = first;
        read_tuple(r, m.old_tuple, ctx.scratch);
        expect_new_marker(r);
      }
      read_tuple(r, m.new_tuple, ctx.scratch);
      return PgoutputMessage(std::move(m));
    }
    case 'D': {
      DeleteMessage m;
      m.xid = stream_xid(r, ctx);
      m.relation_id = r.u32be();
      m.old_kind = read_old_kind(r, true);
      read_tuple(r, m.old_tuple, ctx.scratch);
      return PgoutputMessage(std::move(m));
    }
    case 'T': {
      TruncateMessage m;
      m.xid = stream_xid(r, ctx);
      const uint32_t count = r.u32be();
      const uint8_t options = r.u8();
      m.cascade = (options & 1) != 0;
      m.restart_identity = (options & 2) != 0;
      if (count > r.remaining() / 4) {
        r.mark_malformed("truncate of " + std::to_string(count) + " relations in " +
                         std::to_string(r.remaining()) + " bytes");
      } else {
        m.relation_ids.resize(count);
        for (auto& id : m.relation_ids) id = r.u32be();
      }
      return PgoutputMessage(std::move(m));
    }
    case 'M': {
      LogicalMessage m;
      m.xid = stream_xid(r, ctx);
      m.transactional = (r.u8() & 1) != 0;
      m.lsn = read_lsn(r);
      m.prefix = r.cstring();
      const uint32_t len = r.u32be();
      if (len > r.remaining()) {
        r.mark_malformed("message content of " + std::to_string(len) + " bytes in " +
                         std::to_string(r.remaining()) + " bytes");
      } else {
        m.content = r.string(len);
      }
      return PgoutputMessage(m);
    }
    case 'S': {
      StreamStartMessage m;
      m.xid = r.u32be();
      const uint8_t first = r.u8();
      if (first > 1 && r.ok()) r.mark_malformed("first_segment " + std::to_string(first));
      m.first_segment = first == 1;
      return PgoutputMessage(m);
    }
    case 'E': return PgoutputMessage(StreamStopMessage{});
    case 'c': {
      StreamCommitMessage m;
      m.xid = r.u32be();
      read_commit(r, m);
      return PgoutputMessage(m);
    }
    case 'A': {
      StreamAbortMessage m;
      m.xid = r.u32be();
      m.subxid = r.u32be();
      return PgoutputMessage(m);
    }
    default: break;
  }
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", static_cast<uint8_t>(type));
  return make_error(Errc::unsupported, std::string("unknown pgoutput message type ") + hex);
}

}  // namespace

std::vector<TupleColumn> TupleScratch::take() {
  if (spare_.empty()) return {};
  std::vector<TupleColumn> v = std::move(spare_.back());
  spare_.pop_back();
  v.clear();
  return v;
}

void TupleScratch::recycle(PgoutputMessage& msg) {
  constexpr size_t kMaxSpare = 4;  // a message holds at most two tuples
  const auto give = [&](TupleData& t) {
    if (t.columns.capacity() > 0 && spare_.size() < kMaxSpare) {
      spare_.push_back(std::move(t.columns));
    }
  };
  if (auto* m = std::get_if<InsertMessage>(&msg)) {
    give(m->new_tuple);
  } else if (auto* m = std::get_if<UpdateMessage>(&msg)) {
    give(m->new_tuple);
    give(m->old_tuple);
  } else if (auto* m = std::get_if<DeleteMessage>(&msg)) {
    give(m->old_tuple);
  }
}

int64_t unix_ms(PgTimestamp ts) { return kPgEpochUnixMs + static_cast<int64_t>(ts) / 1000; }

std::string_view message_name(char type) {
  switch (type) {
    case 'B': return "Begin";
    case 'C': return "Commit";
    case 'O': return "Origin";
    case 'R': return "Relation";
    case 'Y': return "Type";
    case 'I': return "Insert";
    case 'U': return "Update";
    case 'D': return "Delete";
    case 'T': return "Truncate";
    case 'M': return "Message";
    case 'S': return "Stream Start";
    case 'E': return "Stream Stop";
    case 'c': return "Stream Commit";
    case 'A': return "Stream Abort";
    default: return "unknown";
  }
}

Result<PgoutputMessage> decode_pgoutput(std::span<const std::byte> bytes,
                                        const PgoutputContext& ctx, Lsn at) {
  ByteReader r(bytes);
  const char type = static_cast<char>(r.u8());
  const auto context = [&] {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", static_cast<uint8_t>(type));
    return "pgoutput " + std::string(message_name(type)) + " message (type " + hex + ") at " +
           to_string(at);
  };
  if (!r.ok()) return make_error(Errc::truncated, "empty pgoutput message at " + to_string(at));
  auto msg = decode_body(type, r, ctx);
  if (!msg) return std::move(msg).error().with_context(context());
  if (auto st = r.finish(); !st) return std::move(st).error().with_context(context());
  return msg;
}

}  // namespace cdc::postgres
