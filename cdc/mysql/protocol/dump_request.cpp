#include "cdc/mysql/protocol/dump_request.h"

namespace cdc::mysql {

namespace {
void put(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
}  // namespace

uint16_t binlog_dump_flags(Flavor flavor, bool include_query) {
  return flavor == Flavor::mariadb && include_query ? kDumpSendAnnotateRows : 0;
}

Result<std::string> binlog_dump_request(uint32_t server_id, const BinlogPosition& from,
                                        uint16_t flags) {
  if (from.offset > UINT32_MAX) {
    return make_error(
        Errc::invalid_config,
        "binlog offset " + std::to_string(from.offset) + " in " + from.file +
            " is beyond 4 GiB: COM_BINLOG_DUMP cannot start there; start from a GTID set");
  }
  std::string body;
  put(body, from.offset, 4);
  put(body, flags, 2);
  put(body, server_id, 4);
  body += from.file;
  return body;
}

std::string binlog_dump_gtid_request(uint32_t server_id, std::string_view sid_block) {
  std::string body;
  put(body, kDumpThroughGtid, 2);
  put(body, server_id, 4);
  put(body, 0, 4);  // no file name: the server finds the first file with a missing GTID
  put(body, 4, 8);
  put(body, sid_block.size(), 4);
  body += sid_block;
  return body;
}

}  // namespace cdc::mysql
