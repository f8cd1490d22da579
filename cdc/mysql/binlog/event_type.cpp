#include "cdc/mysql/binlog/event_type.h"

namespace cdc::mysql {

std::string_view event_type_name(uint8_t type) {
  switch (static_cast<EventType>(type)) {
    case EventType::start_v3: return "START_V3";
    case EventType::query: return "QUERY";
    case EventType::stop: return "STOP";
    case EventType::rotate: return "ROTATE";
    case EventType::intvar: return "INTVAR";
    case EventType::load: return "LOAD";
    case EventType::slave: return "SLAVE";
    case EventType::create_file: return "CREATE_FILE";
    case EventType::append_block: return "APPEND_BLOCK";
    case EventType::exec_load: return "EXEC_LOAD";
    case EventType::delete_file: return "DELETE_FILE";
    case EventType::new_load: return "NEW_LOAD";
    case EventType::rand: return "RAND";
    case EventType::user_var: return "USER_VAR";
    case EventType::format_description: return "FORMAT_DESCRIPTION";
    case EventType::xid: return "XID";
    case EventType::begin_load_query: return "BEGIN_LOAD_QUERY";
    case EventType::execute_load_query: return "EXECUTE_LOAD_QUERY";
    case EventType::table_map: return "TABLE_MAP";
    case EventType::write_rows_v0: return "PRE_GA_WRITE_ROWS";
    case EventType::update_rows_v0: return "PRE_GA_UPDATE_ROWS";
    case EventType::delete_rows_v0: return "PRE_GA_DELETE_ROWS";
    case EventType::write_rows_v1: return "WRITE_ROWS_V1";
    case EventType::update_rows_v1: return "UPDATE_ROWS_V1";
    case EventType::delete_rows_v1: return "DELETE_ROWS_V1";
    case EventType::incident: return "INCIDENT";
    case EventType::heartbeat: return "HEARTBEAT";
    case EventType::ignorable: return "IGNORABLE";
    case EventType::rows_query: return "ROWS_QUERY";
    case EventType::write_rows_v2: return "WRITE_ROWS_V2";
    case EventType::update_rows_v2: return "UPDATE_ROWS_V2";
    case EventType::delete_rows_v2: return "DELETE_ROWS_V2";
    case EventType::gtid: return "GTID";
    case EventType::anonymous_gtid: return "ANONYMOUS_GTID";
    case EventType::previous_gtids: return "PREVIOUS_GTIDS";
    case EventType::transaction_context: return "TRANSACTION_CONTEXT";
    case EventType::view_change: return "VIEW_CHANGE";
    case EventType::xa_prepare: return "XA_PREPARE";
    case EventType::partial_update_rows: return "PARTIAL_UPDATE_ROWS";
    case EventType::transaction_payload: return "TRANSACTION_PAYLOAD";
    case EventType::heartbeat_v2: return "HEARTBEAT_V2";
    case EventType::gtid_tagged: return "GTID_TAGGED";
    case EventType::annotate_rows: return "ANNOTATE_ROWS";
    case EventType::binlog_checkpoint: return "BINLOG_CHECKPOINT";
    case EventType::mariadb_gtid: return "MARIADB_GTID";
    case EventType::gtid_list: return "GTID_LIST";
    case EventType::start_encryption: return "START_ENCRYPTION";
    case EventType::query_compressed: return "QUERY_COMPRESSED";
    case EventType::write_rows_compressed_v1: return "WRITE_ROWS_COMPRESSED_V1";
    case EventType::update_rows_compressed_v1: return "UPDATE_ROWS_COMPRESSED_V1";
    case EventType::delete_rows_compressed_v1: return "DELETE_ROWS_COMPRESSED_V1";
    case EventType::write_rows_compressed: return "WRITE_ROWS_COMPRESSED";
    case EventType::update_rows_compressed: return "UPDATE_ROWS_COMPRESSED";
    case EventType::delete_rows_compressed: return "DELETE_ROWS_COMPRESSED";
    default: return "UNKNOWN";
  }
}

std::string describe_event_type(uint8_t type) {
  return std::string(event_type_name(type)) + " (" + std::to_string(type) + ")";
}

}  // namespace cdc::mysql
