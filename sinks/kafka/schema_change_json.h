// The record of a schema change on the schema-change topic, in the shape of Debezium's MySQL
// schema change topic: key {"databaseName"}, value {source, ts_ms, databaseName, schemaName,
// ddl, tableChanges[{type, id, table{primaryKeyColumnNames, columns[...]}}]} (schemas
// disabled). Pure functions that only append to `out`.
#pragma once

#include <string>

#include "cdc/core/change_event.h"

namespace cdc::sinks::kafka {

void append_schema_change_key(const ChangeEvent& e, std::string& out);
// `e.op` is Op::schema_change; `e.schema` the table's version after the DDL (its last one for
// DROP TABLE) and `e.source.query` the statement.
void append_schema_change_value(const ChangeEvent& e, std::string& out);

}  // namespace cdc::sinks::kafka
