#include "cdc/postgres/pgoutput/pgoutput_text.h"

#include <cstdio>

namespace cdc::postgres {

namespace {

class Line {
 public:
  Line(std::string_view type, Lsn at) {
    out_ = "{\"lsn\":\"" + to_string(at) + "\",\"type\":";
    str(type);
  }
  Line& key(std::string_view k) {
    out_ += ",\"";
    out_ += k;
    out_ += "\":";
    return *this;
  }
  Line& str(std::string_view s) {
    out_ += '"';
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (u < 0x20 || u >= 0x7f) {
        // Bytes outside printable ASCII as \u00XX: the value's bytes, whatever their encoding.
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", u);
        out_ += buf;
      } else {
        out_ += c;
      }
    }
    out_ += '"';
    return *this;
  }
  Line& num(uint64_t v) {
    out_ += std::to_string(v);
    return *this;
  }
  Line& snum(int64_t v) {
    out_ += std::to_string(v);
    return *this;
  }
  Line& lsn(Lsn v) { return str(to_string(v)); }
  Line& raw(std::string_view text) {
    out_ += text;
    return *this;
  }
  Line& boolean(bool b) {
    out_ += b ? "true" : "false";
    return *this;
  }
  Line& tuple(const TupleData& t) {
    out_ += '[';
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (i > 0) out_ += ',';
      const auto& c = t.columns[i];
      if (c.kind == 'n') {
        out_ += "null";
      } else if (c.kind == 'u') {
        out_ += "{\"unchanged_toast\":true}";
      } else if (c.kind == 'b') {
        out_ += "{\"binary\":";
        str(c.data);
        out_ += '}';
      } else {
        str(c.data);
      }
    }
    out_ += ']';
    return *this;
  }
  std::string done() { return out_ + "}"; }

 private:
  std::string out_;
};

}  // namespace

std::string describe_pgoutput(const PgoutputMessage& message, Lsn at) {
  return std::visit(
      [&](const auto& m) -> std::string {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, BeginMessage>) {
          Line l("Begin", at);
          l.key("final_lsn").lsn(m.final_lsn).key("commit_time_ms").snum(unix_ms(m.commit_time));
          return l.key("xid").num(m.xid).done();
        } else if constexpr (std::is_same_v<M, CommitMessage>) {
          Line l("Commit", at);
          l.key("flags")
              .num(m.flags)
              .key("commit_lsn")
              .lsn(m.commit_lsn)
              .key("end_lsn")
              .lsn(m.end_lsn);
          return l.key("commit_time_ms").snum(unix_ms(m.commit_time)).done();
        } else if constexpr (std::is_same_v<M, OriginMessage>) {
          Line l("Origin", at);
          return l.key("commit_lsn").lsn(m.commit_lsn).key("name").str(m.name).done();
        } else if constexpr (std::is_same_v<M, RelationMessage>) {
          Line l("Relation", at);
          if (m.xid != 0) l.key("xid").num(m.xid);
          l.key("relation_id").num(m.relation_id).key("namespace").str(m.nspname);
          l.key("name")
              .str(m.relname)
              .key("replica_identity")
              .str(std::string(1, m.replica_identity));
          l.key("columns").raw("[");
          for (size_t i = 0; i < m.columns.size(); ++i) {
            const auto& c = m.columns[i];
            l.raw(i > 0 ? ",{\"name\":" : "{\"name\":").str(c.name).raw(",\"key\":").boolean(c.key);
            l.raw(",\"type_oid\":")
                .num(c.type_oid)
                .raw(",\"type_modifier\":")
                .snum(c.typmod)
                .raw("}");
          }
          return l.raw("]").done();
        } else if constexpr (std::is_same_v<M, TypeMessage>) {
          Line l("Type", at);
          if (m.xid != 0) l.key("xid").num(m.xid);
          l.key("type_oid").num(m.type_oid).key("namespace").str(m.nspname);
          return l.key("name").str(m.name).done();
        } else if constexpr (std::is_same_v<M, InsertMessage>) {
          Line l("Insert", at);
          if (m.xid != 0) l.key("xid").num(m.xid);
          return l.key("relation_id").num(m.relation_id).key("new").tuple(m.new_tuple).done();
        } else if constexpr (std::is_same_v<M, UpdateMessage>) {
          Line l("Update", at);
          if (m.xid != 0) l.key("xid").num(m.xid);
          l.key("relation_id").num(m.relation_id);
          if (m.old_kind == 'K') l.key("old_key").tuple(m.old_tuple);
          if (m.old_kind == 'O') l.key("old").tuple(m.old_tuple);
          return l.key("new").tuple(m.new_tuple).done();
        } else if constexpr (std::is_same_v<M, DeleteMessage>) {
          Line l("Delete", at);
          if (m.xid != 0) l.key("xid").num(m.xid);
          l.key("relation_id").num(m.relation_id);
          return l.key(m.old_kind == 'K' ? "old_key" : "old").tuple(m.old_tuple).done();
        } else if constexpr (std::is_same_v<M, TruncateMessage>) {
          Line l("Truncate", at);
          if (m.xid != 0) l.key("xid").num(m.xid);
          l.key("cascade").boolean(m.cascade).key("restart_identity").boolean(m.restart_identity);
          l.key("relation_ids").raw("[");
          for (size_t i = 0; i < m.relation_ids.size(); ++i)
            l.raw(i > 0 ? "," : "").num(m.relation_ids[i]);
          return l.raw("]").done();
        } else if constexpr (std::is_same_v<M, LogicalMessage>) {
          Line l("Message", at);
          if (m.xid != 0) l.key("xid").num(m.xid);
          l.key("transactional").boolean(m.transactional).key("message_lsn").lsn(m.lsn);
          return l.key("prefix").str(m.prefix).key("content").str(m.content).done();
        } else if constexpr (std::is_same_v<M, StreamStartMessage>) {
          Line l("Stream Start", at);
          return l.key("xid").num(m.xid).key("first_segment").boolean(m.first_segment).done();
        } else if constexpr (std::is_same_v<M, StreamStopMessage>) {
          return Line("Stream Stop", at).done();
        } else if constexpr (std::is_same_v<M, StreamCommitMessage>) {
          Line l("Stream Commit", at);
          l.key("xid").num(m.xid).key("commit_lsn").lsn(m.commit_lsn).key("end_lsn").lsn(m.end_lsn);
          return l.key("commit_time_ms").snum(unix_ms(m.commit_time)).done();
        } else {
          static_assert(std::is_same_v<M, StreamAbortMessage>);
          Line l("Stream Abort", at);
          return l.key("xid").num(m.xid).key("subxid").num(m.subxid).done();
        }
      },
      message);
}

}  // namespace cdc::postgres
