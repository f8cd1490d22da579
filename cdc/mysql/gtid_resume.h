// Resuming a checkpoint on a server other than the one that wrote it (failover to a promoted
// replica): a binlog file and offset belong to one server, a GTID set to the whole replication
// topology. Like Debezium and Flink CDC, the source resumes by GTID whenever the checkpoint's
// file/offset is not this server's point for the checkpoint's GTID set, after checking that the
// server still holds every transaction after that set. These are the pure parts; the queries
// live in MysqlSource.
#pragma once

#include <string>

#include "cdc/mysql/gtid_set.h"

namespace cdc::mysql {

// MariaDB: what the checkpoint's state `wanted` needs that a server whose binlogs start at
// `first` (BINLOG_GTID_POS of its oldest binlog at offset 4) and end at `last`
// (@@gtid_binlog_pos) does not have, as text naming the missing GTIDs; "" when it has all.
std::string mariadb_missing_gtids(const GtidSet& wanted, const GtidSet& first, const GtidSet& last);

// MySQL: the same for a server that executed `executed` (@@gtid_executed) and purged `purged`
// (@@gtid_purged): GTIDs of the checkpoint the server never executed, and purged ones the
// checkpoint does not hold (their changes were never delivered and cannot be read any more).
std::string mysql_missing_gtids(const GtidSet& wanted, const GtidSet& executed,
                                const GtidSet& purged);

}  // namespace cdc::mysql
