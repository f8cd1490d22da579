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
    std::istringstream ls(line);
    std::string kind;
    ls >> kind;
    const auto bad = [&] {
      return make_error(Errc::malformed,
                        c.state_path_ + ":" + std::to_string(line_no) + ": " + line);
    };
    if (kind == "next_producer_id") {
      if (!(ls >> c.next_producer_id_)) return bad();
      continue;
    }
    std::string hex_id;
    int state = 0;
    size_t n_parts = 0;
    Txn t;
    if (kind != "txn" ||
        !(ls >> hex_id >> t.producer_id >> t.epoch >> t.timeout_ms >> state >> n_parts) ||
        state < 0 || state > 3) {
      return bad();
    }
    const auto id = from_hex(hex_id);
    if (!id) return bad();
    t.state = static_cast<State>(state);
    for (size_t i = 0; i < n_parts; ++i) {
      TopicPartition tp;
      if (!(ls >> tp.first >> tp.second)) return bad();
      t.partitions.insert(tp);
    }
    // The coordinator's clock restarts: an open transaction gets its whole timeout again.
    t.deadline = now + std::chrono::milliseconds(t.timeout_ms);
    c.txns_[*id] = std::move(t);
  }
  return c;
}

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
      out << "\n";
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

TxnCompletion TxnCoordinator::complete(const std::string& id, Txn& txn, bool commit) {
  TxnCompletion c{.transactional_id = id,
                  .producer_id = txn.producer_id,
                  .producer_epoch = txn.epoch,
                  .commit = commit,
                  .partitions = txn.partitions};
  if (commit) {
    for (const auto& [key, offset] : txn.pending_offsets) {
      committed_offsets_[key.first][key.second] = offset;
    }
  }
  txn.state = commit ? State::complete_commit : State::complete_abort;
  txn.partitions.clear();
  txn.groups.clear();
  txn.pending_offsets.clear();
  return c;
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
    r.abort = complete(*transactional_id, t, /*commit=*/false);
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
    case State::ongoing: completion = complete(transactional_id, t, commit); return err::kNone;
    case State::complete_commit:  // a retried EndTxn of the same outcome succeeds again
      return commit ? err::kNone : err::kInvalidTxnState;
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
      out.push_back(complete(id, t, /*commit=*/false));
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
