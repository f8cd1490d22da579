// Fuzz target json_diff: the JSON diffs of PARTIAL_UPDATE_ROWS (cdc/mysql/binlog/json_diff.h)
// applied to a binary JSON before image, as decode_partial_after_image does for a partial JSON
// column. Input: u16 little-endian length of the before document, the document, then the
// encoded diff list. Whatever the bytes, the result is a bad-bytes error (a diff MySQL would
// reject included) or text that is valid JSON (the sink embeds it verbatim).
#include <algorithm>
#include <string>

#include "cdc/mysql/binlog/json_diff.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/valid_json.h"

using namespace cdc;
using namespace cdc::mysql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t before_len = std::min<size_t>(data[0] | size_t{data[1]} << 8, size - 2);
  const auto before = fuzz::bytes_of(data + 2, before_len);
  const auto diffs = fuzz::bytes_of(data + 2 + before_len, size - 2 - before_len);
  if (auto list = decode_json_diffs(diffs)) {
    for (const auto& d : *list) {
      FUZZ_CHECK(fuzz::within(d.path, diffs) && fuzz::within(d.value, diffs),
                 "diff views outside the column bytes");
      if (auto legs = parse_mysql_json_path(d.path); !legs) {
        FUZZ_CHECK(legs.error().code == Errc::malformed, "path: unexpected error code");
      }
    }
  } else {
    FUZZ_CHECK(fuzz::is_bad_bytes_error(list.error()), "decode_json_diffs: unexpected error code");
  }
  auto text = apply_json_diffs(before, diffs);
  if (!text) {
    FUZZ_CHECK(fuzz::is_bad_bytes_error(text.error()), "apply_json_diffs: unexpected error code");
    return 0;
  }
  FUZZ_CHECK(fuzz::is_valid_json(*text), "JSON with diffs applied is not valid JSON");
  return 0;
}
