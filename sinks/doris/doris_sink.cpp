#include "sinks/doris/doris_sink.h"

#include <algorithm>
#include <iterator>
#include <thread>

#include "cdc/core/log.h"
#include "cdc/core/text.h"
#include "sinks/doris/position_sequence.h"
#include "sinks/doris/row_json.h"
#include "sinks/doris/schema_plan.h"
#include "sinks/doris/type_mapping.h"

namespace cdc::sinks::doris {
namespace {

bool label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == ':';
}

std::string fnv1a_hex(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = kHex[h & 0xf];
  return out;
}

// The session database of the sink's statements, which all name their database: the target
// database may not exist yet.
constexpr const char* kSessionDb = "information_schema";

bool unknown_table(const Error& e) {
  return e.code == Errc::invalid_config &&
         (e.message.find("Unknown table") != std::string::npos ||
          e.message.find("Unknown database") != std::string::npos);
}

std::chrono::milliseconds backoff(uint32_t attempt) {
  return std::chrono::milliseconds(
      std::min<uint32_t>(100u << std::min<uint32_t>(attempt, 5), 3000));
}

}  // namespace

std::string make_label(const std::string& prefix, const std::string& db, const std::string& table,
                       uint64_t checkpoint, uint32_t n, const std::string& suffix) {
  const std::string tail = "_" + std::to_string(checkpoint) + "_" + std::to_string(n) + suffix;
  std::string label = prefix + "_" + db + "_" + table + tail;
  if (label.size() <= 128 && std::all_of(label.begin(), label.end(), label_char)) return label;
  // The length keeps ("a", "b.c") and ("a.b", "c") apart.
  return prefix + "_t" + fnv1a_hex(std::to_string(db.size()) + ":" + db + "." + table) + tail;
}

Result<std::pair<std::string, std::string>> resolve_identifier(const std::string& identifier,
                                                               const TableId& id) {
  std::string out;
  for (size_t i = 0; i < identifier.size();) {
    if (identifier.compare(i, 4, "{db}") == 0) {
      out += id.db;
      i += 4;
    } else if (identifier.compare(i, 7, "{table}") == 0) {
      out += id.table;
      i += 7;
    } else {
      out.push_back(identifier[i++]);
    }
  }
  const size_t dot = out.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == out.size() ||
      out.find('.', dot + 1) != std::string::npos) {
    return make_error(Errc::invalid_config, "table.identifier " + quote(identifier) + " gives " +
                                                quote(out) + " for " + id.to_string() +
                                                ", not <database>.<table>");
  }
  return std::make_pair(out.substr(0, dot), out.substr(dot + 1));
}

Result<std::unique_ptr<DorisSink>> DorisSink::create(const DorisOptions& options,
                                                     std::shared_ptr<DorisMetrics> metrics) {
  if (options.fenodes.empty()) return make_error(Errc::invalid_config, "sink.fenodes is required");
  return std::unique_ptr<DorisSink>(new DorisSink(options, std::move(metrics)));
}

void DorisSink::publish_precommitted() {
  if (pending_.empty() && prepared_.empty()) oldest_precommit_ = 0;
  if (!metrics_) return;
  metrics_->precommitted.Set(static_cast<double>(pending_.size() + prepared_.size()));
  metrics_->oldest_precommit.Set(oldest_precommit_);
}

