#include "cdc/postgres/pg_stream.h"

#include <algorithm>
#include <chrono>

#include "cdc/core/byte_reader.h"

namespace cdc::postgres {

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Order of resume points (position.cpp's compare, for this alternative only).
bool before(const PostgresPosition& a, const PostgresPosition& b) {
  return std::tuple(static_cast<uint64_t>(a.commit_lsn), static_cast<uint64_t>(a.lsn),
                    a.events_to_skip) < std::tuple(static_cast<uint64_t>(b.commit_lsn),
                                                   static_cast<uint64_t>(b.lsn), b.events_to_skip);
}

Lsn max_lsn(Lsn a, Lsn b) { return static_cast<uint64_t>(a) < static_cast<uint64_t>(b) ? b : a; }

}  // namespace

PgStream::PgStream(PgStreamConfig config, PgTypeRegistry& registry, PostgresPosition resume)
    : config_(std::move(config)),
      registry_(registry),
      relations_(registry, config_.hooks),
      resume_(resume),
      finished_(resume.commit_lsn) {}

PgStream::~PgStream() = default;

PostgresPosition PgStream::position() const {
  PostgresPosition p{finished_, Lsn{0}, 0};
  if (txn_ && !txn_->skip_all && txn_->delivered > 0) {
    p.lsn = txn_->commit_lsn;
    p.events_to_skip = txn_->delivered;
  }
  // Until the stream passes the resume point, that point is where a restart must go.
  return before(p, resume_) ? resume_ : p;
}

void PgStream::begin_txn(uint32_t xid, Lsn commit_lsn, int64_t commit_ms) {
  Txn t;
  t.xid = xid;
  t.commit_lsn = commit_lsn;
  t.commit_ms = commit_ms;
  last_commit_ms_ = commit_ms;
  // A transaction whose commit record lies before the resume point's end LSN ended at or
  // before it: delivered whole.
  t.skip_all = static_cast<uint64_t>(commit_lsn) < static_cast<uint64_t>(resume_.commit_lsn);
  if (resume_.lsn == commit_lsn && resume_.lsn != Lsn{0}) t.to_skip = resume_.events_to_skip;
  t.id = std::to_string(xid);
  txn_ = std::move(t);
}

bool PgStream::take_row() {
  if (txn_->skip_all) return false;
  ++txn_->delivered;
  return txn_->delivered > txn_->to_skip;
}

void PgStream::fill_source(ChangeEvent& e, Lsn at, Batch& batch) {
  if (!interned_) {
    name_ = batch.arena.copy(config_.pipeline_name);
    database_ = batch.arena.copy(config_.database);
    interned_ = true;
  }
  e.source.connector = "postgresql";
  e.source.name = name_;
  e.source.database = database_;
  e.source.at = at;
  if (txn_) {
    e.source.tx_id = txn_->xid;
    e.source.commit_ts_ms = txn_->commit_ms;
    e.transaction.id = batch.arena.copy(txn_->id);
    e.transaction.total_order = txn_->delivered;
  }
  e.ts_ms = now_ms();
}

Status PgStream::spool_message(uint32_t xid, std::span<const std::byte> message, Lsn at) {
  auto it = spools_.find(*stream_xid_);
  if (it == spools_.end()) {
    return make_error(Errc::internal,
                      "no spool for streamed transaction " + std::to_string(*stream_xid_));
  }
  return it->second->append(xid, at, as_chars(message));
}

Status PgStream::handle(std::span<const std::byte> message, Lsn at, Batch& batch) {
  const PgoutputContext ctx{stream_xid_.has_value(), &scratch_};
  CDC_TRY_ASSIGN(auto msg, decode_pgoutput(message, ctx, at));
  Status st = handle_or_spool(msg, message, at, batch);
  scratch_.recycle(msg);
  return st;
}

Status PgStream::handle_or_spool(PgoutputMessage& msg, std::span<const std::byte> message, Lsn at,
                                 Batch& batch) {
  if (stream_xid_ && !std::holds_alternative<StreamStopMessage>(msg)) {
    // Inside a streamed segment every message waits in the spool for the Stream Commit.
    const uint32_t xid = std::visit(
        [](const auto& m) -> uint32_t {
          if constexpr (requires { m.xid; }) {
            return m.xid;
          } else {
            return 0;
          }
        },
        msg);
    if (std::holds_alternative<BeginMessage>(msg) || std::holds_alternative<CommitMessage>(msg) ||
        std::holds_alternative<StreamStartMessage>(msg) ||
        std::holds_alternative<StreamCommitMessage>(msg) ||
        std::holds_alternative<StreamAbortMessage>(msg)) {
      return make_error(Errc::malformed,
                        "pgoutput " + std::string(message_name(static_cast<char>(message[0]))) +
                            " message at " + to_string(at) +
                            " inside the streamed segment of transaction " +
                            std::to_string(*stream_xid_));
    }
    return spool_message(xid, message, at);
  }
  return handle_decoded(msg, at, batch);
}

Status PgStream::handle_decoded(PgoutputMessage& msg, Lsn at, Batch& batch) {
  const auto where = [&](std::string_view what) {
    return "pgoutput " + std::string(what) + " message at " + to_string(at);
  };
  const auto need_txn = [&](std::string_view what) -> Status {
    if (!txn_) return make_error(Errc::malformed, where(what) + " outside a transaction");
    return {};
  };
  const auto relation = [&](uint32_t id, std::string_view what) -> Result<const RelationInfo*> {
    const RelationInfo* rel = relations_.find(id);
    if (rel == nullptr) {
      return make_error(Errc::malformed, where(what) + " names relation " + std::to_string(id) +
                                             ", which no Relation message described");
    }
    return rel;
  };
  if (auto* m = std::get_if<BeginMessage>(&msg)) {
    begin_txn(m->xid, m->final_lsn, unix_ms(m->commit_time));
  } else if (auto* m = std::get_if<CommitMessage>(&msg)) {
    CDC_TRY(need_txn("Commit"));
    finished_ = max_lsn(finished_, m->end_lsn);
    txn_.reset();
  } else if (auto* m = std::get_if<RelationMessage>(&msg)) {
    bool changed = false;
    CDC_TRY_ASSIGN(const RelationInfo* rel, relations_.apply(*m, changed));
    if (changed && config_.record_version && !(txn_ && txn_->skip_all)) {
      // In force from the resume point after the transaction's next change (the one after
      // its `delivered` changes so far), which is the first to use it: a resume point before
      // that change (the same events_to_skip) is before this Relation.
      PostgresPosition from{finished_, Lsn{0}, 0};
      if (txn_) {
        from.lsn = txn_->commit_lsn;
        from.events_to_skip = txn_->delivered + 1;
      }
      CDC_TRY(config_.record_version(from, *rel->schema));
    }
    if (changed && !(txn_ && txn_->skip_all)) {
      ChangeEvent e;
      e.op = Op::schema_change;
      e.schema = batch.hold(rel->schema);
      fill_source(e, at, batch);
      e.transaction.data_collection_order = 1;
      batch.events.push_back(std::move(e));
    }
  } else if (auto* m = std::get_if<InsertMessage>(&msg)) {
    CDC_TRY(need_txn("Insert"));
    CDC_TRY_ASSIGN(const RelationInfo* rel, relation(m->relation_id, "Insert"));
    if (rel->captured && take_row()) {
      CDC_TRY(emit_row(Op::insert, *rel, nullptr, 0, &m->new_tuple, at, batch));
    }
  } else if (auto* m = std::get_if<UpdateMessage>(&msg)) {
    CDC_TRY(need_txn("Update"));
    CDC_TRY_ASSIGN(const RelationInfo* rel, relation(m->relation_id, "Update"));
    if (rel->captured && take_row()) {
      CDC_TRY(emit_row(Op::update, *rel, m->old_kind ? &m->old_tuple : nullptr, m->old_kind,
                       &m->new_tuple, at, batch));
    }
  } else if (auto* m = std::get_if<DeleteMessage>(&msg)) {
    CDC_TRY(need_txn("Delete"));
    CDC_TRY_ASSIGN(const RelationInfo* rel, relation(m->relation_id, "Delete"));
    if (rel->captured && take_row()) {
      CDC_TRY(emit_row(Op::erase, *rel, &m->old_tuple, m->old_kind, nullptr, at, batch));
    }
  } else if (auto* m = std::get_if<TruncateMessage>(&msg)) {
    CDC_TRY(need_txn("Truncate"));
    for (uint32_t id : m->relation_ids) {
      CDC_TRY_ASSIGN(const RelationInfo* rel, relation(id, "Truncate"));
      if (!rel->captured || !take_row()) continue;
      ChangeEvent& e = batch.events.emplace_back();
      e.op = Op::truncate;
      e.schema = batch.hold(rel->schema);
      fill_source(e, at, batch);
      CDC_TRY(keep_last(batch));
    }
  } else if (auto* m = std::get_if<StreamStartMessage>(&msg)) {
    if (!spools_.count(m->xid)) {
      if (!m->first_segment) {
        return make_error(Errc::malformed,
                          where("Stream Start") + " continues transaction " +
                              std::to_string(m->xid) +
                              ", whose first segment this connection never received");
      }
      const std::string path = config_.spool_dir + "/sluice-" + config_.pipeline_name + "-" +
                               std::to_string(m->xid) + ".spool";
      CDC_TRY_ASSIGN(auto spool, TransactionSpool::create(path, m->xid));
      spools_[m->xid] = std::make_unique<TransactionSpool>(std::move(spool));
    }
    stream_xid_ = m->xid;
  } else if (std::holds_alternative<StreamStopMessage>(msg)) {
    if (!stream_xid_)
      return make_error(Errc::malformed, where("Stream Stop") + " without a Stream Start");
    stream_xid_.reset();
  } else if (auto* m = std::get_if<StreamCommitMessage>(&msg)) {
    auto it = spools_.find(m->xid);
    if (it == spools_.end()) {
      return make_error(Errc::malformed, where("Stream Commit") + " of transaction " +
                                             std::to_string(m->xid) + ", which was never streamed");
    }
    replay_ = std::move(it->second);
    spools_.erase(it);
    CDC_TRY(replay_->finish_writing());
    begin_txn(m->xid, m->commit_lsn, unix_ms(m->commit_time));
    replay_end_ = m->end_lsn;
    return continue_replay(batch);
  } else if (auto* m = std::get_if<LogicalMessage>(&msg)) {
    if (config_.on_message && !(txn_ && txn_->skip_all)) config_.on_message(*m);
  } else if (auto* m = std::get_if<StreamAbortMessage>(&msg)) {
    auto it = spools_.find(m->xid);
    if (it != spools_.end()) {
      if (m->subxid == m->xid) {
        spools_.erase(it);
      } else {
        CDC_TRY(it->second->abort_subtransaction(m->subxid));
      }
    }
  }
  // Origin, Type (the registry reads types from the catalog) and logical decoding messages
  // (sluice's heartbeats and watermarks, anyone else's) carry no rows.
  return {};
}

Status PgStream::continue_replay(Batch& batch) {
  while (replay_ && !batch_full(batch)) {
    Lsn at{0};
    CDC_TRY_ASSIGN(bool more, replay_->next(at, replay_buf_));
    if (!more) {
      finished_ = max_lsn(finished_, replay_end_);
      txn_.reset();
      replay_.reset();
      break;
    }
    CDC_TRY_ASSIGN(auto msg,
                   decode_pgoutput(as_bytes(replay_buf_), PgoutputContext{true, &scratch_}, at));
    Status st = handle_decoded(msg, at, batch);
    scratch_.recycle(msg);
    CDC_TRY(std::move(st));
  }
  return {};
}

Status PgStream::convert(const RelationInfo& rel, const TupleData& tuple,
                         const TupleData* old_tuple, bool key_only, Batch& batch,
                         std::span<Value> out, std::vector<uint32_t>* unchanged) {
  const TableSchema& schema = *rel.schema;
  if (tuple.columns.size() != schema.columns.size()) {
    return make_error(Errc::malformed, "a tuple of " + std::to_string(tuple.columns.size()) +
                                           " columns for " + schema.id.to_string() + " of " +
                                           std::to_string(schema.columns.size()));
  }
  for (uint32_t col_idx = 0; col_idx < out.size(); ++col_idx) {
    if (key_only && rel.is_key[col_idx] == 0) continue;  // stays null
    const TupleColumn* c = &tuple.columns[col_idx];
    if (c->kind == 'u' && old_tuple != nullptr && old_tuple->columns.size() > col_idx &&
        old_tuple->columns[col_idx].kind != 'u') {
      c = &old_tuple->columns[col_idx];  // REPLICA IDENTITY FULL: the old row holds the value
    }
    switch (c->kind) {
      case 'n': break;
      case 'u':
        if (unchanged != nullptr) unchanged->push_back(col_idx);
        break;
      case 't': {
        const auto& type = rel.types[col_idx];
        if (type && pg_text_value_fast(registry_, *type, c->data, batch.arena, out[col_idx])) {
          break;
        }
        auto v =
            type ? pg_text_value(registry_, schema.columns[col_idx], *type, c->data, batch.arena)
                 : pg_text_value(registry_, schema.columns[col_idx], rel.type_oids[col_idx],
                                 rel.typmods[col_idx], c->data, batch.arena);
        if (!v) {
          return std::move(v).error().with_context("column " + schema.columns[col_idx].name +
                                                   " of " + schema.id.to_string());
        }
        out[col_idx] = *v;
        break;
      }
      default:
        return make_error(Errc::unsupported,
                          "a binary-format value in column " + schema.columns[col_idx].name +
                              " of " + schema.id.to_string() + " (binary was not requested)");
    }
  }
  return {};
}

Status PgStream::emit_row(Op op, const RelationInfo& rel, const TupleData* before, char before_kind,
                          const TupleData* after, Lsn at, Batch& batch) {
  const size_t ncols = rel.schema->columns.size();
  // Built in place (a ChangeEvent is a few hundred bytes): taken back out on an error.
  ChangeEvent& e = batch.events.emplace_back();
  e.op = op;
  e.schema = batch.hold(rel.schema);
  const auto failed = [&](Status st) {
    batch.events.pop_back();
    return std::move(st).error().with_context("pgoutput " +
                                              std::string(op == Op::insert   ? "Insert"
                                                          : op == Op::update ? "Update"
                                                                             : "Delete") +
                                              " at " + to_string(at));
  };
  if (after != nullptr) {
    auto values = batch.arena.make_array<Value>(ncols);
    unchanged_.clear();
    const TupleData* old_full = before_kind == 'O' ? before : nullptr;
    if (auto st = convert(rel, *after, old_full, false, batch, values, &unchanged_); !st) {
      return failed(std::move(st));
    }
    e.after = RowImage(values);
    if (!unchanged_.empty()) {
      auto idx = batch.arena.make_array<uint32_t>(unchanged_.size());
      std::copy(unchanged_.begin(), unchanged_.end(), idx.begin());
      e.unchanged_columns = idx;
    }
  }
  if (before != nullptr) {
    auto values = batch.arena.make_array<Value>(ncols);
    if (auto st = convert(rel, *before, nullptr, before_kind == 'K', batch, values, nullptr); !st) {
      return failed(std::move(st));
    }
    e.before = RowImage(values);
  } else if (op == Op::update && !rel.schema->primary_key.empty()) {
    // REPLICA IDENTITY DEFAULT with the key unchanged: no old tuple is sent; the before image
    // holds the key columns, from the new row.
    auto values = batch.arena.make_array<Value>(ncols);
    for (uint32_t k : rel.schema->primary_key) values[k] = e.after[k];
    e.before = RowImage(values);
  }
  fill_source(e, at, batch);
  return keep_last(batch);
}

Status PgStream::keep_last(Batch& batch) {
  if (config_.keep && txn_) {
    auto keep = config_.keep(batch.events.back(), txn_->commit_lsn);
    if (!keep || !*keep) batch.events.pop_back();
    if (!keep) return std::move(keep).error();
  }
  return {};
}

}  // namespace cdc::postgres
