#include "cdc/mysql/gtid_resume.h"

namespace cdc::mysql {

namespace {

void append_problem(std::string& out, const std::string& problem) {
  if (!out.empty()) out += "; ";
  out += problem;
}

}  // namespace

std::string mariadb_missing_gtids(const GtidSet& wanted, const GtidSet& first,
                                  const GtidSet& last) {
  std::string out;
  for (const auto& [domain, need] : wanted.mariadb_domains()) {
    const std::string d = std::to_string(domain);
    const auto end = last.mariadb_domains().find(domain);
    if (end == last.mariadb_domains().end()) {
      append_problem(out, "domain " + d + ": the checkpoint holds up to " + to_string(need) +
                              ", the server's binlogs have no transaction of this domain");
      continue;
    }
    if (end->second.sequence < need.sequence) {
      // MariaDB numbers a domain's transactions in one sequence, whichever server wrote them.
      append_problem(out, "domain " + d + ": the server lacks sequence numbers " +
                              std::to_string(end->second.sequence + 1) + " to " +
                              std::to_string(need.sequence) + " (the checkpoint holds up to " +
                              to_string(need) + ", the server's binlogs end at " +
                              to_string(end->second) + ")");
      continue;
    }
    const auto start = first.mariadb_domains().find(domain);
    if (start != first.mariadb_domains().end() && start->second.sequence > need.sequence) {
      append_problem(out, "domain " + d + ": the server purged the binlogs of sequence numbers " +
                              std::to_string(need.sequence + 1) + " to " +
                              std::to_string(start->second.sequence) +
                              " (its oldest binlog starts after " + to_string(start->second) +
                              ", the checkpoint holds up to " + to_string(need) + ")");
    }
  }
  return out;
}

std::string mysql_missing_gtids(const GtidSet& wanted, const GtidSet& executed,
                                const GtidSet& purged) {
  std::string out;
  if (const GtidSet lacking = wanted.mysql_minus(executed); !lacking.empty()) {
    append_problem(out, "the server never executed " + lacking.to_string());
  }
  if (const GtidSet gone = purged.mysql_minus(wanted); !gone.empty()) {
    append_problem(
        out, "the server purged " + gone.to_string() + ", which the checkpoint has not delivered");
  }
  return out;
}

}  // namespace cdc::mysql
