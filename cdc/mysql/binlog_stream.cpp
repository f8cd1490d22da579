#include "cdc/mysql/binlog_stream.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "cdc/mysql/binlog/event_type.h"
#include "cdc/mysql/binlog/mariadb_compressed.h"
#include "cdc/mysql/binlog/transaction_payload.h"
#include "cdc/mysql/schema/ddl_statement.h"
#include "cdc/mysql/schema/dml_statement.h"

namespace cdc::mysql {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string upper_trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || s.back() == ';')) {
    s.remove_suffix(1);
  }
  std::string out(s.substr(0, 16));
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

BinlogStream::BinlogStream(BinlogStreamConfig config, TableMapCache& tables, DecodeContext ctx,
                           const MysqlPosition& start, GtidSet gtids)
    : config_(std::move(config)), tables_(tables), ctx_(ctx), cursor_(start, std::move(gtids)) {}

Status BinlogStream::continue_buffered(Batch& batch) {
  if (pending_) return emit_pending(batch);
  if (payload_) return handle_next_inner(batch);
  return {};
}

std::string BinlogStream::where(const EventHeader& h) const {
  return describe_event_type(h.type) + " at " + location(place_of(h));
}

std::string BinlogStream::where(uint8_t type, const Place& place) const {
  std::string s = describe_event_type(type);
  if (place.inner) s += " (event " + std::to_string(*place.inner) + " of TRANSACTION_PAYLOAD (40))";
  return s + " at " + location(place);
}

std::string BinlogStream::location(const Place& place) const {
  return cursor_.file() + ":" + to_string(place.start);
}

void BinlogStream::end_txn(BinlogOffset next) {
  cursor_.end(next);
  statement_.clear();
  ++statement_gen_;
}

void BinlogStream::set_statement(std::string_view statement) {
  statement_ = std::string(statement);
  ++statement_gen_;
}

Status BinlogStream::handle(std::span<const std::byte> raw, Batch& batch, bool& heartbeat) {
  CDC_TRY_ASSIGN(const EventHeader h, decode_event_header(raw));
  if (h.type == code(EventType::format_description)) {
    auto fde = decode_format_description(raw);
    if (!fde) return std::move(fde).error().with_context(where(h));
    ctx_ = fde->to_context();
    return {};
  }
  // MariaDB log_bin_compress: the uncompressed equivalent is decoded; positions and the type in
  // messages stay the original event's (`h`), which is what is on disk.
  std::vector<std::byte> inflated;
  if (is_mariadb_compressed(h.type)) {
    auto r = inflate_mariadb_compressed_event(raw, ctx_, config_.max_transaction_payload_bytes);
    if (!r) return std::move(r).error().with_context(where(h));
    inflated = std::move(*r);
    raw = inflated;
  }
  auto decoded = decode_event(raw, ctx_);
  if (!decoded) return std::move(decoded).error().with_context(where(h));
  const Place place = place_of(h);
  return handle_decoded(*decoded, Event{h, raw, place, ctx_, batch, heartbeat});
}

Status BinlogStream::handle_next_inner(Batch& batch) {
  auto& pl = *payload_;
  const Place place = place_of(pl.header, pl.reader.index());
  auto next = pl.reader.next();
  if (!next) return std::move(next).error().with_context(where(pl.header));
  if (!next->has_value()) {
    payload_.reset();
    return {};
  }
  const auto raw = **next;
  auto decoded = decode_event(raw, pl.ctx);
  if (!decoded) {
    return std::move(decoded).error().with_context(
        where(static_cast<uint8_t>(raw[kEventTypeOffset]), place));
  }
  switch (static_cast<EventType>(decoded->header.type)) {
    case EventType::format_description:
    case EventType::rotate:
    case EventType::heartbeat:
    case EventType::heartbeat_v2:
    case EventType::transaction_payload:
    case EventType::gtid:
    case EventType::gtid_tagged:
    case EventType::anonymous_gtid:
    case EventType::previous_gtids:
    case EventType::mariadb_gtid:
    case EventType::gtid_list:
    case EventType::stop:
      // Binlog_event_writer only compresses the transaction's own events.
      return make_error(Errc::malformed, "event not allowed inside a transaction payload")
          .with_context(where(decoded->header.type, place));
    default: break;
  }
  // The server compresses one transaction per payload. An event after its end could not be
  // resumed correctly (the position then points past the payload), so it is refused.
  if (pl.txn_ended) {
    return make_error(Errc::malformed, "event after the end of the transaction in its payload")
        .with_context(where(decoded->header.type, place));
  }
  bool heartbeat = false;
  CDC_TRY(handle_decoded(*decoded, Event{decoded->header, raw, place, pl.ctx, batch, heartbeat}));
  pl.txn_ended = !cursor_.in_txn();
  return {};
}

