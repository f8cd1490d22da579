#include "cdc/core/position.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "cdc/core/byte_reader.h"

namespace cdc {

namespace {
constexpr uint8_t kPositionVersion = 1;
// snapshot: a snapshot read from MariaDB (its points are MysqlPositions); snapshot_postgres: the
// same record with PostgresPosition points (a snapshot never mixes sources).
enum class PositionKind : uint8_t {
  none = 0,
  datagen = 1,
  mysql = 2,
  postgres = 3,
  snapshot = 4,
  snapshot_postgres = 5
};

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_str(std::string& out, std::string_view s) {
  put_u64(out, s.size());
  out.append(s);
}
void put_mysql(std::string& out, const MysqlPosition& m) {
  put_str(out, m.binlog.file);
  put_u64(out, m.binlog.offset);
  put_str(out, m.gtid_set);
  put_u64(out, m.events_to_skip);
  put_u64(out, m.rows_to_skip);
}
void put_postgres(std::string& out, const PostgresPosition& pg) {
  put_u64(out, static_cast<uint64_t>(pg.commit_lsn));
  put_u64(out, static_cast<uint64_t>(pg.lsn));
  put_u64(out, pg.events_to_skip);
}
// One record holds points of one kind (a point of the other kind, never set, is written empty).
void put_point(std::string& out, const StreamPoint& at, bool postgres) {
  if (postgres) {
    const auto* pg = std::get_if<PostgresPosition>(&at);
    put_postgres(out, pg ? *pg : PostgresPosition{});
  } else {
    const auto* m = std::get_if<MysqlPosition>(&at);
    put_mysql(out, m ? *m : MysqlPosition{});
  }
}
std::string mysql_text(const MysqlPosition& m) {
  // No file: a start by GTID set before its first transaction arrived.
  std::string s =
      m.binlog.file.empty() ? "" : m.binlog.file + ":" + std::to_string(m.binlog.offset);
  if (!m.gtid_set.empty()) s += (s.empty() ? "gtid=" : " gtid=") + m.gtid_set;
  if (m.events_to_skip != 0 || m.rows_to_skip != 0) {
    s += " skip=" + std::to_string(m.events_to_skip) + "/" + std::to_string(m.rows_to_skip);
  }
  return s;
}
}  // namespace

Position to_position(const StreamPoint& at) {
  return std::visit([](const auto& p) { return Position(p); }, at);
}

std::string to_string(BinlogOffset offset) { return std::to_string(value(offset)); }

void append_text(const EventPosition& at, std::string& out) {
  char digits[24];
  const auto append_number = [&](uint64_t n) {
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, static_cast<size_t>(end - digits));
  };
  if (const auto* b = std::get_if<BinlogEventPosition>(&at)) {
    out += b->file;
    out += ':';
    append_number(value(b->offset));
  } else if (const auto* lsn = std::get_if<Lsn>(&at)) {
    out += to_string(*lsn);
  } else if (const auto* row = std::get_if<RowSequence>(&at)) {
    append_number(static_cast<uint64_t>(*row));
  }
}

std::string to_string(const EventPosition& at) {
  std::string out;
  append_text(at, out);
  return out;
}

std::string to_string(Lsn lsn) {
  const auto v = static_cast<uint64_t>(lsn);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(v >> 32),
                static_cast<unsigned>(v & 0xffffffffu));
  return buf;
}

std::string to_string(const Position& p) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "(none)"; }
    std::string operator()(const DatagenPosition& d) const {
      return "datagen:row=" + std::to_string(d.next_row);
    }
    std::string operator()(const MysqlPosition& m) const { return mysql_text(m); }
    std::string operator()(const SnapshotPosition& sp) const {
      std::string s = "snapshot segments=" + std::to_string(sp.segments.size());
      if (sp.reading && !sp.splits.empty()) {
        s += " reading " + std::to_string(sp.splits.size()) + " split(s) from " +
             sp.splits.front().db + "." + sp.splits.front().table;
      } else if (sp.reading) {
        s += " reading=" + sp.db + "." + sp.table +
             (sp.after_key.empty() ? " (start)" : " (after a key)");
        if (!sp.delivered_key.empty()) s += " (inside a whole-value chunk)";
      } else {
        s += " stream=" + to_string(to_position(sp.stream));
      }
      if (!sp.resnapshot_tables.empty()) {
        s += " re-snapshot=" + sp.resnapshot_tables.front().db + "." +
             sp.resnapshot_tables.front().table +
             (sp.resnapshot_after_key.empty() ? " (start)" : " (after a key)");
        if (sp.resnapshot_tables.size() > 1) {
          s += " +" + std::to_string(sp.resnapshot_tables.size() - 1) + " table(s)";
        }
      }
      return s;
    }
    std::string operator()(const PostgresPosition& pg) const {
      std::string s = "lsn=" + to_string(pg.lsn) + " commit=" + to_string(pg.commit_lsn);
      if (pg.events_to_skip != 0) s += " skip=" + std::to_string(pg.events_to_skip);
      return s;
    }
  };
  return std::visit(Visitor{}, p);
}

