// Fuzz target schema: decode_schema() and decode_schema_entry() (state/schema_codec.h), the
// schema history values. Both decoders see every input (their formats differ from the second
// byte on). A decoded value re-encodes to exactly the input and keeps its own invariants.
#include <string>

#include "cdc/core/byte_reader.h"
#include "state/schema_codec.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;

namespace {

void check_schema(const TableSchema& s, size_t input_size) {
  FUZZ_CHECK(s.columns.size() <= input_size, "more columns than bytes");
  FUZZ_CHECK(s.primary_key.size() <= input_size, "more key columns than bytes");
  for (uint32_t idx : s.primary_key) {
    FUZZ_CHECK(idx < s.columns.size(), "primary key index outside the columns");
  }
  for (const auto& c : s.columns) {
    FUZZ_CHECK(c.labels.size() <= input_size, "more labels than bytes");
    (void)to_string(c.kind);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = fuzz::bytes_of(data, size);
  if (auto s = state::decode_schema(in); !s) {
    FUZZ_CHECK(fuzz::is_bad_bytes_error(s.error()), "decode_schema: non-decode error code");
  } else {
    check_schema(*s, size);
    const std::string enc = state::encode_schema(*s);
    FUZZ_CHECK(enc == as_chars(in), "encode_schema(decode_schema(x)) != x");
  }
  if (auto e = state::decode_schema_entry(in); !e) {
    FUZZ_CHECK(fuzz::is_bad_bytes_error(e.error()), "decode_schema_entry: non-decode error code");
  } else {
    check_schema(e->second, size);
    const std::string enc = state::encode_schema_entry(e->first, e->second);
    FUZZ_CHECK(enc == as_chars(in), "encode_schema_entry(decode(x)) != x");
  }
  return 0;
}