Status BinlogStream::handle_decoded(BinlogEvent& ev, const Event& e) {
  return std::visit([&](auto& body) { return on(body, e); }, ev.body);
}

Status BinlogStream::on(const TransactionPayloadEvent& ev, const Event& e) {
  auto events = decompress_transaction_payload(ev, config_.max_transaction_payload_bytes);
  if (!events) return std::move(events).error().with_context(where(e.header));
  cursor_.begin_if_idle(e.place.start);  // MySQL writes the GTID event before the payload
  payload_.emplace();
  payload_->events = std::move(*events);
  payload_->reader = PayloadEventReader(payload_->events);
  payload_->header = e.header;
  payload_->ctx = transaction_payload_context(ctx_);
  return {};
}

Status BinlogStream::on(const RotateEvent& ev, const Event& e) {
  const EventHeader& h = e.header;
  const bool artificial =
      h.timestamp == 0 || h.log_pos == 0 || (h.flags & kLogEventArtificialFlag) != 0;
  cursor_.rotate(ev.next_file,
                 artificial ? std::nullopt : std::optional<BinlogOffset>(ev.position));
  return {};
}

Status BinlogStream::on(const IgnorableEvent& ev, const Event& e) {
  if (!warned_ignorable_[ev.type] && config_.warn) {
    warned_ignorable_[ev.type] = true;
    config_.warn("passing over " + where(e.header.type, e.place) +
                 ": sluice does not decode it and its header carries LOG_EVENT_IGNORABLE_F, which "
                 "lets a replica ignore it (logged once per event type)");
  }
  return {};
}

Status BinlogStream::on(const HeartbeatEvent&, const Event& e) {
  e.heartbeat = true;
  return {};
}

Status BinlogStream::on(const GtidListEvent& ev, const Event&) {
  cursor_.seed_mariadb_gtids(ev.gtids);
  return {};
}

Status BinlogStream::on(const PreviousGtidsEvent& ev, const Event&) {
  cursor_.seed_mysql_gtids(ev.to_gtid_set());
  return {};
}

Status BinlogStream::on(const MariadbGtidEvent& ev, const Event& e) {
  cursor_.begin(e.place.start);
  cursor_.set_mariadb_gtid(MariadbGtid{ev.domain_id, e.header.server_id, ev.sequence},
                           ev.standalone());
  return {};
}

Status BinlogStream::on(const MysqlGtidEvent& ev, const Event& e) {
  cursor_.begin(e.place.start);
  cursor_.set_mysql_gtid(ev);
  return {};
}

namespace {

// A statement for an error or a log line: at most 300 characters.
std::string quoted_statement(std::string_view sql) {
  std::string s(sql.substr(0, 300));
  if (sql.size() > 300) s += "...";
  return "'" + s + "'";
}

}  // namespace

