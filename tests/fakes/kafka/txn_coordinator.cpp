#include "tests/fakes/kafka/txn_coordinator.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "tests/fakes/kafka/api.h"

namespace cdc::testing::kafka {

namespace {
std::string to_hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out.empty() ? "-" : out;  // "-" keeps an empty id a whitespace-separated token
}
std::optional<std::string> from_hex(std::string_view h) {
  if (h == "-") {
    return std::string();
  }
  if (h.size() % 2 != 0) {
    return std::nullopt;
  }
  std::string out;
  for (size_t i = 0; i < h.size(); i += 2) {
    unsigned v = 0;
    if (std::sscanf(std::string(h.substr(i, 2)).c_str(), "%2x", &v) != 1) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(v));
  }
  return out;
}
}  // namespace

Result<TxnCoordinator> TxnCoordinator::open(std::string state_path, int32_t max_timeout_ms,
                                            Clock::time_point now) {
  TxnCoordinator c;
  c.state_path_ = std::move(state_path);
  c.max_timeout_ms_ = max_timeout_ms;
  if (c.state_path_.empty() || !std::filesystem::exists(c.state_path_)) {
    return c;
  }
  std::ifstream in(c.state_path_);
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (!c.load_line(line, now)) {
      return make_error(Errc::malformed,
                        c.state_path_ + ":" + std::to_string(line_no) + ": " + line);
    }
  }
  return c;
}

// One line of the state file: "next_producer_id N", "offset <group> <topic> <partition> <offset>"
// or "txn <id> <producer id> <epoch> <timeout ms> <state> <n> (<topic> <partition>){n} <g>
// <group>{g} <p> (<group> <topic> <partition> <offset>){p}"; ids and groups in hex.
Status TxnCoordinator::load_line(const std::string& line, Clock::time_point now) {
  std::istringstream ls(line);
  std::string kind;
  ls >> kind;
  const auto bad = [] { return make_error(Errc::malformed, "bad line"); };
  const auto read_hex = [&]() -> std::optional<std::string> {
    std::string h;
    return ls >> h ? from_hex(h) : std::nullopt;
  };
  if (kind == "next_producer_id") {
    return ls >> next_producer_id_ ? Status{} : bad();
  }
  if (kind == "offset") {
    const auto group = read_hex();
    TopicPartition tp;
    int64_t offset = 0;
    if (!group || !(ls >> tp.first >> tp.second >> offset)) return bad();
    committed_offsets_[*group][tp] = offset;
    return {};
  }
  int state = 0;
  size_t n = 0;
  Txn t;
  const auto id = read_hex();
  if (kind != "txn" || !id || !(ls >> t.producer_id >> t.epoch >> t.timeout_ms >> state >> n) ||
      state < 0 || state > static_cast<int>(State::prepare_abort)) {
    return bad();
  }
  t.state = static_cast<State>(state);
  for (size_t i = 0; i < n; ++i) {
    TopicPartition tp;
    if (!(ls >> tp.first >> tp.second)) return bad();
    t.partitions.insert(tp);
  }
  if (!(ls >> n)) return bad();
  for (size_t i = 0; i < n; ++i) {
    const auto group = read_hex();
    if (!group) return bad();
    t.groups.insert(*group);
  }
  if (!(ls >> n)) return bad();
  for (size_t i = 0; i < n; ++i) {
    const auto group = read_hex();
    TopicPartition tp;
    int64_t offset = 0;
    if (!group || !(ls >> tp.first >> tp.second >> offset)) return bad();
    t.pending_offsets[{*group, tp}] = offset;
  }
  // The coordinator's clock restarts: an open transaction gets its whole timeout again.
  t.deadline = now + std::chrono::milliseconds(t.timeout_ms);
  txns_[*id] = std::move(t);
  return {};
}

