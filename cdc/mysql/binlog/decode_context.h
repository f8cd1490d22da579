// DecodeContext: what the decoders need to know about the binlog being read, learned from its
// FORMAT_DESCRIPTION event (or, before that arrives on a replication stream, from the server's
// @@binlog_checksum). A value type; the owning parser replaces it when a new FDE is decoded.
#pragma once

#include <array>
#include <cstdint>

#include "cdc/mysql/binlog/event_type.h"

namespace cdc::mysql {

enum class ChecksumAlg : uint8_t { off = 0, crc32 = 1 };

enum class Flavor : uint8_t { mysql, mariadb };

struct DecodeContext {
  ChecksumAlg checksum = ChecksumAlg::crc32;
  Flavor flavor = Flavor::mariadb;
  uint8_t header_length = 19;  // common header length (v4: 19)
  // Post-header length per event type (index = type code); 0 where the FDE did not say.
  std::array<uint8_t, 256> post_header_len{};

  // Defaults of a v4 binlog written by MySQL 5.6+/MariaDB 10.x, used until an FDE arrives.
  static DecodeContext v4_defaults(ChecksumAlg alg, Flavor flavor);
  uint8_t post_header(uint8_t type) const { return post_header_len[type]; }
  uint8_t post_header(EventType type) const { return post_header_len[code(type)]; }
};

}  // namespace cdc::mysql
