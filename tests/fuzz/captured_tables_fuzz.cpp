// Fuzz target captured_tables: decode_captured_tables() (cdc/mysql/captured_tables.h), the
// record of the `tables` patterns read back from the state store. It must give patterns that
// encode back to the same bytes, or a malformed error; never crash.
#include <string_view>

#include "cdc/mysql/captured_tables.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto record = mysql::decode_captured_tables(in);
  if (!record) {
    FUZZ_CHECK(record.error().code == Errc::malformed, "decode_captured_tables: not malformed");
    return 0;
  }
  FUZZ_CHECK(mysql::encode_captured_tables(*record) == in, "a record does not encode back");
  return 0;
}
