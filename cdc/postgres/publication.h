// Which captured tables a publication carries. pgoutput sends a table's changes only while the
// table is in the publication (membership is read from the catalog as of each change), and
// nothing at all tells the stream that a table was dropped, created or re-created: a re-created
// table has a new OID, which a `FOR TABLE` publication does not hold. So the source checks
// membership at start and then every few seconds, and never lets a captured table go unread
// in silence: an empty table is added to a publication sluice owns (no change of it can have
// been missed: the add holds a SHARE lock, which waits for writers and blocks new ones), and
// anything else is an error saying what to run.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/core/table_schema.h"
#include "cdc/postgres/protocol/pg_connection.h"

namespace cdc::postgres {

struct PublicationInfo {
  bool exists = false;
  bool all_tables = false;  // FOR ALL TABLES: every table, also those created later
  bool via_root = false;    // publish_via_partition_root
};

Result<PublicationInfo> read_publication(PgConnection& sql, const std::string& name);

struct MissingTable {
  TableId id;
  // A primary key, REPLICA IDENTITY FULL or USING INDEX: without one, PostgreSQL refuses the
  // UPDATEs and DELETEs of a table that a publication of updates carries.
  bool keyed = false;
};

// Tables of the database that `captured` accepts (plain and partitioned tables, not partitions)
// and that publication `name` does not carry, neither by table nor by schema nor FOR ALL TABLES.
Result<std::vector<MissingTable>> tables_missing_from(
    PgConnection& sql, const std::string& name,
    const std::function<bool(const TableId&)>& captured);

// Adds each keyed table of `missing` to publication `name` (which sluice owns) in one
// transaction per table, under a SHARE lock taken first, only when the table holds no row: rows
// written before the add are in no stream sluice can read. An unkeyed table is not added (that
// would break the application's UPDATEs) until it has a key, unless it already holds rows.
// `waiting` holds the unkeyed tables already logged as waiting. Errc::invalid_config naming the
// tables with rows and the ways out; Errc::io when a writer
// held the table beyond the lock timeout (the next check tries again).
Status add_empty_tables(PgConnection& sql, const std::string& name,
                        const std::vector<MissingTable>& missing, std::string_view pipeline,
                        std::set<TableId>& waiting);

}  // namespace cdc::postgres
