// BinlogStream: MysqlSource's replication-stream state machine, without the network. Raw events
// go in as the dump connection delivers them; change events go into the caller's Batch; and
// position() is where a restart resumes exactly (Debezium semantics: the start of the current
// transaction + the row events and rows of it already delivered, also inside a MySQL 8
// TRANSACTION_PAYLOAD). A large row event, or a payload's inner events, can span batches:
// while has_buffered(), continue_buffered() must run before the next raw event is handed in.
// Owned by the source's reader thread; not thread-safe.
#pragma once

#include <bitset>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "cdc/core/batch.h"
#include "cdc/core/position.h"
#include "cdc/core/result.h"
#include "cdc/mysql/binlog/binlog_event.h"
#include "cdc/mysql/binlog_cursor.h"
#include "cdc/mysql/binlog_offset.h"
#include "cdc/mysql/gtid_set.h"
#include "cdc/mysql/mysql_source_options.h"
#include "cdc/mysql/schema/schema_history.h"
#include "cdc/mysql/schema/table_map_cache.h"

namespace cdc::mysql {

struct BinlogStreamConfig {
  std::string pipeline_name;       // SourceInfo.name of every event
  size_t max_batch_events = 1024;  // a batch is cut here, also inside a row event
  // Rows carry their ANNOTATE_ROWS / ROWS_QUERY statement in source.query; otherwise those
  // events are ignored (MySQL sends ROWS_QUERY whatever the client asks; a file has both).
  bool include_query = false;
  // Also the limit for one inflated MariaDB compressed event.
  uint64_t max_transaction_payload_bytes = uint64_t{256} << 20;
  // Whether a table's rows are emitted; excluded tables' events still advance the position.
  std::function<bool(const TableId&)> included;
  // Runs on each included TABLE_MAP before it is installed (MariaDB's JSON columns are found
  // in the catalog); may be empty.
  std::function<Status(const TableMapEvent&, TableMapCache&)> on_table_map;
  // The schema history that DDL advances and TABLE_MAPs are checked against; owned by the
  // source and outlives the stream. Null (offline decoding): a DDL only ends its transaction.
  SchemaHistory* history = nullptr;
  UnparseableDdl unparseable_ddl = UnparseableDdl::stop;
  StatementEvents statement_events = StatementEvents::fail;
  // resync: the tables as information_schema has them now (a table missing from the result is
  // gone). Empty: resync is not possible and such a DDL stops the stream.
  std::function<Result<std::vector<TableSchema>>(const std::vector<TableId>&)> read_catalog;
  // Warnings (resync, a catalog version corrected by a TABLE_MAP); may be empty.
  std::function<void(const std::string&)> warn;
};

class BinlogStream {
 public:
  // Starts at `start` (its binlog file; events and rows to skip in the first transaction) with
  // `ctx` until a FORMAT_DESCRIPTION arrives. `tables` outlives the stream (it is kept across
  // re-opens so schema versions keep counting).
  BinlogStream(BinlogStreamConfig config, TableMapCache& tables, DecodeContext ctx,
               const MysqlPosition& start, GtidSet gtids);

  // One raw event (after the packet's OK byte). `heartbeat` is set when it was one.
  // Errors name the event type, file and position.
  Status handle(std::span<const std::byte> raw, Batch& batch, bool& heartbeat);
  // A row event or a payload is part-way through.
  bool has_buffered() const { return pending_.has_value() || payload_.has_value(); }
  Status continue_buffered(Batch& batch);
  // Interned strings are per batch: call before filling a new one.
  void start_batch() { interned_ = Interned{}; }

  MysqlPosition position() const { return cursor_.position(pending_ ? pending_->row : 0); }
  const std::string& file() const { return cursor_.file(); }

 private:
  // Where an event sits in the binlog. A top-level event: its own offset and the next event's.
  // An event inside a TRANSACTION_PAYLOAD has no offset of its own (log_pos 0): it takes the
  // payload event's, and `inner` is its index in the payload (the resume position needs no
  // more: it counts row events and rows from the transaction's start, payload or not).
  struct Place {
    BinlogOffset start{0};
    BinlogOffset next{0};
    std::optional<size_t> inner;
  };
  static Place place_of(const EventHeader& h, std::optional<size_t> inner = std::nullopt) {
    return Place{h.start_offset(), h.next_offset(), inner};
  }

  // One decoded event with where it came from, as the handlers below take it. Every member
  // refers to the caller's locals: valid only during the handler call.
  struct Event {
    const EventHeader& header;
    std::span<const std::byte> raw;  // its bytes (after inflating, when compressed)
    const Place& place;
    const DecodeContext& ctx;  // the one it was decoded with
    Batch& batch;
    bool& heartbeat;
  };

  // A TRANSACTION_PAYLOAD being unpacked: its inner events are handled one at a time, through
  // the same path as top-level events, so a row event inside may span polls like any other.
  struct Payload {
    // User-provided: clang judges a nested struct with member initializers not
    // default-constructible inside its enclosing class (llvm #36032), so optional::emplace()
    // failed in the libFuzzer build.
    Payload() : reader(std::span<const std::byte>{}) {}
    std::vector<std::byte> events;  // uncompressed; `reader` borrows it
    PayloadEventReader reader;
    EventHeader header;      // the TRANSACTION_PAYLOAD's
    DecodeContext ctx;       // the inner events': no checksums
    bool txn_ended = false;  // an inner event ended the transaction
  };

  // A row event up to this size is copied into the arena of the batches its rows go to (no
  // allocation of its own: malloc and a cross-thread free per event were ~4 % of a catch-up);
  // a larger one is shared by those batches.
  static constexpr size_t kArenaEventBytes = 256 * 1024;

