// Fuzz target mysql_json: parse_mysql_json()/render_mysql_json() (cdc/mysql/binlog/mysql_json.h)
// over binary JSON documents as a JSON column carries them in a row event. Whatever the bytes, the
// decoder either refuses them with a bad-bytes error or renders text that is valid JSON (the sink
// embeds it verbatim in a JSON envelope, so invalid text there would corrupt every consumer).
#include <string>

#include "cdc/mysql/binlog/mysql_json.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/valid_json.h"

using namespace cdc;
using namespace cdc::mysql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = decode_mysql_json(fuzz::bytes_of(data, size));
  if (!text) {
    FUZZ_CHECK(fuzz::is_bad_bytes_error(text.error()), "decode_mysql_json: unexpected error code");
    return 0;
  }
  FUZZ_CHECK(fuzz::is_valid_json(*text), "rendered MySQL JSON is not valid JSON");
  return 0;
}