Result<std::optional<CheckpointRecord>> DorisSink::open(std::span<const CheckpointRecord> history) {
  CDC_TRY_ASSIGN(client_, DorisClient::create(o_));
  // At-least-once loads are visible at once and never recorded: a replay after a restart must
  // not collide with what the attempt before loaded, so its labels carry the time of open.
  const auto gc = o_.stream_load_properties.find("group_commit");
  group_commit_ = gc != o_.stream_load_properties.end() && lower_ascii(gc->second) != "off_mode";
  flexible_ = flexible_updates(o_);
  if (!o_.enable_2pc) {
    attempt_suffix_ = "_" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
  }
  buffers_.clear();
  pending_.clear();
  prepared_.clear();
  attempted_.clear();
  publish_precommitted();
  if (history.empty()) {
    building_ = recovery_id_ = 1;
    return std::optional<CheckpointRecord>();
  }
  const CheckpointRecord& newest = history.front();
  building_ = recovery_id_ = newest.id + 1;
  if (!o_.enable_2pc) return std::optional<CheckpointRecord>(newest);
  // A checkpoint is a resume point only when every load it records is in Doris. The newest
  // one's precommitted loads are committed now (its record is durable); a load Doris aborted
  // (precommit timeout, BE restart) or no longer knows means its rows are not there, and the
  // changes must be resent from an older checkpoint. That one may itself have lost its loads:
  // after one such recovery the resent rows went out under the next checkpoint's labels, and
  // if those are lost too, the checkpoint recovered from the first time is the one to go back
  // to (issue 17: two BE restarts in a row).
  for (size_t k = 0; k < history.size(); ++k) {
    const CheckpointRecord& record = history[k];
    if (record.sink_state.empty()) return std::optional<CheckpointRecord>(record);
    CDC_TRY_ASSIGN(auto loads, decode_loads(record.sink_state));
    bool lost = false;
    for (const LoadRef& l : loads) {
      CDC_TRY_ASSIGN(std::string state, client_->load_state(l.db, l.label));
      if (state == "VISIBLE" || state == "COMMITTED") continue;
      if (state == "PRECOMMITTED" && k == 0) {
        CDC_TRY(commit_label(l));
        continue;
      }
      // An older checkpoint's load still PRECOMMITTED was written off when the newer record
      // was made (its rows are resent): abort it so that it cannot become visible later.
      if (state == "PRECOMMITTED") CDC_TRY(abort_label(l.db, l.label));
      log::get("sink.doris")
          ->warn(
              "[pipeline={}] load {} of checkpoint {} into {}.{} is {} in Doris: resending from "
              "the checkpoint before it",
              o_.pipeline, l.label, record.id, l.db, l.table, state);
      lost = true;
    }
    if (!lost) return std::optional<CheckpointRecord>(record);
  }
  return make_error(Errc::internal,
                    "checkpoints " + std::to_string(history.back().id) + ".." +
                        std::to_string(newest.id) +
                        " all hold loads Doris no longer has, and no older checkpoint is retained "
                        "to resend them from; raise checkpoint.retained, or start the pipeline "
                        "afresh (a new state dir) to load the tables again");
}

Result<DorisSink::Buffer*> DorisSink::buffer_for(const TableSchema& schema) {
  auto it = buffers_.find(schema.id);
  if (it != buffers_.end()) return &it->second;
  CDC_TRY_ASSIGN(auto target, resolve_identifier(o_.table_identifier, schema.id));
  Buffer b;
  b.db = std::move(target.first);
  b.table = std::move(target.second);
  return &buffers_.emplace(schema.id, std::move(b)).first->second;
}