Status BinlogStream::on(const QueryEvent& ev, const Event& e) {
  const std::string head = upper_trim(ev.statement);
  if (head == "BEGIN" || head == "START TRANSACTION") {
    cursor_.begin_if_idle(e.place.start);
    cursor_.set_begin(ev.thread_id);
  } else if (head == "COMMIT" || head == "ROLLBACK") {
    end_txn(e.place.next);
  } else if (parse_dml_statement(ev.statement, ev.db)) {
    const bool standalone = !cursor_.in_txn() || cursor_.ends_after_statement();
    if (standalone) cursor_.begin_if_idle(e.place.start);
    CDC_TRY(statement_change(ev, e));
    if (standalone) end_txn(e.place.next);
  } else if (!cursor_.in_txn() || cursor_.ends_after_statement()) {
    // DDL and other standalone statements: each is its own (implicit) transaction.
    cursor_.begin_if_idle(e.place.start);
    if (config_.history) CDC_TRY(apply_ddl(ev, e.header, e.place, e.batch));
    end_txn(e.place.next);
  } else if (config_.history) {
    // Inside a transaction: MariaDB logs CREATE TABLE ... SELECT between BEGIN and its rows.
    CDC_TRY(apply_ddl(ev, e.header, e.place, e.batch));
  }
  return {};
}

Status BinlogStream::on(const ExecuteLoadQueryEvent& ev, const Event& e) {
  const bool standalone = !cursor_.in_txn() || cursor_.ends_after_statement();
  if (standalone) cursor_.begin_if_idle(e.place.start);
  CDC_TRY(statement_change(ev.query, e));
  if (standalone) end_txn(e.place.next);
  return {};
}

Status BinlogStream::statement_change(const QueryEvent& q, const Event& e) {
  const auto dml = parse_dml_statement(q.statement, q.db);
  const std::string verb = dml ? dml->verb : std::string("LOAD DATA");
  std::string table = "a table it does not name plainly";
  if (dml && dml->table) {
    if (!captured(*dml->table)) return {};  // not captured: nothing of ours changed
    table = dml->table->to_string();
  }
  std::string what = "statement-based " + verb + " of " + table + " in " +
                     where(e.header.type, e.place) + ": " + quoted_statement(q.statement);
  if (!q.db.empty()) what += " (default database " + std::string(q.db) + ")";
  what +=
      "; the binlog holds the statement, not its rows (binlog_format=STATEMENT or MIXED in "
      "the writing session)";
  if (config_.statement_events == StatementEvents::warn) {
    if (config_.warn) config_.warn("skipped " + what + " (statement-events: warn)");
    return {};
  }
  return make_error(Errc::unsupported,
                    what +
                        ": set binlog_format=ROW for the writing sessions (SET GLOBAL "
                        "binlog_format=ROW), or statement-events: warn to pass such "
                        "statements over");
}

Status BinlogStream::on(const XidEvent&, const Event& e) {
  end_txn(e.place.next);
  return {};
}

Status BinlogStream::on(const AnnotateRowsEvent& ev, const Event&) {
  if (config_.include_query) set_statement(ev.statement);
  return {};
}

Status BinlogStream::on(const RowsQueryEvent& ev, const Event&) {
  if (config_.include_query) set_statement(ev.statement);
  return {};
}

Status BinlogStream::on(TableMapEvent& ev, const Event& e) {
  const TableId id{ev.db, ev.table};
  const bool in = captured(id);
  table_included_[ev.table_id] = in;
  if (!in) return {};
  std::optional<uint64_t> version;  // the history's, so rows and schema changes agree
  if (config_.history) {
    CDC_TRY(check_table_map(ev, e.header, e.place));
    if (auto s = config_.history->current(id)) version = s->version;
  }
  if (config_.on_table_map) CDC_TRY(config_.on_table_map(ev, tables_));
  auto v = tables_.apply(std::move(ev), version);
  if (!v) return std::move(v).error().with_context(where(e.header.type, e.place));
  return {};
}

