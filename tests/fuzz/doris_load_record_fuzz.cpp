// Fuzz target doris_load_record: decode_loads() (sinks/doris/load_record.h), the Doris sink's
// state inside a checkpoint record. Decoded lists re-encode to exactly the input bytes.
#include <string>

#include "sinks/doris/load_record.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  auto loads = sinks::doris::decode_loads(in);
  if (!loads) {
    FUZZ_CHECK(loads.error().code == Errc::malformed, "decode_loads: not Errc::malformed");
    return 0;
  }
  FUZZ_CHECK(sinks::doris::encode_loads(*loads) == in, "encode_loads(decode_loads(x)) != x");
  return 0;
}