Status DorisSink::follow_schema(Buffer& b, const ChangeEvent& e) {
  const auto signature = [](const TableSchema& s) {
    std::vector<std::pair<std::string, std::string>> sig;
    for (size_t i = 0; i < s.columns.size(); ++i) {
      const bool key =
          std::find(s.primary_key.begin(), s.primary_key.end(), i) != s.primary_key.end();
      sig.emplace_back(lower_ascii(s.columns[i].name), doris_type(s.columns[i], key));
    }
    return sig;
  };
  CDC_TRY_ASSIGN(TableSchemaPtr schema, held_schema(e));
  if (b.schema != nullptr && signature(*b.schema) == signature(*schema)) {
    b.schema = std::move(schema);
    return {};
  }
  CDC_TRY(flush(b));  // the buffered rows have the old columns
  const TableSchemaPtr previous = std::move(b.schema);
  b.schema = schema;
  if (!o_.create_tables) return {};
  const std::string where = "table " + b.db + "." + b.table;
  auto desc = client_->sql(kSessionDb, "DESC " + quote_ident(b.db) + "." + quote_ident(b.table));
  if (!desc && unknown_table(desc.error())) {
    std::map<std::string, std::string> properties = o_.table_properties;
    if (o_.sequence_from_position) properties["function_column.sequence_type"] = "largeint";
    if (flexible_) properties.emplace("enable_unique_key_skip_bitmap_column", "true");
    CDC_TRY_ASSIGN(std::string create, create_table_sql(b.db, b.table, *schema, properties));
    CDC_TRY(client_->sql(kSessionDb, "CREATE DATABASE IF NOT EXISTS " + quote_ident(b.db)));
    CDC_TRY(client_->sql(kSessionDb, create));
    log::get("sink.doris")->info("[pipeline={}] created {}", o_.pipeline, where);
    return {};
  }
  if (!desc) return std::move(desc).error().with_context(where);
  std::vector<DorisColumn> present;
  for (const SqlRow& row : *desc) {
    if (row.size() < 4 || !row[0] || !row[1]) continue;
    present.push_back(
        {*row[0], *row[1], row[2].value_or("") == "Yes", row[3].value_or("") == "true"});
  }
  const std::string_view ddl = e.op == Op::schema_change ? e.source.query : std::string_view();
  const SchemaPlan plan =
      plan_schema_change(b.db, b.table, present, previous.get(), *schema, ddl, o_.schema_change);
  if (plan.empty()) return {};
  std::string changes;
  for (const std::string& c : plan.changes) changes += (changes.empty() ? "" : "; ") + c;
  switch (o_.schema_change) {
    case SchemaChangeBehavior::ignore:
      // Flink CDC: no schema change reaches the sink; rows keep the columns the table has
      // (Doris ignores the fields of columns it lacks, and gives missing ones NULL).
      log::get("sink.doris")
          ->info("[pipeline={}] {}: schema change ignored (schema.change.behavior: ignore): {}",
                 o_.pipeline, where, changes);
      return {};
    case SchemaChangeBehavior::exception:
      return make_error(Errc::unsupported,
                        where + " changed in the source (" + changes +
                            ") and pipeline.schema.change.behavior is exception");
    default: break;
  }
  for (size_t i = 0; i < plan.statements.size(); ++i) {
    auto r = client_->sql(kSessionDb, plan.statements[i]);
    if (!r && o_.schema_change == SchemaChangeBehavior::try_evolve &&
        r.error().code == Errc::invalid_config) {
      // try_evolve (Flink CDC): a change the sink refuses is tolerated; the rows that follow
      // keep the columns the table has.
      log::get("sink.doris")
          ->warn(
              "[pipeline={}] {}: {} refused by Doris, continuing (schema.change.behavior: "
              "try_evolve): {}",
              o_.pipeline, where, plan.changes[i], r.error().message);
      if (metrics_) metrics_->schema_changes_refused.Increment();
      continue;
    }
    if (!r) return std::move(r).error().with_context(where + ": " + plan.changes[i]);
    log::get("sink.doris")->info("[pipeline={}] {}: {}", o_.pipeline, where, plan.changes[i]);
  }
  return {};
}

std::span<const uint32_t> DorisSink::omitted_columns(const ChangeEvent& e) {
  if (e.op == Op::erase) return e.before.absent;  // the key and the delete sign suffice
  if (e.op != Op::update) return {};
  const std::span<const uint32_t> unchanged = e.unchanged_columns, absent = e.after.absent;
  if (absent.empty()) return unchanged;
  if (unchanged.empty()) return absent;
  omit_.clear();
  std::set_union(unchanged.begin(), unchanged.end(), absent.begin(), absent.end(),
                 std::back_inserter(omit_));
  return omit_;
}

