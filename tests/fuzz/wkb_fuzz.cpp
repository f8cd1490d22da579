// Fuzz target wkb: wkb_to_wkt() (cdc/core/wkb_to_wkt.h) over GEOMETRY payloads as a row event
// carries them after the SRID (geometry.format: wkt). Whatever the bytes, the converter either
// refuses them with a bad-bytes error (leaving the output untouched) or appends WKT made only of
// the type names, digits and punctuation it writes, with balanced parentheses.
#include <string>
#include <string_view>

#include "cdc/core/wkb_to_wkt.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view wkb(reinterpret_cast<const char*>(data), size);
  std::string out = "x";
  const Status st = wkb_to_wkt(wkb, out);
  if (!st) {
    FUZZ_CHECK(fuzz::is_bad_bytes_error(st.error()), "wkb_to_wkt: unexpected error code");
    FUZZ_CHECK(out == "x", "wkb_to_wkt: output changed on error");
    return 0;
  }
  FUZZ_CHECK(out.size() > 1, "wkb_to_wkt: empty WKT");
  int depth = 0;
  for (char c : std::string_view(out).substr(1)) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    FUZZ_CHECK(depth >= 0, "wkb_to_wkt: unbalanced ')'");
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == ',' ||
                         c == '(' || c == ')' || c == '.' || c == '-' || c == 'e';
    FUZZ_CHECK(allowed, "wkb_to_wkt: unexpected character in WKT");
  }
  FUZZ_CHECK(depth == 0, "wkb_to_wkt: unbalanced '('");
  return 0;
}