Status BinlogStream::on(const RowsEvent& ev, const Event& e) {
  const EventHeader& h = e.header;
  cursor_.begin_if_idle(e.place.start);           // row events outside BEGIN (non-GTID 5.x, NDB)
  if (cursor_.skip_delivered_event()) return {};  // delivered before the checkpoint resumed from
  const auto inc = table_included_.find(ev.table_id);
  if (inc == table_included_.end()) {
    return make_error(Errc::malformed, "row event for table id " + std::to_string(ev.table_id) +
                                           " without a preceding TABLE_MAP")
        .with_context(where(h.type, e.place));
  }
  if (!inc->second) {
    cursor_.event_handled();
    return {};
  }
  auto table = tables_.find(ev.table_id);
  if (!table) {
    return make_error(Errc::internal, "table id without a version")
        .with_context(where(h.type, e.place));
  }
  if (ev.column_count != table->columns.size()) {
    return make_error(Errc::malformed, "row event has " + std::to_string(ev.column_count) +
                                           " columns, TABLE_MAP " +
                                           std::to_string(table->columns.size()))
        .with_context(where(h.type, e.place));
  }
  Pending p;
  if (!ev.full_image()) note_partial_image(ev, p);
  if (e.raw.size() > kArenaEventBytes) {
    p.shared = SharedBytes::copy_of(e.raw);
    p.bytes = p.shared.span();
  } else {
    p.bytes = e.batch.arena.copy(e.raw);
  }
  p.header = h;
  p.place = e.place;
  p.table = std::move(table);
  // Over the owned copy, so the spans stay valid across polls.
  p.ev = ev.moved_to(e.raw, p.bytes);
  p.skip_rows = cursor_.rows_to_skip();
  pending_ = std::move(p);
  return emit_pending(e.batch);
}

namespace {

std::span<const uint32_t> copy_indices(const std::vector<uint32_t>& v, Arena& arena) {
  std::span<uint32_t> out = arena.make_array<uint32_t>(v.size());
  std::copy(v.begin(), v.end(), out.begin());
  return out;
}

}  // namespace

void BinlogStream::note_partial_image(const RowsEvent& ev, Pending& p) {
  p.before_absent = ev.absent_columns(ev.present);
  if (ev.kind != RowsKind::update) return;
  for (uint32_t col_idx : ev.absent_columns(ev.present_after)) {
    const bool in_before =
        !std::binary_search(p.before_absent.begin(), p.before_absent.end(), col_idx);
    (in_before ? p.after_from_before : p.after_absent).push_back(col_idx);
  }
}