Status DorisSink::write(const Batch& batch) {
  // An insert with absent columns (partial row image) is refused, or marked to be skipped,
  // before anything of the batch is buffered.
  skipped_.clear();
  for (size_t i = 0; i < batch.events.size(); ++i) {
    const ChangeEvent& e = batch.events[i];
    if (e.op == Op::update || !e.partial_after()) continue;
    CDC_TRY_ASSIGN(const bool load, partial_inserts_.admit(e));
    if (load) continue;
    skipped_.resize(batch.events.size());
    skipped_[i] = true;
  }
  for (size_t i = 0; i < batch.events.size(); ++i) {
    const ChangeEvent& e = batch.events[i];
    if (e.schema == nullptr || (!skipped_.empty() && skipped_[i])) continue;
    CDC_TRY_ASSIGN(Buffer * b, buffer_for(*e.schema));
    if (e.op == Op::schema_change) {  // its DDL names renamed columns
      if (b->schema.get() != e.schema) CDC_TRY(follow_schema(*b, e));
      continue;
    }
    if (e.op == Op::truncate) {
      CDC_TRY(truncate(*b));
      continue;
    }
    if (b->schema.get() != e.schema) CDC_TRY(follow_schema(*b, e));
    if (e.op == Op::erase && !o_.enable_delete) continue;
    // An update with unchanged (PostgreSQL TOAST) or absent (MySQL partial image) columns, or a
    // delete with absent ones, is a partial column update: it goes in a load of its own set of
    // columns, after the rows before it.
    // Flexible partial updates: each line names its own columns, one load holds them all.
    const std::span<const uint32_t> omit = omitted_columns(e);
    if (!flexible_ && !std::equal(omit.begin(), omit.end(), b->omitted.begin(), b->omitted.end())) {
      CDC_TRY(flush(*b));
      b->omitted.assign(omit.begin(), omit.end());
    }
    if (b->rows == 0) b->first_row = std::chrono::steady_clock::now();
    std::string sequence;
    if (o_.sequence_from_position) {
      CDC_TRY_ASSIGN(sequence, position_sequence(e));
    }
    line_.clear();
    CDC_TRY(append_row_json(line_, e, sequence, omit));
    b->body.append(line_);
    ++b->rows;  // a key-changing update (two lines) counts once: max-rows is a bound, not a count
    if (b->rows >= o_.max_rows || b->body.size() >= o_.max_bytes) CDC_TRY(flush(*b));
  }
  return {};
}

Status DorisSink::truncate(Buffer& b) {
  switch (o_.schema_change) {
    case SchemaChangeBehavior::lenient:  // Flink CDC: "does not send ... truncate table"
    case SchemaChangeBehavior::ignore: return {};
    case SchemaChangeBehavior::exception:
      return make_error(Errc::unsupported, "TRUNCATE of " + b.db + "." + b.table +
                                               " and pipeline.schema.change.behavior is exception");
    default: break;
  }
  // TRUNCATE is not transactional in Doris: it is applied now. What this checkpoint loaded
  // into the table before it is moot: its loads are aborted and its buffer dropped. A replay
  // after a crash re-sends the earlier rows and then the TRUNCATE again.
  b.body.clear();
  b.rows = 0;
  std::vector<LoadRef> keep;
  for (LoadRef& l : pending_) {
    if (l.db == b.db && l.table == b.table) {
      CDC_TRY(abort_label(l.db, l.label));
    } else {
      keep.push_back(std::move(l));
    }
  }
  pending_ = std::move(keep);
  publish_precommitted();
  auto r =
      client_->sql(kSessionDb, "TRUNCATE TABLE " + quote_ident(b.db) + "." + quote_ident(b.table));
  if (!r && !unknown_table(r.error())) {  // a table not made yet holds nothing to truncate
    return std::move(r).error().with_context("TRUNCATE of " + b.db + "." + b.table);
  }
  return {};
}

Status DorisSink::abort_label(const std::string& db, const std::string& label) {
  CDC_TRY_ASSIGN(TxnResult r, client_->two_phase(db, "abort", label));
  if (!r.success && r.message.find("already aborted") == std::string::npos) {
    return make_error(Errc::unavailable,
                      "abort of label " + label + " in " + db + ": " + r.message);
  }
  if (metrics_ && r.success) metrics_->aborts.Increment();
  return {};
}

