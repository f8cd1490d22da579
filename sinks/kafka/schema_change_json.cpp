#include "sinks/kafka/schema_change_json.h"

#include <cctype>

#include "cdc/core/json/debezium_source.h"
#include "cdc/core/json/json_writer.h"

namespace cdc::sinks::kafka {

namespace {

// Debezium's tableChanges[].type: CREATE, ALTER or DROP, from the statement's first word.
std::string_view change_type(std::string_view ddl) {
  while (!ddl.empty() && std::isspace(static_cast<unsigned char>(ddl.front())))
    ddl.remove_prefix(1);
  auto starts = [&](std::string_view word) {
    if (ddl.size() < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(ddl[i])) != word[i]) return false;
    }
    return true;
  };
  if (starts("CREATE")) return "CREATE";
  if (starts("DROP")) return "DROP";
  return "ALTER";
}

// "int(11) unsigned" -> "INT UNSIGNED" is Debezium's typeName; sluice reports the base type
// name upper-cased and the full text as typeExpression.
std::string type_name(std::string_view source_type) {
  std::string out;
  for (char c : source_type) {
    if (c == '(' || c == ' ') break;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace

void append_schema_change_key(const ChangeEvent& e, std::string& out) {
  json::JsonWriter w(out);
  w.begin_object();
  w.key("databaseName");
  w.string(e.schema ? std::string_view(e.schema->id.db) : std::string_view());
  w.end_object();
}

void append_schema_change_value(const ChangeEvent& e, std::string& out) {
  json::JsonWriter w(out);
  const TableId no_table;  // db and table "" when the event carries no schema
  const TableId& table = e.schema ? e.schema->id : no_table;
  const std::string_view db = table.db;
  w.begin_object();
  w.key("source");
  json::write_debezium_source(w, e.source, table, {}, json::SourceFields::schema_change);
  w.key("ts_ms");
  w.int64(e.ts_ms);
  w.key("databaseName");
  w.string(db);
  w.key("schemaName");
  w.null();
  w.key("ddl");
  w.string(e.source.query);
  w.key("tableChanges");
  w.begin_array();
  if (e.schema) {
    const TableSchema& s = *e.schema;
    w.begin_object();
    w.key("type");
    w.string(change_type(e.source.query));
    w.key("id");
    w.string("\"" + s.id.db + "\".\"" + s.id.table + "\"");
    w.key("table");
    w.begin_object();
    w.key("primaryKeyColumnNames");
    w.begin_array();
    for (uint32_t col_idx : s.primary_key) {
      if (col_idx < s.columns.size()) w.string(s.columns[col_idx].name);
    }
    w.end_array();
    w.key("columns");
    w.begin_array();
    for (size_t col_idx = 0; col_idx < s.columns.size(); ++col_idx) {
      const Column& c = s.columns[col_idx];
      w.begin_object();
      w.key("name");
      w.string(c.name);
      w.key("typeName");
      w.string(type_name(c.source_type));
      w.key("typeExpression");
      w.string(c.source_type);
      w.key("charsetName");
      if (c.charset.empty()) {
        w.null();
      } else {
        w.string(c.charset);
      }
      w.key("position");
      w.uint64(col_idx + 1);
      w.key("optional");
      w.boolean(c.nullable);
      w.end_object();
    }
    w.end_array();
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

}  // namespace cdc::sinks::kafka