Status BinlogStream::emit_pending(Batch& batch) {
  auto& p = *pending_;
  const auto& cols = p.table->columns;
  const size_t n = cols.size();
  const bool update = p.ev.kind == RowsKind::update;
  uint64_t& rows_of_table = cursor_.rows_of(p.table->schema.get());
  // The rows' text values point into the event's bytes: this batch keeps them.
  if (p.shared.data) {
    batch.hold(p.shared);
  } else if (p.bytes.data() == carry_.data()) {
    // The rest of an event the last batch began (never empty: a row event has its header): a
    // copy in this batch's arena.
    const std::span<const std::byte> copy = batch.arena.copy(p.bytes);
    p.ev = p.ev.moved_to(p.bytes, copy);
    p.bytes = copy;
  }
  // Once per call, not per row, what every row of this event shares in this batch: the schema,
  // the op, the source block but for its row and order (a clock read and a map lookup per row
  // both showed in the catch-up profile, and filling the source block per row was ~10 % of a
  // row's instructions). Each row's event is a copy of it.
  ChangeEvent proto;
  proto.schema = batch.hold(p.table->schema);
  proto.ts_ms = now_ms();
  fill_shared_source(proto, p.header, p.place, batch);
  if (interned_.statement_gen != statement_gen_) {
    interned_.statement = batch.arena.copy(statement_);
    interned_.statement_gen = statement_gen_;
  }
  proto.source.query = interned_.statement;
  // Every row of the event has the same bitmaps.
  const std::span<const uint32_t> before_absent = copy_indices(p.before_absent, batch.arena);
  const std::span<const uint32_t> after_absent = copy_indices(p.after_absent, batch.arena);
  switch (p.ev.kind) {
    case RowsKind::write: proto.op = Op::insert; break;
    case RowsKind::update: proto.op = Op::update; break;
    case RowsKind::erase: proto.op = Op::erase; break;
  }
  const RowDecodePlan& plan = p.table->plan;
  // Room for this event's rows up front: each time the vector grows it copies every event again
  // (that showed in the catch-up profile as much as the rows' own copies). A row takes a few
  // bytes at least; growth stays geometric, and the batch's limit caps both (the vector is a
  // third of a full batch's memory, and a queue of them is most of the daemon's).
  const size_t cap = config_.max_batch_events;
  const size_t room = std::min(cap, batch.events.size() + (p.ev.rows.size() - p.offset) / 8 + 1);
  if (batch.events.capacity() < room) {
    batch.events.reserve(std::min(cap, std::max(room, 2 * batch.events.capacity())));
  }
  while (batch.events.size() < config_.max_batch_events) {
    if (p.offset >= p.ev.rows.size()) {
      cursor_.event_handled();
      pending_.reset();
      return {};
    }
    ByteReader r(p.ev.rows.subspan(p.offset));
    // decode_row_image writes every slot.
    auto before = batch.arena.make_array_for_overwrite<Value>(n);
    auto after = update ? batch.arena.make_array_for_overwrite<Value>(n) : std::span<Value>{};
    Status st;
    if (p.ev.partial()) {
      // The before image's JSON documents, which the after image's diffs apply to.
      json_docs_.assign(n, {});
      st = decode_row_image(r, cols, p.ev.present, batch.arena, before, json_docs_);
      unapplied_diffs_.clear();
      if (st) {
        st = decode_partial_after_image(r, cols, p.ev.present_after, p.ev.present, json_docs_,
                                        batch.arena, after, unapplied_diffs_);
      }
    } else if (Status s = decode_row_image(r, cols, plan, p.ev.present, batch.arena, before); !s) {
      st = std::move(s);  // assigned only on failure: a Status move per image showed up
    } else if (update) {
      if (Status s2 = decode_row_image(r, cols, plan, p.ev.present_after, batch.arena, after); !s2)
        st = std::move(s2);
    }
    if (!st) {
      return std::move(st).error().with_context("row " + std::to_string(p.row) + " of " +
                                                p.table->schema->id.to_string() + " in " +
                                                where(p.header.type, p.place));
    }
    p.offset += r.offset();
    const uint32_t row_idx = p.row++;
    if (row_idx < p.skip_rows) continue;
    for (uint32_t col_idx : p.after_from_before) after[col_idx] = before[col_idx];

    ChangeEvent& ce = batch.events.emplace_back(proto);
    switch (p.ev.kind) {
      case RowsKind::write:
        ce.after = RowImage(before);
        ce.after.absent = before_absent;  // the one image of a write is read as "before"
        break;
      case RowsKind::update:
        ce.before = RowImage(before);
        ce.before.absent = before_absent;
        ce.after = RowImage(after);
        ce.after.absent = after_absent;
        if (p.ev.partial() && !unapplied_diffs_.empty()) {
          // JSON diffs without a before document (MINIMAL): those columns are absent too.
          std::vector<uint32_t> all(after_absent.begin(), after_absent.end());
          all.insert(all.end(), unapplied_diffs_.begin(), unapplied_diffs_.end());
          std::sort(all.begin(), all.end());
          ce.after.absent = copy_indices(all, batch.arena);
        }
        break;
      case RowsKind::erase:
        ce.before = RowImage(before);
        ce.before.absent = before_absent;
        break;
    }
    ce.source.row = row_idx;
    ce.transaction.total_order = cursor_.next_total_order();
    ce.transaction.data_collection_order = ++rows_of_table;
  }
  if (p.offset >= p.ev.rows.size()) {
    cursor_.event_handled();
    pending_.reset();
  } else if (!p.shared.data) {
    // The batch is full and goes out with its copy; the event waits here for the next one.
    carry_.assign(p.bytes.begin(), p.bytes.end());
    p.ev = p.ev.moved_to(p.bytes, carry_);
    p.bytes = carry_;
  }
  return {};
}

void BinlogStream::fill_source(ChangeEvent& ce, const EventHeader& h, const Place& place,
                               Batch& batch) {
  fill_shared_source(ce, h, place, batch);
  ce.transaction.total_order = cursor_.next_total_order();
}