Status DorisSink::flush(Buffer& b) {
  if (b.rows == 0) return {};
  const std::string label =
      make_label(o_.label_prefix, b.db, b.table, building_, b.next_load++, attempt_suffix_);
  std::vector<std::pair<std::string, std::string>> headers = {
      {"label", label},
      {"format", "json"},
      {"read_json_by_line", "true"},
      {"hidden_columns", std::string(kDeleteSign)},
  };
  if (o_.sequence_from_position) {
    // Doris's "Sequence Column" page: a Stream Load names the load column that feeds the
    // hidden sequence column; hidden_columns lists both hidden columns the lines carry.
    headers[3].second += "," + std::string(kSequenceColumn);
    headers.emplace_back("function_column.sequence_col", std::string(kSequenceColumn));
  }
  if (flexible_) {
    // Doris docs, "Flexible Partial Column Updates": neither hidden_columns nor columns may be
    // given; each line's own keys (its __DORIS_DELETE_SIGN__ among them) are what it loads.
    headers.erase(headers.begin() + 3);
  } else if (!b.omitted.empty()) {
    // Doris docs, "Partial Column Update": `partial_columns: true` and the columns the rows
    // carry (every key column among them) in `columns`, which replaces hidden_columns.
    std::string columns;
    for (uint32_t i = 0; i < b.schema->columns.size(); ++i) {
      if (std::find(b.omitted.begin(), b.omitted.end(), i) != b.omitted.end()) continue;
      const std::string& name = b.schema->columns[i].name;
      if (name.find(',') != std::string::npos) {
        return make_error(Errc::unsupported, "column " + quote(name) + " of " + b.db + "." +
                                                 b.table +
                                                 " has a comma: it cannot be named in a partial "
                                                 "column update's `columns` header");
      }
      columns += name + ",";
    }
    columns += std::string(kDeleteSign);
    if (o_.sequence_from_position) columns += "," + std::string(kSequenceColumn);
    headers[3] = {"columns", columns};
    headers.emplace_back("partial_columns", "true");
  }
  if (o_.enable_2pc) headers.emplace_back("two_phase_commit", "true");
  // Doris, "Group Commit": a Stream Load with a label is refused ("label and group_commit
  // can't be set at the same time"); Doris names the load itself (group_commit_<id>).
  if (group_commit_) headers.erase(headers.begin());
  for (const auto& [k, v] : o_.stream_load_properties) headers.emplace_back(k, v);
  const std::string where =
      (group_commit_ ? "Stream Load (group commit, no label)" : "Stream Load " + label) + " into " +
      b.db + "." + b.table;
  for (uint32_t attempt = 0;; ++attempt) {
    const bool sent_before = attempted_.contains(label);
    attempted_.insert(label);
    const auto started = std::chrono::steady_clock::now();
    auto r = client_->stream_load(b.db, b.table, headers, b.body);
    const bool may_retry = attempt < o_.max_retries;
    const bool loaded = r && (r->status == "Success" || r->status == "Publish Timeout");
    if (metrics_) {
      if (loaded) {
        metrics_->loads.Increment();
        metrics_->rows.Increment(static_cast<double>(b.rows));
        metrics_->bytes.Increment(static_cast<double>(b.body.size()));
        metrics_->load_seconds.Observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      } else {
        metrics_->load_failures.Increment();
      }
    }
    if (!r) {
      if (r.error().retryable() && may_retry) {
        log::get("sink.doris")
            ->warn("[pipeline={}] {}: {}; retrying", o_.pipeline, where, r.error().message);
        if (metrics_) metrics_->retries.Increment();
        std::this_thread::sleep_for(backoff(attempt));
        continue;
      }
      return std::move(r).error().with_context(where);
    }
    if (r->status == "Success" || r->status == "Publish Timeout") {
      if (o_.enable_2pc) {
        if (pending_.empty() && prepared_.empty()) {
          oldest_precommit_ =
              std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
        }
        pending_.push_back({b.db, b.table, label, r->txn_id});
        publish_precommitted();
      }
      break;
    }
    if (r->status == "Label Already Exists") {
      // RUNNING: precommitted and not yet committed. Ours when this instance sent it (the
      // answer was lost) or when it is of the first checkpoint after open (a crashed attempt
      // never recorded it): abort it and send again. Anything else is another instance's.
      if (r->existing_job_status == "RUNNING" && (sent_before || building_ == recovery_id_)) {
        // Ours even when the retries are spent: that is a server still failing, which the
        // runner retries from the last checkpoint, never another instance (no fencing).
        if (!may_retry) {
          return make_error(Errc::unavailable,
                            where + ": the label is still precommitted by this instance's " +
                                "earlier attempt after " + std::to_string(attempt) +
                                " retries; replaying from the last checkpoint");
        }
        CDC_TRY(abort_label(b.db, label));
        if (metrics_) metrics_->retries.Increment();
        continue;
      }
      if (r->existing_job_status == "FINISHED" && !o_.enable_2pc && sent_before)
        break;  // it did load
      return make_error(
          Errc::fenced,
          where + ": the label already exists (" + r->existing_job_status +
              ") and is not this instance's: another sluice process is running pipeline '" +
              o_.pipeline + "' (or its state dir is older than the data in Doris); stopping");
    }
    std::string detail = r->message;
    if (!r->error_url.empty()) {
      auto reasons = client_->fetch_text(r->error_url, 2048);
      detail +=
          "; ErrorURL " + r->error_url + ": " + (reasons ? *reasons : reasons.error().message);
    }
    // Doris's data-quality, analysis and invalid-argument errors (a header Doris refuses, such
    // as a group_commit it does not know) will not pass on retry.
    const bool permanent = r->message.find("DATA_QUALITY_ERROR") != std::string::npos ||
                           r->message.find("ANALYSIS_ERROR") != std::string::npos ||
                           r->message.find("INVALID_ARGUMENT") != std::string::npos;
    if (!permanent && may_retry) {
      log::get("sink.doris")
          ->warn("[pipeline={}] {} failed: {}; retrying", o_.pipeline, where, detail);
      if (metrics_) metrics_->retries.Increment();
      std::this_thread::sleep_for(backoff(attempt));
      continue;
    }
    return make_error(permanent ? Errc::unsupported : Errc::unavailable,
                      where + " failed: " + detail);
  }
  b.body.clear();
  b.rows = 0;
  return {};
}

