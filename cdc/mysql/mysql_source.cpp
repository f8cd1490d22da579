#include "cdc/mysql/mysql_source.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <string>
#include <unordered_set>
#include <vector>

#include "cdc/core/log.h"
#include "cdc/mysql/binlog/binlog_event.h"
#include "cdc/mysql/binlog/event_type.h"
#include "cdc/mysql/binlog_file_reader.h"
#include "cdc/mysql/gtid_set.h"
#include "cdc/mysql/protocol/mysql_connection.h"
#include "cdc/mysql/schema/table_map_cache.h"

namespace cdc::mysql {

namespace {

constexpr uint16_t kDumpSendAnnotateRows = 2;  // MariaDB BINLOG_SEND_ANNOTATE_ROWS_EVENT

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

bool is_system_db(std::string_view db) {
  return db == "mysql" || db == "sys" || db == "information_schema" || db == "performance_schema";
}

}  // namespace

struct MysqlSource::Impl {
  explicit Impl(MysqlSourceOptions o) : options(std::move(o)) {}

  MysqlSourceOptions options;
  std::vector<std::regex> include, exclude;
  std::unique_ptr<MysqlConnection> dump;   // the replication stream
  std::unique_ptr<MysqlConnection> query;  // catalog look-ups while streaming
  std::unique_ptr<BinlogFileReader> files;  // offline: the events come from here, not `dump`
  uint64_t file_offset = 0;                 // offline: of the event being handled
  Flavor flavor = Flavor::mariadb;
  DecodeContext ctx;
  TableMapCache tables;
  std::unordered_map<uint64_t, bool> table_included;  // by table id of the current mapping
  std::map<TableId, bool> filter_cache;
  std::map<TableId, bool> json_checked;

  // Stream state.
  std::string file;  // binlog file being read
  GtidSet gtids;     // executed set, committed transactions only
  BinlogPosition committed;  // after the last finished event group
  bool in_txn = false;
  bool txn_ends_after_query = false;
  BinlogPosition txn_begin;
  std::string gtids_before_txn;
  std::string txn_gtid;
  std::optional<MariadbGtid> txn_mariadb_gtid;
  std::string txn_mysql_uuid;
  uint64_t txn_mysql_gno = 0;
  std::optional<uint64_t> txn_thread;
  int64_t txn_commit_ms = 0;
  uint64_t events_in_txn = 0;  // row events of the transaction fully handled
  uint64_t rows_in_txn = 0;    // change events emitted in the transaction
  // Change events emitted in the transaction per table (Debezium's data_collection_order).
  std::map<const TableSchema*, uint64_t> rows_in_txn_by_table;
  std::string statement;       // ANNOTATE_ROWS / ROWS_QUERY of the coming row events
  uint64_t statement_gen = 0;
  uint64_t txn_gen = 0;
  uint64_t file_gen = 0;

  // Resume: skip what a checkpoint inside the first transaction already delivered.
  uint64_t skip_events = 0;
  uint64_t skip_rows = 0;

  // A row event being emitted across batches.
  struct Pending {
    std::vector<std::byte> raw;
    RowsEvent ev;
    TableVersionPtr table;
    EventHeader header;
    size_t offset = 0;  // into ev.rows
    uint32_t row = 0;   // next row index
    uint32_t skip_rows = 0;
  };
  std::optional<Pending> pending;

  // Per-batch interned strings.
  struct Interned {
    std::string_view file, gtid, statement, name;
    uint64_t file_gen = ~0ULL, txn_gen = ~0ULL, statement_gen = ~0ULL;
  } interned;

  bool opened = false;

  MysqlPosition position() const {
    MysqlPosition p;
    if (!in_txn) {
      p.binlog = committed;
      p.gtid_set = gtids.to_string();
      return p;
    }
    p.binlog = txn_begin;
    p.gtid_set = gtids_before_txn;
    p.events_to_skip = events_in_txn;
    p.rows_to_skip = pending ? pending->row : 0;
    return p;
  }

  bool included(const TableId& id) {
    auto it = filter_cache.find(id);
    if (it != filter_cache.end()) return it->second;
    const std::string name = id.db + "." + id.table;
    bool in = include.empty() ? !is_system_db(id.db) : false;
    for (const auto& re : include) in = in || std::regex_match(name, re);
    for (const auto& re : exclude) in = in && !std::regex_match(name, re);
    filter_cache[id] = in;
    return in;
  }