void BinlogStream::fill_shared_source(ChangeEvent& ce, const EventHeader& h, const Place& place,
                                      Batch& batch) {
  auto& in = interned_;
  if (in.file_gen != cursor_.file_gen() || in.file.empty()) {
    in.file = batch.arena.copy(cursor_.file());
    in.file_gen = cursor_.file_gen();
  }
  if (in.txn_gen != cursor_.txn_gen()) {
    in.gtid = batch.arena.copy(cursor_.gtid());
    in.txn_gen = cursor_.txn_gen();
  }
  if (in.name.empty()) in.name = batch.arena.copy(config_.pipeline_name);
  ce.source.connector = "mysql";
  ce.source.name = in.name;
  ce.source.server_id = h.server_id;
  ce.source.at = BinlogEventPosition{in.file, place.start};
  ce.source.gtid = in.gtid;
  ce.source.thread = cursor_.thread();
  ce.source.commit_ts_ms =
      cursor_.commit_ms() != 0 ? cursor_.commit_ms() : int64_t{h.timestamp} * 1000;
  ce.transaction.id = in.gtid;
}

Status BinlogStream::apply_ddl(const QueryEvent& q, const EventHeader& h, const Place& place,
                               Batch& batch) {
  const DdlStatement ddl = parse_ddl_statement(q.statement, q.db);
  if (ddl.kind == DdlStatement::Kind::other) return {};
  // The version is in force after the statement: a resume from its start applies it again.
  MysqlPosition at;
  at.binlog = position_in(cursor_.file(), place.next);
  at.gtid_set = cursor_.gtids_after_txn();

  const auto is_captured = [this](const TableId& t) { return captured(t); };
  std::string why;
  std::vector<TableId> touched;  // captured tables the statement names; empty: unknown
  if (ddl.kind == DdlStatement::Kind::unparseable) {
    touched = ddl.tables;
    if (!touched.empty() && std::none_of(touched.begin(), touched.end(), is_captured)) return {};
    why = "cannot parse it: " + ddl.error;
  } else {
    auto changes = config_.history->apply(ddl, at, is_captured);
    if (changes) {
      const std::string_view statement = batch.arena.copy(q.statement);
      const int64_t processed_ms = now_ms();
      for (const auto& change : *changes) {
        ChangeEvent ce;
        ce.op = change.op;
        ce.schema = batch.hold(change.schema);
        fill_source(ce, h, place, batch);
        ce.source.query = statement;
        ce.transaction.data_collection_order = 1;
        ce.ts_ms = processed_ms;
        batch.events.push_back(std::move(ce));
      }
      return {};
    }
    why = changes.error().message;
    for (const TableId& t : {ddl.table, ddl.like}) {
      if (!t.table.empty()) touched.push_back(t);
    }
    for (const auto& [from, to] : ddl.renames) {
      touched.push_back(from);
      touched.push_back(to);
    }
    for (const auto& c : ddl.clauses) {
      if (c.kind == AlterClause::Kind::rename_table) touched.push_back(c.new_table);
    }
    touched.insert(touched.end(), ddl.tables.begin(), ddl.tables.end());
  }
  std::erase_if(touched, [&](const TableId& t) { return !captured(t); });
  // A parsed DDL that does not fit versions read from the catalog at start: the catalog shows
  // the tables as they are now, after this statement (a start at an older position, e.g.
  // earliest-offset). Those versions stay until the next TABLE_MAP, whose names correct them.
  const bool catalog_ahead = ddl.kind != DdlStatement::Kind::unparseable && !touched.empty() &&
                             std::all_of(touched.begin(), touched.end(), [&](const TableId& t) {
                               return config_.history->current(t) == nullptr ||
                                      config_.history->origin(t) == SchemaOrigin::catalog;
                             });
  if (catalog_ahead) {
    if (config_.warn) {
      config_.warn(
          "DDL " + quoted_statement(q.statement) + " at " + location(place) +
          " does not apply to the schema read from information_schema at start (" + why +
          "): the catalog is newer than this binlog position; its schema stays until the next "
          "TABLE_MAP corrects it");
    }
    return {};
  }
  if (config_.unparseable_ddl == UnparseableDdl::resync && config_.read_catalog) {
    if (touched.empty()) touched = config_.history->tables();  // which ones is unknown: all
    if (config_.warn) {
      config_.warn("DDL " + quoted_statement(q.statement) + " at " + location(place) + ": " + why +
                   "; re-reading the schema of the touched tables from information_schema "
                   "(schema.unparseable-ddl: resync)");
    }
    return resync(touched, at, h, place, q.statement, batch);
  }
  return make_error(Errc::unsupported,
                    "DDL " + quoted_statement(q.statement) + " touches a captured table and " +
                        why +
                        " (set schema.unparseable-ddl: resync to re-read the schema from "
                        "information_schema instead)")
      .with_context(where(h.type, place));
}