// Kafka's defaults do not fsync a log on each write (log.flush.interval.messages and
// log.flush.interval.ms unset: "we recommend ... using replication for durability and allowing
// the operating system's background flush", Kafka documentation, "Broker Configs"), and
// __transaction_state is such a log. So the file is written to the kernel before the response,
// which a killed broker process cannot lose; a lost machine could, as with Kafka on one node.
Status TxnCoordinator::save() const {
  if (state_path_.empty()) {
    return {};
  }
  const std::string tmp = state_path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "next_producer_id " << next_producer_id_ << "\n";
    for (const auto& [id, t] : txns_) {
      out << "txn " << to_hex(id) << ' ' << t.producer_id << ' ' << t.epoch << ' ' << t.timeout_ms
          << ' ' << static_cast<int>(t.state) << ' ' << t.partitions.size();
      for (const auto& [topic, part] : t.partitions) {
        out << ' ' << topic << ' ' << part;
      }
      out << ' ' << t.groups.size();
      for (const std::string& group : t.groups) {
        out << ' ' << to_hex(group);
      }
      out << ' ' << t.pending_offsets.size();
      for (const auto& [key, offset] : t.pending_offsets) {
        out << ' ' << to_hex(key.first) << ' ' << key.second.first << ' ' << key.second.second
            << ' ' << offset;
      }
      out << "\n";
    }
    for (const auto& [group, offsets] : committed_offsets_) {
      for (const auto& [tp, offset] : offsets) {
        out << "offset " << to_hex(group) << ' ' << tp.first << ' ' << tp.second << ' ' << offset
            << "\n";
      }
    }
    if (!out.flush()) {
      return make_error(Errc::io, "cannot write " + tmp);
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, state_path_, ec);
  if (ec) {
    return make_error(Errc::io, "rename " + tmp + ": " + ec.message());
  }
  return {};
}

TxnCompletion TxnCoordinator::completion_of(const std::string& id, const Txn& txn) {
  return TxnCompletion{.transactional_id = id,
                       .producer_id = txn.producer_id,
                       .producer_epoch = txn.epoch,
                       .commit = txn.state == State::prepare_commit,
                       .partitions = txn.partitions};
}

TxnCompletion TxnCoordinator::prepare(const std::string& id, Txn& txn, bool commit) {
  txn.state = commit ? State::prepare_commit : State::prepare_abort;
  return completion_of(id, txn);
}

void TxnCoordinator::finish(const TxnCompletion& c) {
  const auto it = txns_.find(c.transactional_id);
  if (it == txns_.end() ||
      (it->second.state != State::prepare_commit && it->second.state != State::prepare_abort)) {
    return;
  }
  Txn& txn = it->second;
  if (txn.state == State::prepare_commit) {
    for (const auto& [key, offset] : txn.pending_offsets) {
      committed_offsets_[key.first][key.second] = offset;
    }
  }
  txn.state = txn.state == State::prepare_commit ? State::complete_commit : State::complete_abort;
  txn.partitions.clear();
  txn.groups.clear();
  txn.pending_offsets.clear();
}

std::vector<TxnCompletion> TxnCoordinator::prepared() const {
  std::vector<TxnCompletion> out;
  for (const auto& [id, t] : txns_) {
    if (t.state == State::prepare_commit || t.state == State::prepare_abort) {
      out.push_back(completion_of(id, t));
    }
  }
  return out;
}

TxnCoordinator::InitResult TxnCoordinator::init_producer_id(
    const std::optional<std::string>& transactional_id, int32_t timeout_ms, Clock::time_point now) {
  InitResult r;
  if (!transactional_id) {
    // Idempotent producer without transactions: a fresh producer id, epoch 0 (KIP-98).
    r.producer_id = next_producer_id_++;
    r.producer_epoch = 0;
    return r;
  }
  if (timeout_ms <= 0 || timeout_ms > max_timeout_ms_) {
    r.error = err::kInvalidTransactionTimeout;  // transaction.max.timeout.ms bounds it
    return r;
  }
  auto [it, inserted] = txns_.try_emplace(*transactional_id);
  Txn& t = it->second;
  if (inserted) {
    t.producer_id = next_producer_id_++;
    t.epoch = 0;
  } else if (t.state == State::ongoing) {
    // A new instance of the same transactional.id: bump the epoch, which fences every older
    // instance, and abort what the old instance left open with the bumped epoch (KIP-98
    // "InitPidRequest"). An exhausted epoch aborts with the old one and moves to a new
    // producer id, which fences the old instance at the coordinator just the same.
    const bool exhausted = t.epoch >= std::numeric_limits<int16_t>::max() - 1;
    if (!exhausted) {
      ++t.epoch;
    }
    r.abort = prepare(*transactional_id, t, /*commit=*/false);
    if (exhausted) {
      t.producer_id = next_producer_id_++;
      t.epoch = 0;
    }
  } else if (t.epoch >= std::numeric_limits<int16_t>::max() - 1) {
    t.producer_id = next_producer_id_++;  // epoch exhausted: a new producer id (KIP-98)
    t.epoch = 0;
  } else {
    ++t.epoch;
  }
  t.timeout_ms = timeout_ms;
  r.producer_id = t.producer_id;
  r.producer_epoch = t.epoch;
  return r;
}

