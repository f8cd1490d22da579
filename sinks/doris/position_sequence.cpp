#include "sinks/doris/position_sequence.h"

#include <algorithm>
#include <charconv>

namespace cdc::sinks::doris {
namespace {

// One 128-bit division, then 64-bit conversions: a 128-bit division per digit (~30 of them per
// row) cost more than the rest of the row's JSON (tools/bench/RESULTS.md, doris_bench).
std::string decimal(unsigned __int128 v) {
  constexpr uint64_t kTen19 = 10'000'000'000'000'000'000ULL;
  char buf[48];
  char* end = buf;
  const uint64_t high = static_cast<uint64_t>(v / kTen19);  // < 2^64: v < 2^127 < 2^64 * 10^19
  const uint64_t low = static_cast<uint64_t>(v - static_cast<unsigned __int128>(high) * kTen19);
  if (high == 0) {
    end = std::to_chars(buf, buf + sizeof(buf), low).ptr;
  } else {
    end = std::to_chars(buf, buf + sizeof(buf), high).ptr;
    char digits[20];
    const char* d_end = std::to_chars(digits, digits + sizeof(digits), low).ptr;
    const size_t n = static_cast<size_t>(d_end - digits);
    end = std::fill_n(end, 19 - n, '0');  // `low` as exactly 19 digits
    end = std::copy(static_cast<const char*>(digits), d_end, end);
  }
  return std::string(buf, end);
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