Status BinlogStream::resync(const std::vector<TableId>& tables, const MysqlPosition& at,
                            const EventHeader& h, const Place& place, std::string_view statement,
                            Batch& batch) {
  auto schemas = config_.read_catalog(tables);
  if (!schemas) {
    return std::move(schemas).error().with_context("re-reading the schema after the DDL at " +
                                                   location(place));
  }
  const std::string_view stmt = batch.arena.copy(statement);
  auto emit = [&](TableSchemaPtr schema) {
    ChangeEvent ce;
    ce.op = Op::schema_change;
    ce.schema = batch.hold(schema);
    fill_source(ce, h, place, batch);
    ce.source.query = stmt;
    ce.transaction.data_collection_order = 1;
    ce.ts_ms = now_ms();
    batch.events.push_back(std::move(ce));
  };
  for (const TableId& t : tables) {
    auto it = std::find_if(schemas->begin(), schemas->end(),
                           [&](const TableSchema& s) { return s.id == t; });
    if (it != schemas->end()) {
      CDC_TRY_ASSIGN(auto v, config_.history->install(at, std::move(*it), SchemaOrigin::catalog));
      emit(std::move(v));
    } else if (auto last = config_.history->current(t)) {  // gone from the catalog: dropped
      TableSchema gone;
      gone.id = t;
      CDC_TRY(config_.history->install(at, std::move(gone), SchemaOrigin::catalog));
      emit(std::move(last));
    }
  }
  return {};
}

Status BinlogStream::check_table_map(TableMapEvent& tm, const EventHeader& h, const Place& place) {
  const TableId id{tm.db, tm.table};
  const auto schema = config_.history->current(id);
  if (!schema) return {};  // unknown to the history: the TABLE_MAP's own metadata must do
  if (!tm.has_column_names) {
    // MySQL 5.7 style (no optional metadata): the history names the columns.
    if (auto st = complete_table_map(tm, *schema); !st) {
      return std::move(st).error().with_context(where(h.type, place));
    }
    return {};
  }
  if (same_column_names(tm, *schema)) return {};
  auto names = [](auto const& cols) {
    std::string out;
    for (const auto& c : cols) out += (out.empty() ? "" : ", ") + c.name;
    return "(" + out + ")";
  };
  const std::string mismatch = "TABLE_MAP of " + id.to_string() + " names the columns " +
                               names(tm.columns) + ", the schema history's version " +
                               std::to_string(schema->version) + " has " + names(schema->columns);
  // A version read from the catalog describes the table as it is now, which can be after the
  // binlog being read (a first start at an older position): the binlog's own names are right.
  const auto origin = config_.history->origin(id);
  const bool trust_map = origin == SchemaOrigin::catalog || origin == SchemaOrigin::table_map ||
                         config_.unparseable_ddl == UnparseableDdl::resync;
  if (!trust_map) {
    return make_error(Errc::malformed,
                      mismatch +
                          " (a DDL the history missed? set schema.unparseable-ddl: "
                          "resync to take the binlog's columns)")
        .with_context(where(h.type, place));
  }
  auto built = build_table_schema(tm);
  if (!built) return std::move(built).error().with_context(where(h.type, place));
  MysqlPosition at = position();
  CDC_TRY(config_.history->install(at, std::move(*built), SchemaOrigin::table_map));
  if (config_.warn && origin != SchemaOrigin::catalog) {
    config_.warn(mismatch + " at " + location(place) + "; the binlog's columns are taken");
  }
  return {};
}

}  // namespace cdc::mysql
