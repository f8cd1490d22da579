#include "cdc/mysql/protocol/server_error.h"

namespace cdc::mysql {

Errc server_error_code(unsigned err) {
  switch (err) {
    case 1236:  // ER_MASTER_FATAL_ERROR_READING_BINLOG: the position is gone or wrong
      return Errc::invalid_config;
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1142:  // ER_TABLEACCESS_DENIED_ERROR
    case 1143:  // ER_COLUMNACCESS_DENIED_ERROR
    case 1227:  // ER_SPECIFIC_ACCESS_DENIED_ERROR
      return Errc::auth;
    case 1064:  // ER_PARSE_ERROR: sluice sent a statement the server cannot parse
    case 1149:  // ER_SYNTAX_ERROR
      return Errc::internal;
    case 1049:  // ER_BAD_DB_ERROR
    case 1051:  // ER_BAD_TABLE_ERROR
    case 1054:  // ER_BAD_FIELD_ERROR
    case 1109:  // ER_UNKNOWN_TABLE
    case 1146:  // ER_NO_SUCH_TABLE
      // The schema is not what the pipeline reads.
      return Errc::invalid_config;
    default: break;
  }
  // Other server errors (too many connections, lock wait timeout, deadlock, shutdown,
  // interrupted, ...) may pass; client errors (2000+) are the connection's.
  return err >= 1000 && err < 2000 && err != 1053 ? Errc::unavailable : Errc::io;
}

}  // namespace cdc::mysql
