// Fuzz target checkpoint: decode_checkpoint() (state/checkpoint_codec.h), the value of a
// checkpoint key in the state store. Decoded records re-encode to exactly the input bytes.
#include <string>

#include "cdc/core/byte_reader.h"
#include "state/checkpoint_codec.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = fuzz::bytes_of(data, size);
  auto rec = state::decode_checkpoint(in);
  if (!rec) {
    FUZZ_CHECK(fuzz::is_bad_bytes_error(rec.error()), "decode_checkpoint: non-decode error code");
    return 0;
  }
  FUZZ_CHECK(rec->sink_state.size() <= size, "sink state larger than the record");
  const std::string enc = state::encode_checkpoint(*rec);
  FUZZ_CHECK(enc == as_chars(in), "encode_checkpoint(decode_checkpoint(x)) != x");
  auto again = state::decode_checkpoint(as_bytes(enc));
  FUZZ_CHECK(again && again->id == rec->id && again->position == rec->position &&
                 again->sink_state == rec->sink_state && again->wall_time_ms == rec->wall_time_ms,
             "checkpoint does not round-trip");
  return 0;
}
