// GtidSet: the executed GTID set a MysqlPosition carries, for both flavors. MariaDB: the last
// domain-server-sequence per replication domain ("0-1-100,1-2-7"). MySQL: uuid intervals
// ("3e11fa47-...:1-5:7"; MySQL 8.3+ tagged: "3e11fa47-...:tag:1-5", keyed "uuid:tag"). A value
// type; not thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/mysql/binlog/control_events.h"

namespace cdc::mysql {

class GtidSet {
 public:
  // Accepts either flavor's text form ("" is the empty set).
  static Result<GtidSet> parse(std::string_view text);

  void add(const MariadbGtid& g) { mariadb_[g.domain_id] = g; }
  void add_mysql(const std::string& uuid, uint64_t gno);
  // Replaces the whole MariaDB state (GTID_LIST at the start of a binlog file).
  void reset_mariadb(const std::vector<MariadbGtid>& gtids);
  void reset_mysql(std::string_view gtid_set_text);
  bool empty() const { return mariadb_.empty() && mysql_.empty(); }
  bool has_mariadb() const { return !mariadb_.empty(); }
  bool has_mysql() const { return !mysql_.empty(); }
  std::string to_string() const;

  // The MySQL part in the binary form COM_BINLOG_DUMP_GTID carries (MySQL's
  // Gtid_set::encode): n_sids u64, then per uuid its 16 bytes, n_intervals u64 and each
  // interval as [first, last + 1) u64 pairs; little-endian, intervals sorted and merged.
  // Errors: invalid_config for a uuid that is not 32 hex digits (dashes allowed).
  Result<std::string> encode_mysql() const;

  // The last GTID of each MariaDB replication domain, by domain id.
  const std::map<uint32_t, MariadbGtid>& mariadb_domains() const { return mariadb_; }
  // The MySQL GTIDs of this set that `other` does not hold (MariaDB parts are ignored).
  GtidSet mysql_minus(const GtidSet& other) const;

 private:
  std::map<uint32_t, MariadbGtid> mariadb_;                                  // by domain id
  std::map<std::string, std::vector<std::pair<uint64_t, uint64_t>>> mysql_;  // uuid -> [a, b]
};

// Which of two MariaDB states comes first in the history of a replication topology: ordered
// when every domain of both is in each and the sequences of all domains move the same way
// (gtid_strict_mode keeps them rising, on every server that holds them); unordered otherwise,
// also for MySQL sets or an empty one. Equal states are equivalent.
std::partial_ordering mariadb_order(const GtidSet& a, const GtidSet& b);

}  // namespace cdc::mysql