  // A row event being emitted across batches. Its rows' text values view `bytes`, the event's
  // bytes where the batch the rows go to keeps them: up to kArenaEventBytes a copy in that
  // batch's arena (between two batches the event waits in `carry_`, and the next batch takes its
  // own copy); a larger event one shared copy (`shared`) that every batch with rows of it holds,
  // so that a multi-megabyte event is not copied again for each batch.
  struct Pending {
    SharedBytes shared;
    // What the spans of `ev` point into (carry_ between two batches: not yet in a batch).
    std::span<const std::byte> bytes;
    RowsEvent ev;
    TableVersionPtr table;
    EventHeader header;
    Place place;
    size_t offset = 0;  // into ev.rows
    uint32_t row = 0;   // next row index
    uint32_t skip_rows = 0;
    // Partial row images (binlog_row_image=MINIMAL/NOBLOB): the columns each image leaves out.
    // An update's after image takes the before image's value of a column it leaves out (the
    // statement did not assign it), so after_absent lists those absent from both.
    std::vector<uint32_t> before_absent, after_absent, after_from_before;
  };

  // Per-batch interned strings (views into the batch's arena).
  struct Interned {
    std::string_view file, gtid, statement, name;
    uint64_t file_gen = ~0ULL, txn_gen = ~0ULL, statement_gen = ~0ULL;
  };

  Status handle_next_inner(Batch& batch);
  Status handle_decoded(BinlogEvent& ev, const Event& e);
  // One handler per event type (std::visit over EventBody).
  Status on(const RotateEvent& ev, const Event& e);
  Status on(const HeartbeatEvent& ev, const Event& e);
  Status on(const GtidListEvent& ev, const Event& e);
  Status on(const PreviousGtidsEvent& ev, const Event& e);
  Status on(const MariadbGtidEvent& ev, const Event& e);
  Status on(const MysqlGtidEvent& ev, const Event& e);
  Status on(const QueryEvent& ev, const Event& e);
  Status on(const XidEvent& ev, const Event& e);
  Status on(const AnnotateRowsEvent& ev, const Event& e);
  Status on(const RowsQueryEvent& ev, const Event& e);
  Status on(TableMapEvent& ev, const Event& e);
  Status on(const RowsEvent& ev, const Event& e);
  Status on(const TransactionPayloadEvent& ev, const Event& e);
  // STOP and BINLOG_CHECKPOINT change nothing; a FORMAT_DESCRIPTION is taken by handle() first.
  Status on(const StopEvent&, const Event&) { return {}; }
  Status on(const IgnorableEvent& ev, const Event& e);
  Status on(const BinlogCheckpointEvent&, const Event&) { return {}; }
  // Context of the statement that follows (statement-based replication): nothing to emit.
  Status on(const IntvarEvent&, const Event&) { return {}; }
  Status on(const RandEvent&, const Event&) { return {}; }
  Status on(const UserVarEvent&, const Event&) { return {}; }
  Status on(const LoadBlockEvent&, const Event&) { return {}; }
  Status on(const ExecuteLoadQueryEvent& ev, const Event& e);
  // A statement-based row change: statement-events says whether it stops the stream.
  Status statement_change(const QueryEvent& q, const Event& e);
  Status on(const FormatDescriptionEvent&, const Event&) { return {}; }
  Status emit_pending(Batch& batch);
  // Fills p's absent-column lists from the bitmaps of a partial row image.
  static void note_partial_image(const RowsEvent& ev, Pending& p);
  // A standalone statement: DDL advances the history and emits schema-change / truncate events.
  Status apply_ddl(const QueryEvent& q, const EventHeader& h, const Place& place, Batch& batch);
  Status resync(const std::vector<TableId>& tables, const MysqlPosition& at, const EventHeader& h,
                const Place& place, std::string_view statement, Batch& batch);
  // Checks a captured TABLE_MAP against the history, or names its columns from it.
  Status check_table_map(TableMapEvent& tm, const EventHeader& h, const Place& place);
  // Source metadata shared by row and statement events (query and row aside), and the
  // transaction order: the event is the transaction's next.
  void fill_source(ChangeEvent& ce, const EventHeader& h, const Place& place, Batch& batch);
  // The same without the order: what every row of one row event shares.
  void fill_shared_source(ChangeEvent& ce, const EventHeader& h, const Place& place, Batch& batch);
  // The ANNOTATE_ROWS / ROWS_QUERY statement of the coming row events.
  void set_statement(std::string_view statement);
  bool captured(const TableId& id) const { return config_.included ? config_.included(id) : true; }
  // The transaction ends before `next`; the statement of its row events with it.
  void end_txn(BinlogOffset next);
  std::string where(const EventHeader& h) const;
  std::string where(uint8_t type, const Place& place) const;
  std::string location(const Place& place) const;  // "file:offset"

  BinlogStreamConfig config_;
  TableMapCache& tables_;  // owned by the source, outlives this stream
  DecodeContext ctx_;
  std::unordered_map<uint64_t, bool> table_included_;  // by table id of the current mapping
  BinlogCursor cursor_;
  std::string statement_;  // ANNOTATE_ROWS / ROWS_QUERY of the coming row events
  uint64_t statement_gen_ = 0;

  std::optional<Payload> payload_;
  std::optional<Pending> pending_;
  std::vector<std::byte> carry_;  // Pending's event between two batches (its capacity reused)
  std::vector<std::span<const std::byte>> json_docs_;  // scratch of emit_pending
  std::vector<uint32_t> unapplied_diffs_;              // scratch of emit_pending
  std::bitset<256> warned_ignorable_;  // event types whose passing over was logged once
  Interned interned_;
};

}  // namespace cdc::mysql