Status DorisSink::flush_all() {
  for (auto& [id, b] : buffers_) CDC_TRY(flush(b));
  return {};
}

Result<std::string> DorisSink::prepare(uint64_t id, const Position&) {
  if (id != building_) {
    return make_error(Errc::internal, "checkpoint " + std::to_string(id) +
                                          " prepared while the Doris sink labelled "
                                          "its loads for checkpoint " +
                                          std::to_string(building_));
  }
  CDC_TRY(flush_all());
  if (!o_.enable_2pc) return std::string();
  std::string state = encode_loads(pending_);
  prepared_ = std::move(pending_);
  pending_.clear();
  return state;
}

Status DorisSink::commit_label(const LoadRef& load) {
  for (uint32_t attempt = 0;; ++attempt) {
    auto r = client_->two_phase(load.db, "commit", load.label);
    if (r && (r->success || r->message.find("already visible") != std::string::npos)) {
      if (metrics_) metrics_->commits.Increment();
      return {};
    }
    const std::string why = r ? r->message : r.error().message;
    if (attempt < o_.max_retries &&
        (!r ? r.error().retryable() : r->message.find("already aborted") == std::string::npos)) {
      if (metrics_) metrics_->retries.Increment();
      std::this_thread::sleep_for(backoff(attempt));
      continue;
    }
    // An aborted load (precommit timeout, BE restart) is resent by open() from the previous
    // checkpoint: a retryable error restarts the pipeline there.
    return make_error(Errc::unavailable, "commit of label " + load.label + " (txn " +
                                             std::to_string(load.txn_id) + ") into " + load.db +
                                             "." + load.table + ": " + why);
  }
}

Status DorisSink::commit(uint64_t id) {
  for (const LoadRef& l : prepared_) CDC_TRY(commit_label(l));
  prepared_.clear();
  publish_precommitted();
  attempted_.clear();
  building_ = id + 1;
  for (auto& [tid, b] : buffers_) b.next_load = 0;
  return {};
}

Status DorisSink::on_idle(const Position&) {
  // Exactly-once loads are invisible until commit: sending them early gains nothing.
  if (o_.enable_2pc) return {};
  const auto now = std::chrono::steady_clock::now();
  for (auto& [id, b] : buffers_) {
    if (b.rows > 0 && now - b.first_row >= o_.flush_interval) CDC_TRY(flush(b));
  }
  return {};
}

}  // namespace cdc::sinks::doris
