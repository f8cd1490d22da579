#include "cdc/mysql/binlog/event_type.h"

namespace cdc::mysql {

std::string_view event_type_name(uint8_t type) {
  switch (type) {
    case 1: return "START_V3";
    case 2: return "QUERY";
    case 3: return "STOP";
    case 4: return "ROTATE";
    case 5: return "INTVAR";
    case 6: return "LOAD";
    case 7: return "SLAVE";
    case 8: return "CREATE_FILE";
    case 9: return "APPEND_BLOCK";
    case 10: return "EXEC_LOAD";
    case 11: return "DELETE_FILE";
    case 12: return "NEW_LOAD";
    case 13: return "RAND";
    case 14: return "USER_VAR";
    case 15: return "FORMAT_DESCRIPTION";
    case 16: return "XID";
    case 17: return "BEGIN_LOAD_QUERY";
    case 18: return "EXECUTE_LOAD_QUERY";
    case 19: return "TABLE_MAP";
    case 20: return "PRE_GA_WRITE_ROWS";
    case 21: return "PRE_GA_UPDATE_ROWS";
    case 22: return "PRE_GA_DELETE_ROWS";
    case 23: return "WRITE_ROWS_V1";
    case 24: return "UPDATE_ROWS_V1";
    case 25: return "DELETE_ROWS_V1";
    case 26: return "INCIDENT";
    case 27: return "HEARTBEAT";
    case 28: return "IGNORABLE";
    case 29: return "ROWS_QUERY";
    case 30: return "WRITE_ROWS_V2";
    case 31: return "UPDATE_ROWS_V2";
    case 32: return "DELETE_ROWS_V2";
    case 33: return "GTID";
    case 34: return "ANONYMOUS_GTID";
    case 35: return "PREVIOUS_GTIDS";
    case 36: return "TRANSACTION_CONTEXT";
    case 37: return "VIEW_CHANGE";
    case 38: return "XA_PREPARE";
    case 39: return "PARTIAL_UPDATE_ROWS";
    case 40: return "TRANSACTION_PAYLOAD";
    case 41: return "HEARTBEAT_V2";
    case 42: return "GTID_TAGGED";
    case 160: return "ANNOTATE_ROWS";
    case 161: return "BINLOG_CHECKPOINT";
    case 162: return "MARIADB_GTID";
    case 163: return "GTID_LIST";
    case 164: return "START_ENCRYPTION";
    case 165: return "QUERY_COMPRESSED";
    case 166: return "WRITE_ROWS_COMPRESSED_V1";
    case 167: return "UPDATE_ROWS_COMPRESSED_V1";
    case 168: return "DELETE_ROWS_COMPRESSED_V1";
    case 169: return "WRITE_ROWS_COMPRESSED";
    case 170: return "UPDATE_ROWS_COMPRESSED";
    case 171: return "DELETE_ROWS_COMPRESSED";
    default: return "UNKNOWN";
  }
}

std::string describe_event_type(uint8_t type) {
  return std::string(event_type_name(type)) + " (" + std::to_string(type) + ")";
}

}  // namespace cdc::mysql
