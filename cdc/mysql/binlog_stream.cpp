#include "cdc/mysql/binlog_stream.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "cdc/mysql/binlog/event_type.h"
#include "cdc/mysql/binlog/mariadb_compressed.h"
#include "cdc/mysql/binlog/transaction_payload.h"
#include "cdc/mysql/schema/ddl_statement.h"

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
    : config_(std::move(config)),
      tables_(tables),
      ctx_(ctx),
      file_(start.binlog.file),
      gtids_(std::move(gtids)),
      committed_(start.binlog),
      file_gen_(1),
      skip_events_(start.events_to_skip),
      skip_rows_(start.rows_to_skip) {}

MysqlPosition BinlogStream::position() const {
  MysqlPosition p;
  if (!in_txn_) {
    p.binlog = committed_;
    p.gtid_set = gtids_.to_string();
    return p;
  }
  p.binlog = txn_begin_;
  p.gtid_set = gtids_before_txn_;
  p.events_to_skip = events_in_txn_;
  p.rows_to_skip = pending_ ? pending_->row : 0;
  return p;
}

Status BinlogStream::continue_buffered(Batch& batch) {
  if (pending_) return emit_pending(batch);
  if (payload_) return handle_next_inner(batch);
  return {};
}

std::string BinlogStream::where(const EventHeader& h) const {
  return describe_event_type(h.type) + " at " + file_ + ":" + std::to_string(h.start_offset());
}

std::string BinlogStream::where(uint8_t type, const Place& place) const {
  std::string s = describe_event_type(type);
  if (place.inner) s += " (event " + std::to_string(*place.inner) + " of TRANSACTION_PAYLOAD (40))";
  return s + " at " + file_ + ":" + std::to_string(place.start);
}

void BinlogStream::begin_txn(uint64_t offset) {
  in_txn_ = true;
  txn_begin_ = BinlogPosition{file_, offset};
  gtids_before_txn_ = gtids_.to_string();
  events_in_txn_ = 0;
  rows_in_txn_ = 0;
  rows_in_txn_by_table_.clear();
  txn_ends_after_query_ = false;
  txn_thread_.reset();
  txn_gtid_.clear();
  txn_mariadb_gtid_.reset();
  txn_mysql_uuid_.clear();
  txn_commit_ms_ = 0;
  ++txn_gen_;
}

void BinlogStream::end_txn(uint64_t next_offset) {
  if (txn_mariadb_gtid_) gtids_.add(*txn_mariadb_gtid_);
  if (!txn_mysql_uuid_.empty()) gtids_.add_mysql(txn_mysql_uuid_, txn_mysql_gno_);
  in_txn_ = false;
  committed_ = BinlogPosition{file_, next_offset};
  events_in_txn_ = 0;
  rows_in_txn_ = 0;
  rows_in_txn_by_table_.clear();
  skip_events_ = 0;
  skip_rows_ = 0;
  txn_gtid_.clear();
  txn_mariadb_gtid_.reset();
  txn_mysql_uuid_.clear();
  statement_.clear();
  ++statement_gen_;
  ++txn_gen_;
}

void BinlogStream::set_statement(std::string_view statement) {
  statement_ = std::string(statement);
  ++statement_gen_;
}