int16_t TxnCoordinator::check(const std::string& transactional_id, int64_t producer_id,
                              int16_t epoch) const {
  const auto it = txns_.find(transactional_id);
  if (it == txns_.end() || it->second.producer_id != producer_id) {
    return err::kInvalidProducerIdMapping;
  }
  // Clients older than KIP-588's versions get INVALID_PRODUCER_EPOCH, not PRODUCER_FENCED;
  // no version this broker advertises knows PRODUCER_FENCED.
  return it->second.epoch != epoch ? err::kInvalidProducerEpoch : err::kNone;
}

bool TxnCoordinator::in_transaction(const std::string& transactional_id,
                                    const TopicPartition& tp) const {
  const auto it = txns_.find(transactional_id);
  return it != txns_.end() && it->second.state == State::ongoing &&
         it->second.partitions.count(tp) > 0;
}

void TxnCoordinator::begin_if_needed(Txn& txn, Clock::time_point now) {
  if (txn.state != State::ongoing) {
    txn.state = State::ongoing;
    txn.deadline =
        now + std::chrono::milliseconds(txn.timeout_ms);  // the timeout runs from the first add
  }
}

int16_t TxnCoordinator::add_partitions(const std::string& transactional_id, int64_t producer_id,
                                       int16_t epoch, const std::vector<TopicPartition>& tps,
                                       Clock::time_point now) {
  if (const int16_t e = check(transactional_id, producer_id, epoch); e != err::kNone) {
    return e;
  }
  Txn& t = txns_.at(transactional_id);
  begin_if_needed(t, now);
  t.partitions.insert(tps.begin(), tps.end());
  return err::kNone;
}

int16_t TxnCoordinator::add_offsets(const std::string& transactional_id, int64_t producer_id,
                                    int16_t epoch, const std::string& group,
                                    Clock::time_point now) {
  if (const int16_t e = check(transactional_id, producer_id, epoch); e != err::kNone) {
    return e;
  }
  Txn& t = txns_.at(transactional_id);
  begin_if_needed(t, now);
  t.groups.insert(group);
  return err::kNone;
}

int16_t TxnCoordinator::txn_offset_commit(const std::string& transactional_id, int64_t producer_id,
                                          int16_t epoch, const std::string& group,
                                          const TopicPartition& tp, int64_t offset) {
  if (const int16_t e = check(transactional_id, producer_id, epoch); e != err::kNone) {
    return e;
  }
  Txn& t = txns_.at(transactional_id);
  // The group must have been added with AddOffsetsToTxn first (KIP-98 "TxnOffsetCommitRequest").
  if (t.state != State::ongoing || t.groups.count(group) == 0) {
    return err::kInvalidTxnState;
  }
  t.pending_offsets[{group, tp}] = offset;
  return err::kNone;
}

int16_t TxnCoordinator::end_txn(const std::string& transactional_id, int64_t producer_id,
                                int16_t epoch, bool commit,
                                std::optional<TxnCompletion>& completion) {
  if (const int16_t e = check(transactional_id, producer_id, epoch); e != err::kNone) {
    return e;
  }
  Txn& t = txns_.at(transactional_id);
  switch (t.state) {
    case State::ongoing: completion = prepare(transactional_id, t, commit); return err::kNone;
    case State::prepare_commit:   // only between prepare and finish, or before a restart's
    case State::complete_commit:  // a retried EndTxn of the same outcome succeeds again
      return commit ? err::kNone : err::kInvalidTxnState;
    case State::prepare_abort:
    case State::complete_abort: return commit ? err::kInvalidTxnState : err::kNone;
    case State::empty: return err::kInvalidTxnState;
  }
  return err::kInvalidTxnState;
}

std::vector<TxnCompletion> TxnCoordinator::expire(Clock::time_point now) {
  std::vector<TxnCompletion> out;
  for (auto& [id, t] : txns_) {
    if (t.state == State::ongoing && now >= t.deadline) {
      ++t.epoch;  // fence the producer that let its transaction expire
      out.push_back(prepare(id, t, /*commit=*/false));
    }
  }
  return out;
}

std::optional<Clock::time_point> TxnCoordinator::next_deadline() const {
  std::optional<Clock::time_point> d;
  for (const auto& [id, t] : txns_) {
    if (t.state == State::ongoing && (!d || t.deadline < *d)) {
      d = t.deadline;
    }
  }
  return d;
}

}  // namespace cdc::testing::kafka
