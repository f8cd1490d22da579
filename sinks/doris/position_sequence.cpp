#include "sinks/doris/position_sequence.h"

#include <algorithm>

namespace cdc::sinks::doris {
namespace {

std::string decimal(unsigned __int128 v) {
  std::string out;
  do {
    out.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

Result<std::string> position_sequence(const ChangeEvent& e) {
  if (const auto* at = std::get_if<BinlogEventPosition>(&e.source.at)) {
    const uint64_t file = binlog_file_index(at->file);
    if (file >= (uint64_t{1} << 31)) {
      return make_error(Errc::unsupported,
                        "binlog file " + std::string(at->file) +
                            " has a number too large for the Doris sequence column (2^31 or more)");
    }
    const unsigned __int128 seq = (static_cast<unsigned __int128>(file) << 96) |
                                  (static_cast<unsigned __int128>(value(at->offset)) << 32) |
                                  e.source.row;
    return decimal(seq);
  }
  if (const auto* lsn = std::get_if<Lsn>(&e.source.at)) {
    return decimal(static_cast<uint64_t>(*lsn));
  }
  if (const auto* n = std::get_if<RowSequence>(&e.source.at)) {
    return decimal(static_cast<uint64_t>(*n));
  }
  return make_error(Errc::unsupported,
                    "a change of " + (e.schema ? e.schema->id.to_string() : std::string("?")) +
                        " has no source position for the Doris sequence column "
                        "(sink.sequence-column: source-position)");
}

}  // namespace cdc::sinks::doris