Status BinlogStream::handle(std::span<const std::byte> raw, Batch& batch, bool& heartbeat) {
  CDC_TRY_ASSIGN(const EventHeader h, decode_event_header(raw));
  if (h.type == static_cast<uint8_t>(EventType::format_description)) {
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
  if (auto* tp = std::get_if<TransactionPayloadEvent>(&decoded->body)) {
    return handle_payload(h, *tp);
  }
  return handle_decoded(h, *decoded, raw, Place{h.start_offset(), h.log_pos, std::nullopt}, ctx_,
                        batch, heartbeat);
}

Status BinlogStream::handle_payload(const EventHeader& h, const TransactionPayloadEvent& ev) {
  auto events = decompress_transaction_payload(ev, config_.max_transaction_payload_bytes);
  if (!events) return std::move(events).error().with_context(where(h));
  if (!in_txn_) begin_txn(h.start_offset());  // MySQL writes the GTID event before the payload
  payload_.emplace();
  payload_->events = std::move(*events);
  payload_->reader = PayloadEventReader(payload_->events);
  payload_->header = h;
  payload_->ctx = transaction_payload_context(ctx_);
  return {};
}

Status BinlogStream::handle_next_inner(Batch& batch) {
  auto& pl = *payload_;
  const Place place{pl.header.start_offset(), pl.header.log_pos, pl.reader.index()};
  auto next = pl.reader.next();
  if (!next) return std::move(next).error().with_context(where(pl.header));
  if (!next->has_value()) {
    payload_.reset();
    return {};
  }
  const auto raw = **next;
  auto decoded = decode_event(raw, pl.ctx);
  if (!decoded) {
    return std::move(decoded).error().with_context(where(static_cast<uint8_t>(raw[kEventTypeOffset]), place));
  }
  switch (static_cast<EventType>(decoded->header.type)) {
    case EventType::format_description:
    case EventType::rotate:
    case EventType::heartbeat:
    case EventType::heartbeat_v2:
    case EventType::transaction_payload:
    case EventType::gtid:
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
  CDC_TRY(handle_decoded(decoded->header, *decoded, raw, place, pl.ctx, batch, heartbeat));
  pl.txn_ended = !in_txn_;
  return {};
}

Status BinlogStream::handle_decoded(const EventHeader& h, BinlogEvent& ev,
                                    std::span<const std::byte> raw, const Place& place,
                                    const DecodeContext& ev_ctx, Batch& batch, bool& heartbeat) {
  const uint64_t start = place.start;

  if (auto* rot = std::get_if<RotateEvent>(&ev.body)) {
    file_ = std::string(rot->next_file);
    ++file_gen_;
    const bool fake = h.timestamp == 0 || h.log_pos == 0 || (h.flags & kLogEventArtificialFlag);
    if (!in_txn_ && !fake) committed_ = BinlogPosition{file_, rot->position};
    return {};
  }
  if (std::holds_alternative<HeartbeatEvent>(ev.body)) {
    heartbeat = true;
    return {};
  }
  if (auto* gl = std::get_if<GtidListEvent>(&ev.body)) {
    if (gtids_.empty()) gtids_.reset_mariadb(gl->gtids);
    return {};
  }
  if (auto* pg = std::get_if<PreviousGtidsEvent>(&ev.body)) {
    if (gtids_.empty()) gtids_.reset_mysql(pg->to_gtid_set());
    return {};
  }
  if (auto* g = std::get_if<MariadbGtidEvent>(&ev.body)) {
    begin_txn(start);
    txn_mariadb_gtid_ = MariadbGtid{g->domain_id, h.server_id, g->sequence};
    txn_gtid_ = to_string(*txn_mariadb_gtid_);
    txn_ends_after_query_ = g->standalone();
    return {};
  }
  if (auto* g = std::get_if<MysqlGtidEvent>(&ev.body)) {
    begin_txn(start);
    txn_gtid_ = g->gtid();
    if (!g->anonymous) {
      txn_mysql_uuid_ = to_string(g->sid);
      txn_mysql_gno_ = g->gno;
    }
    if (g->immediate_commit_us) txn_commit_ms_ = static_cast<int64_t>(*g->immediate_commit_us / 1000);
    txn_ends_after_query_ = true;  // until a BEGIN says otherwise (DDL has none)
    return {};
  }
  if (auto* q = std::get_if<QueryEvent>(&ev.body)) {
    const std::string head = upper_trim(q->statement);
    if (head == "BEGIN" || head == "START TRANSACTION") {
      if (!in_txn_) begin_txn(start);
      txn_thread_ = q->thread_id;
      txn_ends_after_query_ = false;
    } else if (head == "COMMIT" || head == "ROLLBACK") {
      end_txn(place.next);
    } else if (!in_txn_ || txn_ends_after_query_) {
      // DDL and other standalone statements: each is its own (implicit) transaction.
      if (!in_txn_) begin_txn(start);
      if (config_.history) CDC_TRY(apply_ddl(*q, h, place, batch));
      end_txn(place.next);
    } else if (config_.history) {
      // Inside a transaction: MariaDB logs CREATE TABLE ... SELECT between BEGIN and its rows.
      CDC_TRY(apply_ddl(*q, h, place, batch));
    }
    return {};
  }
  if (std::holds_alternative<XidEvent>(ev.body)) {
    end_txn(place.next);
    return {};
  }
  if (auto* a = std::get_if<AnnotateRowsEvent>(&ev.body)) {
    if (config_.include_query) set_statement(a->statement);
    return {};
  }
  if (auto* a = std::get_if<RowsQueryEvent>(&ev.body)) {
    if (config_.include_query) set_statement(a->statement);
    return {};
  }
  if (auto* tm = std::get_if<TableMapEvent>(&ev.body)) {
    const TableId id{tm->db, tm->table};
    const bool in = config_.included ? config_.included(id) : true;
    table_included_[tm->table_id] = in;
    if (!in) return {};
    std::optional<uint64_t> version;  // the history's, so rows and schema changes agree
    if (config_.history) {
      CDC_TRY(check_table_map(*tm, h, place));
      if (auto s = config_.history->current(id)) version = s->version;
    }
    if (config_.on_table_map) CDC_TRY(config_.on_table_map(*tm, tables_));
    auto v = tables_.apply(std::move(*tm), version);
    if (!v) return std::move(v).error().with_context(where(h.type, place));
    return {};
  }
  if (auto* rows = std::get_if<RowsEvent>(&ev.body)) {
    if (!in_txn_) begin_txn(start);  // row events outside BEGIN (non-GTID 5.x, NDB)
    if (events_in_txn_ < skip_events_) {  // delivered before the checkpoint we resumed from
      ++events_in_txn_;
      return {};
    }
    const auto inc = table_included_.find(rows->table_id);
    if (inc == table_included_.end()) {
      return make_error(Errc::malformed, "row event for table id " + std::to_string(rows->table_id) +
                                             " without a preceding TABLE_MAP")
          .with_context(where(h.type, place));
    }
    if (!inc->second) {
      ++events_in_txn_;
      return {};
    }
    auto table = tables_.find(rows->table_id);
    if (!table) {
      return make_error(Errc::internal, "table id without a version").with_context(where(h.type, place));
    }
    if (rows->column_count != table->columns.size()) {
      return make_error(Errc::malformed, "row event has " + std::to_string(rows->column_count) +
                                             " columns, TABLE_MAP " +
                                             std::to_string(table->columns.size()))
          .with_context(where(h.type, place));
    }
    if (!rows->full_image()) {
      return make_error(Errc::unsupported,
                        "partial row image in " + table->schema->id.to_string() +
                            ": set binlog_row_image=FULL")
          .with_context(where(h.type, place));
    }
    Pending p;
    p.raw.assign(raw.begin(), raw.end());
    p.header = h;
    p.place = place;
    p.table = std::move(table);
    // Re-decode over the owned copy so the spans stay valid across polls.
    auto again = decode_event(p.raw, ev_ctx);
    if (!again) return std::move(again).error().with_context(where(h.type, place));
    p.ev = std::get<RowsEvent>(again->body);
    p.skip_rows = events_in_txn_ == skip_events_ ? static_cast<uint32_t>(skip_rows_) : 0;
    pending_ = std::move(p);
    return emit_pending(batch);
  }
  if (std::holds_alternative<StopEvent>(ev.body)) return {};
  return {};
}

Status BinlogStream::emit_pending(Batch& batch) {
  auto& p = *pending_;
  const auto& cols = p.table->columns;
  const size_t n = cols.size();
  const bool update = p.ev.kind == RowsKind::update;
  // Once per call, not per row: both showed in the catch-up profile (a clock read and a map
  // lookup per row), and every row of one row event has the same table and the same moment.
  const int64_t processed_ms = now_ms();
  uint64_t& rows_of_table = rows_in_txn_by_table_[p.table->schema.get()];
  while (batch.events.size() < config_.max_batch_events) {
    if (p.offset >= p.ev.rows.size()) {
      ++events_in_txn_;
      pending_.reset();
      return {};
    }
    ByteReader r(p.ev.rows.subspan(p.offset));
    auto before = batch.arena.make_array<Value>(n);
    auto after = update ? batch.arena.make_array<Value>(n) : std::span<Value>{};
    Status st;
    if (p.ev.partial()) {
      // The before image's JSON documents, which the after image's diffs apply to.
      json_docs_.assign(n, {});
      st = decode_row_image(r, cols, p.ev.present, batch.arena, before, json_docs_);
      if (st) {
        st = decode_partial_after_image(r, cols, p.ev.present_after, json_docs_, batch.arena, after);
      }
    } else {
      st = decode_row_image(r, cols, p.ev.present, batch.arena, before);
      if (st && update) st = decode_row_image(r, cols, p.ev.present_after, batch.arena, after);
    }
    if (!st) {
      return std::move(st).error().with_context("row " + std::to_string(p.row) + " of " +
                                                p.table->schema->id.to_string() + " in " +
                                                where(p.header.type, p.place));
    }
    p.offset += r.offset();
    const uint32_t row_idx = p.row++;
    if (row_idx < p.skip_rows) continue;

    ChangeEvent ce;
    ce.schema = p.table->schema;
    switch (p.ev.kind) {
      case RowsKind::write:
        ce.op = Op::insert;
        ce.after = RowImage(before);
        break;
      case RowsKind::update:
        ce.op = Op::update;
        ce.before = RowImage(before);
        ce.after = RowImage(after);
        break;
      case RowsKind::erase:
        ce.op = Op::erase;
        ce.before = RowImage(before);
        break;
    }
    fill_source(ce, p.header, p.place, batch);
    if (interned_.statement_gen != statement_gen_) {
      interned_.statement = batch.arena.copy(statement_);
      interned_.statement_gen = statement_gen_;
    }
    ce.source.row = row_idx;
    ce.source.query = interned_.statement;
    ce.transaction.data_collection_order = ++rows_of_table;
    ce.ts_ms = processed_ms;
    batch.events.push_back(std::move(ce));
  }
  if (p.offset >= p.ev.rows.size()) {
    ++events_in_txn_;
    pending_.reset();
  }
  return {};
}

void BinlogStream::fill_source(ChangeEvent& ce, const EventHeader& h, const Place& place,
                               Batch& batch) {
  auto& in = interned_;
  if (in.file_gen != file_gen_ || in.file.empty()) {
    in.file = batch.arena.copy(file_);
    in.file_gen = file_gen_;
  }
  if (in.txn_gen != txn_gen_) {
    in.gtid = batch.arena.copy(txn_gtid_);
    in.txn_gen = txn_gen_;
  }
  if (in.name.empty()) in.name = batch.arena.copy(config_.pipeline_name);
  ce.source.connector = "mysql";
  ce.source.name = in.name;
  ce.source.server_id = h.server_id;
  ce.source.file = in.file;
  ce.source.pos = place.start;
  ce.source.gtid = in.gtid;
  ce.source.thread = txn_thread_;
  ce.source.commit_ts_ms = txn_commit_ms_ != 0 ? txn_commit_ms_ : int64_t{h.timestamp} * 1000;
  ce.transaction.id = in.gtid;
  ce.transaction.total_order = ++rows_in_txn_;
}

namespace {

// A statement for an error or a log line: at most 300 characters.
std::string quoted_statement(std::string_view sql) {
  std::string s(sql.substr(0, 300));
  if (sql.size() > 300) s += "...";
  return "'" + s + "'";
}

}  // namespace

Status BinlogStream::apply_ddl(const QueryEvent& q, const EventHeader& h, const Place& place,
                               Batch& batch) {
  const DdlStatement ddl = parse_ddl_statement(q.statement, q.db);
  if (ddl.kind == DdlStatement::Kind::other) return {};
  // The version is in force after the statement: a resume from its start applies it again.
  MysqlPosition at;
  at.binlog = BinlogPosition{file_, place.next};
  GtidSet after = gtids_;
  if (txn_mariadb_gtid_) after.add(*txn_mariadb_gtid_);
  if (!txn_mysql_uuid_.empty()) after.add_mysql(txn_mysql_uuid_, txn_mysql_gno_);
  at.gtid_set = after.to_string();

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
        ce.schema = change.schema;
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
          "DDL " + quoted_statement(q.statement) + " at " + file_ + ":" +
          std::to_string(place.start) +
          " does not apply to the schema read from information_schema at start (" + why +
          "): the catalog is newer than this binlog position; its schema stays until the next "
          "TABLE_MAP corrects it");
    }
    return {};
  }
  if (config_.unparseable_ddl == UnparseableDdl::resync && config_.read_catalog) {
    if (touched.empty()) touched = config_.history->tables();  // which ones is unknown: all
    if (config_.warn) {
      config_.warn("DDL " + quoted_statement(q.statement) + " at " + file_ + ":" +
                   std::to_string(place.start) + ": " + why +
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
                                                   file_ + ":" + std::to_string(place.start));
  }
  const std::string_view stmt = batch.arena.copy(statement);
  auto emit = [&](TableSchemaPtr schema) {
    ChangeEvent ce;
    ce.op = Op::schema_change;
    ce.schema = std::move(schema);
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
    config_.warn(mismatch + " at " + file_ + ":" + std::to_string(place.start) +
                 "; the binlog's columns are taken");
  }
  return {};
}

}  // namespace cdc::mysql