std::string encode_position(const Position& p) {
  std::string out;
  out.push_back(static_cast<char>(kPositionVersion));
  if (const auto* d = std::get_if<DatagenPosition>(&p)) {
    out.push_back(static_cast<char>(PositionKind::datagen));
    put_u64(out, d->next_row);
  } else if (const auto* m = std::get_if<MysqlPosition>(&p)) {
    out.push_back(static_cast<char>(PositionKind::mysql));
    put_mysql(out, *m);
  } else if (const auto* sp = std::get_if<SnapshotPosition>(&p)) {
    const bool postgres = of_postgres(*sp);
    out.push_back(
        static_cast<char>(postgres ? PositionKind::snapshot_postgres : PositionKind::snapshot));
    put_u64(out, sp->segments.size());
    for (const auto& seg : sp->segments) {
      put_str(out, seg.db);
      put_str(out, seg.table);
      put_str(out, seg.from_key);
      put_point(out, seg.at, postgres);
    }
    out.push_back(sp->reading ? '\1' : '\0');
    put_str(out, sp->db);
    put_str(out, sp->table);
    put_str(out, sp->after_key);
    put_point(out, sp->stream, postgres);
    // Parallel splits follow only when there are some (or sections follow them): records of one
    // connection keep the encoding they had before splits existed.
    const bool flags = std::any_of(sp->segments.begin(), sp->segments.end(),
                                   [](const SnapshotSegment& seg) { return seg.single_table; });
    const bool resnapshot = !sp->resnapshot_tables.empty();
    const bool split_delivered =
        std::any_of(sp->splits.begin(), sp->splits.end(),
                    [](const SnapshotSplit& split) { return !split.delivered_key.empty(); });
    const bool delivered = !sp->delivered_key.empty() || split_delivered;
    if (!sp->splits.empty() || flags || resnapshot || delivered) {
      put_u64(out, sp->splits.size());
      for (const auto& split : sp->splits) {
        put_str(out, split.db);
        put_str(out, split.table);
        put_str(out, split.from_key);
        put_str(out, split.through_key);
        put_str(out, split.after_key);
      }
    }
    // Then, when any segment holds its own table only, one flag byte per segment (a count of 0
    // when none does and a later section follows).
    if (flags) {
      put_u64(out, sp->segments.size());
      for (const auto& seg : sp->segments) out.push_back(seg.single_table ? '\1' : '\0');
    } else if (resnapshot || delivered) {
      put_u64(out, 0);
    }
    // Then a re-snapshot in progress: its tables and the key after which it goes on (a count of
    // 0 when none runs and the delivered key follows).
    if (resnapshot) {
      put_u64(out, sp->resnapshot_tables.size());
      for (const auto& t : sp->resnapshot_tables) {
        put_str(out, t.db);
        put_str(out, t.table);
      }
      put_str(out, sp->resnapshot_after_key);
    } else if (delivered) {
      put_u64(out, 0);
    }
    // Then the key delivered beyond after_key in a whole-value chunk ("" when only splits have
    // one), and each split's when any has one.
    if (delivered) put_str(out, sp->delivered_key);
    if (split_delivered) {
      put_u64(out, sp->splits.size());
      for (const auto& split : sp->splits) put_str(out, split.delivered_key);
    }
  } else if (const auto* pg = std::get_if<PostgresPosition>(&p)) {
    out.push_back(static_cast<char>(PositionKind::postgres));
    put_postgres(out, *pg);
  } else {
    out.push_back(static_cast<char>(PositionKind::none));
  }
  return out;
}

