// Fuzz target position: decode_position() (cdc/core/position.h), the resume point stored in
// every checkpoint. A decoded position must re-encode to exactly the input (one encoding per
// value), order equal to itself, and its MySQL GTID text is what the source parses at restart.
#include <string>

#include "cdc/core/byte_reader.h"
#include "cdc/core/position.h"
#include "cdc/mysql/gtid_set.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = fuzz::bytes_of(data, size);
  auto p = decode_position(in);
  if (!p) {
    FUZZ_CHECK(fuzz::is_bad_bytes_error(p.error()), "decode_position: non-decode error code");
    return 0;
  }
  const std::string enc = encode_position(*p);
  FUZZ_CHECK(enc == as_chars(in), "encode_position(decode_position(x)) != x");
  auto again = decode_position(as_bytes(enc));
  FUZZ_CHECK(again && *again == *p, "position does not round-trip");
  (void)to_string(*p);
  if (!std::holds_alternative<std::monostate>(*p)) {
    FUZZ_CHECK(compare(*p, *p) == std::partial_ordering::equivalent, "position != itself");
  }
  if (const auto* m = std::get_if<MysqlPosition>(&*p)) {
    (void)binlog_file_index(m->binlog.file);
    auto g = mysql::GtidSet::parse(m->gtid_set);  // MysqlSource::open() does this
    if (g) (void)g->to_string();
  }
  return 0;
}