  Status check_server();
  Status open_files(const Position& resume);
  void start_stream(const MysqlPosition& start);
  Result<std::optional<std::span<const std::byte>>> next_raw(std::chrono::milliseconds wait);
  Result<MysqlPosition> start_position();
  Status detect_json_columns(const TableMapEvent& map);
  Status handle(std::span<const std::byte> raw, Batch& batch, bool& heartbeat);
  Status emit_pending(Batch& batch);
  void begin_txn(uint64_t offset);
  void end_txn(uint64_t next_offset);
  std::string where(const EventHeader& h) const {
    // A file's own offset holds even when a corrupt header's log_pos does not.
    const uint64_t at = files ? file_offset : h.start_offset();
    return describe_event_type(h.type) + " at " + file + ":" + std::to_string(at);
  }
};

MysqlSource::MysqlSource(MysqlSourceOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
MysqlSource::MysqlSource(MysqlSourceOptions options, std::unique_ptr<BinlogFileReader> files,
                         TableMapCache::Completer complete)
    : MysqlSource(std::move(options)) {
  impl_->files = std::move(files);
  impl_->tables.set_completer(std::move(complete));
}
MysqlSource::~MysqlSource() = default;

MysqlPosition MysqlSource::position() const { return impl_->position(); }
Position MysqlSource::current_position() const { return impl_->position(); }

void MysqlSource::close() {
  impl_->dump.reset();
  impl_->query.reset();
  impl_->opened = false;
}

Status MysqlSource::Impl::check_server() {
  CDC_TRY_ASSIGN(auto rows,
                 query->query("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', "
                              "'binlog_format', 'binlog_row_image', 'binlog_row_metadata', "
                              "'binlog_checksum')"));
  std::map<std::string, std::string> vars;
  for (const auto& r : rows) {
    if (r.size() >= 2 && r[0] && r[1]) {
      std::string v = *r[1];
      for (auto& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      vars[*r[0]] = v;
    }
  }
  const std::string server = options.host + ":" + std::to_string(options.port);
  auto refuse = [&](const std::string& var, const std::string& want) -> Status {
    const auto it = vars.find(var);
    const std::string found = it == vars.end() ? "(not supported by this server)" : it->second;
    return make_error(Errc::invalid_config,
                      "server " + server + " has " + var + "=" + found + ": set " + var + "=" +
                          want + " (SET GLOBAL " + var + "=" + want + " and in my.cnf)");
  };
  if (vars["log_bin"] != "ON") {
    return make_error(Errc::invalid_config,
                      "server " + server + " has the binary log disabled: set log_bin (my.cnf) "
                      "and restart the server");
  }
  if (vars["binlog_format"] != "ROW") return refuse("binlog_format", "ROW");
  if (vars["binlog_row_image"] != "FULL") return refuse("binlog_row_image", "FULL");
  if (vars["binlog_row_metadata"] != "FULL") return refuse("binlog_row_metadata", "FULL");
  const std::string alg = vars["binlog_checksum"];
  if (alg != "CRC32" && alg != "NONE") {
    return make_error(Errc::unsupported, "binlog_checksum=" + alg);
  }
  flavor = query->server_version().find("MariaDB") != std::string::npos ? Flavor::mariadb
                                                                          : Flavor::mysql;
  ctx = DecodeContext::v4_defaults(alg == "CRC32" ? ChecksumAlg::crc32 : ChecksumAlg::off, flavor);
  return {};
}

Result<MysqlPosition> MysqlSource::Impl::start_position() {
  MysqlPosition p;
  switch (options.startup_mode) {
    case StartupMode::latest_offset: {
      CDC_TRY_ASSIGN(auto rows, query->query("SHOW MASTER STATUS"));
      if (rows.empty() || rows[0].size() < 2 || !rows[0][0] || !rows[0][1]) {
        return make_error(Errc::invalid_config, "SHOW MASTER STATUS returned nothing: is log_bin on?");
      }
      p.binlog.file = *rows[0][0];
      p.binlog.offset = std::stoull(*rows[0][1]);
      CDC_TRY_ASSIGN(auto g, query->query(flavor == Flavor::mariadb ? "SELECT @@gtid_binlog_pos"
                                                                      : "SELECT @@gtid_executed"));
      if (!g.empty() && !g[0].empty() && g[0][0]) p.gtid_set = *g[0][0];
      break;
    }
    case StartupMode::earliest_offset: {
      CDC_TRY_ASSIGN(auto rows, query->query("SHOW BINARY LOGS"));
      if (rows.empty() || rows[0].empty() || !rows[0][0]) {
        return make_error(Errc::invalid_config, "SHOW BINARY LOGS returned nothing");
      }
      p.binlog.file = *rows[0][0];
      p.binlog.offset = 4;
      break;
    }
    case StartupMode::specific_offset:
      p.binlog = options.specific_offset;
      if (p.binlog.file.empty()) {
        return make_error(Errc::invalid_config, "specific-offset startup needs a binlog file");
      }
      if (p.binlog.offset < 4) p.binlog.offset = 4;
      break;
  }
  return p;
}

Status MysqlSource::open(const Position& resume) {
  auto& s = *impl_;
  close();
  const auto& o = s.options;
  if (o.server_id == 0 && !s.files) {
    return make_error(Errc::invalid_config, "server_id must be set (a unique non-zero replica id)");
  }
  if (o.max_batch_events == 0) return make_error(Errc::invalid_config, "max_batch_events is 0");
  s.include.clear();
  s.exclude.clear();
  for (auto* list : {&o.table_include, &o.table_exclude}) {
    for (const auto& pattern : *list) {
      try {
        (list == &o.table_include ? s.include : s.exclude).emplace_back(pattern);
      } catch (const std::regex_error& e) {  // std::regex reports bad patterns by throwing
        return make_error(Errc::invalid_config, "bad table regex '" + pattern + "': " + e.what());
      }
    }
  }
  s.filter_cache.clear();
  if (s.files) return s.open_files(resume);

  ConnectOptions co{o.host, o.port, o.user, o.password, o.unix_socket, o.connect_timeout,
                    std::max(std::chrono::milliseconds(10000), o.heartbeat_period * 2)};
  CDC_TRY_ASSIGN(s.query, MysqlConnection::connect(co));
  CDC_TRY(s.check_server());

  MysqlPosition start;
  if (const auto* p = std::get_if<MysqlPosition>(&resume)) {
    start = *p;
  } else if (std::holds_alternative<std::monostate>(resume)) {
    CDC_TRY_ASSIGN(start, s.start_position());
  } else {
    return make_error(Errc::invalid_config, "the MySQL source cannot resume from " + to_string(resume));
  }
  CDC_TRY_ASSIGN(s.gtids, GtidSet::parse(start.gtid_set));

  CDC_TRY_ASSIGN(s.dump, MysqlConnection::connect(co));
  CDC_TRY(s.dump->execute("SET @master_binlog_checksum = @@global.binlog_checksum"));
  if (s.flavor == Flavor::mariadb) CDC_TRY(s.dump->execute("SET @mariadb_slave_capability = 4"));
  const uint64_t hb_ns = static_cast<uint64_t>(o.heartbeat_period.count()) * 1000000ULL;
  CDC_TRY(s.dump->execute("SET @master_heartbeat_period = " + std::to_string(hb_ns)));
  CDC_TRY(s.dump->start_binlog_dump(o.server_id, start.binlog,
                                    s.flavor == Flavor::mariadb ? kDumpSendAnnotateRows : 0));

  s.start_stream(start);
  log::get("mysql")->info("[source={}] streaming from {}", o.pipeline_name, to_string(Position(start)));
  return {};
}

void MysqlSource::Impl::start_stream(const MysqlPosition& start) {
  file = start.binlog.file;
  ++file_gen;
  committed = start.binlog;
  in_txn = false;
  pending.reset();
  events_in_txn = 0;
  rows_in_txn = 0;
  rows_in_txn_by_table.clear();
  skip_events = start.events_to_skip;
  skip_rows = start.rows_to_skip;
  statement.clear();
  table_included.clear();
  opened = true;
}

// Offline: the reader is single-pass and hands out each file's FORMAT_DESCRIPTION first, which
// sets the decode context; the file name comes with each event (next_raw).
Status MysqlSource::Impl::open_files(const Position& resume) {
  if (!std::holds_alternative<std::monostate>(resume)) {
    return make_error(Errc::invalid_config,
                      "offline binlog decoding cannot resume from " + to_string(resume));
  }
  start_stream(MysqlPosition{});
  return {};
}

Result<std::optional<std::span<const std::byte>>> MysqlSource::Impl::next_raw(
    std::chrono::milliseconds wait) {
  if (!files) {
    auto next = dump->read_event(wait);
    if (!next) return std::move(next).error().with_context("binlog stream at " + file);
    return next;
  }
  CDC_TRY_ASSIGN(auto ev, files->next());  // its errors name the path and offset already
  if (!ev) return std::optional<std::span<const std::byte>>();
  if (ev->file != file) {
    file = std::string(ev->file);
    ++file_gen;
  }
  file_offset = ev->offset;
  return std::optional<std::span<const std::byte>>(ev->bytes);
}

void MysqlSource::Impl::begin_txn(uint64_t offset) {
  in_txn = true;
  txn_begin = BinlogPosition{file, offset};
  gtids_before_txn = gtids.to_string();
  events_in_txn = 0;
  rows_in_txn = 0;
  rows_in_txn_by_table.clear();
  txn_ends_after_query = false;
  txn_thread.reset();
  txn_gtid.clear();
  txn_mariadb_gtid.reset();
  txn_mysql_uuid.clear();
  txn_commit_ms = 0;
  ++txn_gen;
}

void MysqlSource::Impl::end_txn(uint64_t next_offset) {
  if (txn_mariadb_gtid) gtids.add(*txn_mariadb_gtid);
  if (!txn_mysql_uuid.empty()) gtids.add_mysql(txn_mysql_uuid, txn_mysql_gno);
  in_txn = false;
  committed = BinlogPosition{file, next_offset};
  events_in_txn = 0;
  rows_in_txn = 0;
  rows_in_txn_by_table.clear();
  skip_events = 0;
  skip_rows = 0;
  txn_gtid.clear();
  txn_mariadb_gtid.reset();
  txn_mysql_uuid.clear();
  statement.clear();
  ++statement_gen;
  ++txn_gen;
}

Status MysqlSource::Impl::detect_json_columns(const TableMapEvent& map) {
  // MariaDB's JSON is LONGTEXT + CHECK(json_valid(col)); only the catalog knows it.
  const TableId id{map.db, map.table};
  if (flavor != Flavor::mariadb || json_checked.count(id)) return {};
  json_checked[id] = true;
  bool has_text_blob = false;
  for (const auto& c : map.columns) has_text_blob |= c.real_type == 252 && c.collation && *c.collation != kBinaryCollation;
  if (!has_text_blob || !query) return {};
  auto rows = query->query(
      "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE "
      "CONSTRAINT_SCHEMA='" + query->escape(map.db) + "' AND TABLE_NAME='" +
      query->escape(map.table) + "'");
  if (!rows) return std::move(rows).error().with_context("JSON column look-up");
  std::vector<std::string> names;
  for (const auto& r : *rows) {
    if (r.size() < 2 || !r[0] || !r[1]) continue;
    if (*r[1] == "json_valid(`" + *r[0] + "`)") names.push_back(*r[0]);
  }
  tables.set_json_columns(id, std::move(names));
  return {};
}

Status MysqlSource::Impl::handle(std::span<const std::byte> raw, Batch& batch, bool& heartbeat) {
  CDC_TRY_ASSIGN(const EventHeader h, decode_event_header(raw));
  if (h.type == static_cast<uint8_t>(EventType::format_description)) {
    auto fde = decode_format_description(raw);
    if (!fde) return std::move(fde).error().with_context(where(h));
    ctx = fde->to_context();
    return {};
  }
  auto decoded = decode_event(raw, ctx);
  if (!decoded) return std::move(decoded).error().with_context(where(h));
  auto& ev = *decoded;
  const uint64_t start = h.start_offset();

  if (auto* rot = std::get_if<RotateEvent>(&ev.body)) {
    file = std::string(rot->next_file);
    ++file_gen;
    const bool fake = h.timestamp == 0 || h.log_pos == 0 || (h.flags & kLogEventArtificialFlag);
    if (!in_txn && !fake) committed = BinlogPosition{file, rot->position};
    return {};
  }
  if (std::holds_alternative<HeartbeatEvent>(ev.body)) {
    heartbeat = true;
    return {};
  }
  if (auto* gl = std::get_if<GtidListEvent>(&ev.body)) {
    if (gtids.empty()) gtids.reset_mariadb(gl->gtids);
    return {};
  }
  if (auto* pg = std::get_if<PreviousGtidsEvent>(&ev.body)) {
    if (gtids.empty()) gtids.reset_mysql(pg->to_gtid_set());
    return {};
  }
  if (auto* g = std::get_if<MariadbGtidEvent>(&ev.body)) {
    begin_txn(start);
    txn_mariadb_gtid = MariadbGtid{g->domain_id, h.server_id, g->sequence};
    txn_gtid = to_string(*txn_mariadb_gtid);
    txn_ends_after_query = g->standalone();
    return {};
  }
  if (auto* g = std::get_if<MysqlGtidEvent>(&ev.body)) {
    begin_txn(start);
    txn_gtid = g->gtid();
    if (!g->anonymous) {
      txn_mysql_uuid = to_string(g->sid);
      txn_mysql_gno = g->gno;
    }
    if (g->immediate_commit_us) txn_commit_ms = static_cast<int64_t>(*g->immediate_commit_us / 1000);
    txn_ends_after_query = true;  // until a BEGIN says otherwise (DDL has none)
    return {};
  }
  if (auto* q = std::get_if<QueryEvent>(&ev.body)) {
    const std::string head = upper_trim(q->statement);
    if (head == "BEGIN" || head == "START TRANSACTION") {
      if (!in_txn) begin_txn(start);
      txn_thread = q->thread_id;
      txn_ends_after_query = false;
    } else if (head == "COMMIT" || head == "ROLLBACK") {
      end_txn(h.log_pos);
    } else if (!in_txn || txn_ends_after_query) {
      // DDL and other standalone statements. TODO(mysql): schema history + schema-change
      // events from DDL (#3); until then TABLE_MAP metadata versions the schema.
      if (!in_txn) begin_txn(start);
      end_txn(h.log_pos);
    }
    return {};
  }
  if (std::holds_alternative<XidEvent>(ev.body)) {
    end_txn(h.log_pos);
    return {};
  }
  if (auto* a = std::get_if<AnnotateRowsEvent>(&ev.body)) {
    statement = std::string(a->statement);
    ++statement_gen;
    return {};
  }
  if (auto* a = std::get_if<RowsQueryEvent>(&ev.body)) {
    statement = std::string(a->statement);
    ++statement_gen;
    return {};
  }
  if (auto* tm = std::get_if<TableMapEvent>(&ev.body)) {
    const TableId id{tm->db, tm->table};
    const bool in = included(id);
    table_included[tm->table_id] = in;
    if (!in) return {};
    CDC_TRY(detect_json_columns(*tm));
    auto v = tables.apply(std::move(*tm));
    if (!v) return std::move(v).error().with_context(where(h));
    return {};
  }
  if (auto* rows = std::get_if<RowsEvent>(&ev.body)) {
    if (!in_txn) begin_txn(start);  // row events outside BEGIN (non-GTID 5.x, NDB)
    if (events_in_txn < skip_events) {  // delivered before the checkpoint we resumed from
      ++events_in_txn;
      return {};
    }
    const auto inc = table_included.find(rows->table_id);
    if (inc == table_included.end()) {
      return make_error(Errc::malformed, "row event for table id " + std::to_string(rows->table_id) +
                                             " without a preceding TABLE_MAP")
          .with_context(where(h));
    }
    if (!inc->second) {
      ++events_in_txn;
      return {};
    }
    auto table = tables.find(rows->table_id);
    if (!table) return make_error(Errc::internal, "table id without a version").with_context(where(h));
    if (rows->column_count != table->columns.size()) {
      return make_error(Errc::malformed, "row event has " + std::to_string(rows->column_count) +
                                             " columns, TABLE_MAP " +
                                             std::to_string(table->columns.size()))
          .with_context(where(h));
    }
    if (!rows->full_image()) {
      return make_error(Errc::unsupported,
                        "partial row image in " + table->schema->id.to_string() +
                            ": set binlog_row_image=FULL")
          .with_context(where(h));
    }
    Pending p;
    p.raw.assign(raw.begin(), raw.end());
    p.header = h;
    p.table = std::move(table);
    // Re-decode over the owned copy so the spans stay valid across polls.
    auto again = decode_event(p.raw, ctx);
    if (!again) return std::move(again).error().with_context(where(h));
    p.ev = std::get<RowsEvent>(again->body);
    p.skip_rows = events_in_txn == skip_events ? static_cast<uint32_t>(skip_rows) : 0;
    pending = std::move(p);
    return emit_pending(batch);
  }
  if (std::holds_alternative<StopEvent>(ev.body)) return {};
  return {};
}

Status MysqlSource::Impl::emit_pending(Batch& batch) {
  auto& p = *pending;
  const auto& cols = p.table->columns;
  const size_t n = cols.size();
  const bool update = p.ev.kind == RowsKind::update;
  while (batch.events.size() < options.max_batch_events) {
    if (p.offset >= p.ev.rows.size()) {
      ++events_in_txn;
      pending.reset();
      return {};
    }
    ByteReader r(p.ev.rows.subspan(p.offset));
    auto before = batch.arena.make_array<Value>(n);
    auto after = update ? batch.arena.make_array<Value>(n) : std::span<Value>{};
    Status st = decode_row_image(r, cols, p.ev.present, batch.arena, before);
    if (st && update) st = decode_row_image(r, cols, p.ev.present_after, batch.arena, after);
    if (!st) {
      return std::move(st).error().with_context(
          "row " + std::to_string(p.row) + " of " + p.table->schema->id.to_string() + " in " +
          describe_event_type(p.header.type) + " at " + file + ":" +
          std::to_string(p.header.start_offset()));
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
    auto& in = interned;
    if (in.file_gen != file_gen || in.file.empty()) {
      in.file = batch.arena.copy(file);
      in.file_gen = file_gen;
    }
    if (in.txn_gen != txn_gen) {
      in.gtid = batch.arena.copy(txn_gtid);
      in.txn_gen = txn_gen;
    }
    if (in.statement_gen != statement_gen) {
      in.statement = batch.arena.copy(statement);
      in.statement_gen = statement_gen;
    }
    if (in.name.empty()) in.name = batch.arena.copy(options.pipeline_name);
    ce.source.connector = "mysql";
    ce.source.name = in.name;
    ce.source.server_id = p.header.server_id;
    ce.source.file = in.file;
    ce.source.pos = p.header.start_offset();
    ce.source.row = row_idx;
    ce.source.gtid = in.gtid;
    ce.source.thread = txn_thread;
    ce.source.query = in.statement;
    ce.source.commit_ts_ms = txn_commit_ms != 0 ? txn_commit_ms : int64_t{p.header.timestamp} * 1000;
    ce.transaction.id = in.gtid;
    ce.transaction.total_order = ++rows_in_txn;
    ce.transaction.data_collection_order = ++rows_in_txn_by_table[ce.schema.get()];
    ce.ts_ms = now_ms();
    batch.events.push_back(std::move(ce));
  }
  if (p.offset >= p.ev.rows.size()) {
    ++events_in_txn;
    pending.reset();
  }
  return {};
}

Result<std::unique_ptr<Batch>> MysqlSource::poll(std::chrono::milliseconds max_wait) {
  auto& s = *impl_;
  if (!s.opened) return make_error(Errc::internal, "poll() before open()");
  auto batch = std::make_unique<Batch>();
  s.interned = Impl::Interned{};
  const MysqlPosition start_pos = s.position();
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  bool heartbeat = false;
  auto fail = [&](Error e) -> Error {
    s.opened = false;  // the stream state is unknown now: the runner re-opens from a checkpoint
    return e;
  };
  while (batch->events.size() < s.options.max_batch_events) {
    if (s.pending) {
      if (auto st = s.emit_pending(*batch); !st) return fail(std::move(st).error());
      continue;
    }
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    // Once something is in hand, take only what is already there; never wait for more.
    if (!batch->events.empty() || heartbeat || remaining.count() < 0) {
      remaining = std::chrono::milliseconds(0);
    }
    auto next = s.next_raw(remaining);
    if (!next) return fail(std::move(next).error());
    if (!next->has_value()) break;
    if (auto st = s.handle(**next, *batch, heartbeat); !st) return fail(std::move(st).error());
  }
  const MysqlPosition end = s.position();
  if (batch->events.empty() && end == start_pos && !heartbeat) return std::unique_ptr<Batch>();
  batch->end = end;
  return batch;
}

}  // namespace cdc::mysql