Result<Position> decode_position(std::span<const std::byte> bytes) {
  ByteReader r(bytes);
  const uint8_t version = r.u8();
  const auto kind = static_cast<PositionKind>(r.u8());
  CDC_TRY(ByteReader(r).finish(/*allow_trailing=*/true));
  if (version != kPositionVersion) {
    return make_error(Errc::unsupported, "position encoding version " + std::to_string(version) +
                                             " (this build reads " +
                                             std::to_string(kPositionVersion) + ")");
  }
  auto read_str = [&r]() -> std::string_view {
    const uint64_t n = r.u64le();
    if (n > r.remaining()) {
      r.mark_malformed("string length " + std::to_string(n) + " exceeds the record");
      return {};
    }
    return r.string(n);
  };
  auto read_mysql = [&]() {
    MysqlPosition m;
    m.binlog.file = std::string(read_str());
    m.binlog.offset = r.u64le();
    m.gtid_set = std::string(read_str());
    m.events_to_skip = r.u64le();
    m.rows_to_skip = r.u64le();
    return m;
  };
  auto read_postgres = [&]() {
    PostgresPosition pg;
    pg.commit_lsn = Lsn{r.u64le()};
    pg.lsn = Lsn{r.u64le()};
    pg.events_to_skip = r.u64le();
    return pg;
  };
  const bool postgres_points = kind == PositionKind::snapshot_postgres;
  auto read_point = [&]() -> StreamPoint {
    if (postgres_points) return read_postgres();
    return read_mysql();
  };
  Position out;
  switch (kind) {
    case PositionKind::none: break;
    case PositionKind::datagen: out = DatagenPosition{r.u64le()}; break;
    case PositionKind::mysql: out = read_mysql(); break;
    case PositionKind::snapshot:
    case PositionKind::snapshot_postgres: {
      SnapshotPosition sp;
      const uint64_t n = r.u64le();
      // Each segment takes at least 48 bytes: a count beyond that is not a record of ours.
      if (n > r.remaining() / 48) {
        r.mark_malformed("snapshot segment count " + std::to_string(n) + " exceeds the record");
        break;
      }
      for (uint64_t seg_idx = 0; seg_idx < n && r.remaining() > 0; ++seg_idx) {
        SnapshotSegment seg;
        seg.db = std::string(read_str());
        seg.table = std::string(read_str());
        seg.from_key = std::string(read_str());
        seg.at = read_point();
        sp.segments.push_back(std::move(seg));
      }
      const uint8_t reading = r.u8();
      if (reading > 1) r.mark_malformed("snapshot reading flag " + std::to_string(reading));
      sp.reading = reading == 1;
      sp.db = std::string(read_str());
      sp.table = std::string(read_str());
      sp.after_key = std::string(read_str());
      sp.stream = read_point();
      if (r.remaining() > 0) {
        const uint64_t splits = r.u64le();
        // Each split takes at least 40 bytes; none only when segment flags follow.
        if ((splits == 0 && r.remaining() == 0) || splits > r.remaining() / 40) {
          r.mark_malformed("snapshot split count " + std::to_string(splits) +
                           " does not fit the record");
          break;
        }
        for (uint64_t split_idx = 0; split_idx < splits; ++split_idx) {
          SnapshotSplit split;
          split.db = std::string(read_str());
          split.table = std::string(read_str());
          split.from_key = std::string(read_str());
          split.through_key = std::string(read_str());
          split.after_key = std::string(read_str());
          sp.splits.push_back(std::move(split));
        }
      }
      if (r.remaining() > 0) {
        const uint64_t flags = r.u64le();
        // None set is written as a count of 0, and only when a re-snapshot follows.
        if (flags == 0 ? r.remaining() == 0
                       : flags != sp.segments.size() || flags > r.remaining()) {
          r.mark_malformed("snapshot segment flag count " + std::to_string(flags) + " for " +
                           std::to_string(sp.segments.size()) + " segment(s)");
          break;
        }
        bool any = flags == 0;
        for (uint64_t i = 0; i < flags; ++i) {
          const uint8_t flag = r.u8();
          if (flag > 1) r.mark_malformed("snapshot segment flag " + std::to_string(flag));
          sp.segments[i].single_table = flag == 1;
          any = any || flag == 1;
        }
        if (!any) r.mark_malformed("snapshot segment flags without a set one");
      }
      if (r.remaining() > 0) {
        const uint64_t tables = r.u64le();
        // Each table takes at least 16 bytes, and the key 8 more; none only when the delivered
        // key follows.
        if ((tables == 0 && r.remaining() == 0) || tables > r.remaining() / 16) {
          r.mark_malformed("re-snapshot table count " + std::to_string(tables) +
                           " does not fit the record");
          break;
        }
        for (uint64_t i = 0; i < tables && r.remaining() > 0; ++i) {
          SnapshotTable t;
          t.db = std::string(read_str());
          t.table = std::string(read_str());
          sp.resnapshot_tables.push_back(std::move(t));
        }
        if (tables != 0) {
          sp.resnapshot_after_key = std::string(read_str());
          if (sp.reading) r.mark_malformed("a re-snapshot in a snapshot still reading");
        }
      }
      if (r.remaining() > 0) {
        sp.delivered_key = std::string(read_str());
        bool any = !sp.delivered_key.empty();
        if (r.remaining() > 0) {
          const uint64_t n = r.u64le();
          if (n != sp.splits.size() || n == 0) {
            r.mark_malformed("snapshot split delivered-key count " + std::to_string(n) + " for " +
                             std::to_string(sp.splits.size()) + " split(s)");
            break;
          }
          for (auto& split : sp.splits) {
            split.delivered_key = std::string(read_str());
            any = any || !split.delivered_key.empty();
          }
        }
        if (!sp.reading || !any ||
            (!sp.delivered_key.empty() && sp.after_key == sp.delivered_key)) {
          r.mark_malformed("a delivered key outside a snapshot being read");
        }
      }
      out = std::move(sp);
      break;
    }
    case PositionKind::postgres: out = read_postgres(); break;
    default:
      return make_error(Errc::malformed,
                        "unknown position kind " + std::to_string(static_cast<int>(kind)));
  }
  if (auto st = r.finish(); !st) return std::move(st).error().with_context("decoding a position");
  return out;
}

uint64_t binlog_file_index(std::string_view file) {
  const auto dot = file.rfind('.');
  if (dot == std::string_view::npos) return 0;
  uint64_t v = 0;
  std::from_chars(file.data() + dot + 1, file.data() + file.size(), v);
  return v;
}

std::partial_ordering compare(const Position& a, const Position& b) {
  if (a.index() != b.index()) return std::partial_ordering::unordered;
  if (const auto* da = std::get_if<DatagenPosition>(&a)) {
    return da->next_row <=> std::get<DatagenPosition>(b).next_row;
  }
  if (const auto* ma = std::get_if<MysqlPosition>(&a)) {
    const auto& mb = std::get<MysqlPosition>(b);
    if (auto c = binlog_file_index(ma->binlog.file) <=> binlog_file_index(mb.binlog.file); c != 0)
      return c;
    if (auto c = ma->binlog.offset <=> mb.binlog.offset; c != 0) return c;
    if (auto c = ma->events_to_skip <=> mb.events_to_skip; c != 0) return c;
    return ma->rows_to_skip <=> mb.rows_to_skip;
  }
  if (const auto* pa = std::get_if<PostgresPosition>(&a)) {
    const auto& pb = std::get<PostgresPosition>(b);
    if (auto c = static_cast<uint64_t>(pa->commit_lsn) <=> static_cast<uint64_t>(pb.commit_lsn);
        c != 0)
      return c;
    if (auto c = static_cast<uint64_t>(pa->lsn) <=> static_cast<uint64_t>(pb.lsn); c != 0) return c;
    return pa->events_to_skip <=> pb.events_to_skip;
  }
  if (const auto* sa = std::get_if<SnapshotPosition>(&a)) {
    // Only equal ones are ordered: progress through tables and keys has no total order here
    // (key order is the table's collation, which only the source knows).
    return *sa == std::get<SnapshotPosition>(b) ? std::partial_ordering::equivalent
                                                : std::partial_ordering::unordered;
  }
  return std::partial_ordering::equivalent;
}

}  // namespace cdc
