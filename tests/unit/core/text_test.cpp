// The text helpers that judge and print bytes from outside: UTF-8 checks and terminal escapes.
#include <doctest/doctest.h>

#include "cdc/core/text.h"

using namespace cdc;

TEST_CASE("invalid_utf8_offset: the first byte that is not well-formed UTF-8") {
  constexpr size_t npos = std::string_view::npos;
  CHECK(invalid_utf8_offset("") == npos);
  CHECK(invalid_utf8_offset("plain ascii") == npos);
  CHECK(invalid_utf8_offset("h\xc3\xa9 \xe5\xaf\x86 \xf0\x9f\x98\x80") == npos);  // é 密 😀
  CHECK(invalid_utf8_offset("ab\xff") == 2);
  CHECK(invalid_utf8_offset("ab\xc3") == 2);            // truncated
  CHECK(invalid_utf8_offset("\xc0\xaf") == 0);          // overlong '/'
  CHECK(invalid_utf8_offset("\xe0\x80\xaf") == 0);      // overlong, 3 bytes
  CHECK(invalid_utf8_offset("x\xed\xa0\x80") == 1);     // surrogate U+D800
  CHECK(invalid_utf8_offset("\xf4\x90\x80\x80") == 0);  // beyond U+10FFFF
  CHECK(invalid_utf8_offset("\xe5\xaf") == 0);          // cut inside
  CHECK(invalid_utf8_offset("\xe5\x41\x41") == 0);      // continuation missing
}

TEST_CASE("printable: control characters and bad bytes escaped, UTF-8 text kept") {
  CHECK(printable("ok: d\xc3\xa9j\xc3\xa0 vu \\ 'x'") == "ok: d\xc3\xa9j\xc3\xa0 vu \\ 'x'");
  CHECK(printable(std::string_view("a\0b", 3)) == "a\\x00b");
  CHECK(printable("\x1b[2J\x07") == "\\x1b[2J\\x07");  // clear screen, bell
  CHECK(printable("l1\nl2\r\t") == "l1\\nl2\\r\\t");
  CHECK(printable("\x7f") == "\\x7f");
  CHECK(printable("\xc2\x9b"
                  "31m") == "\\u009b31m");     // C1 CSI
  CHECK(printable("\xc2\xa0") == "\xc2\xa0");  // U+00A0 is text
  CHECK(printable("\xff\xfe") == "\\xff\\xfe");
  CHECK(printable("\xc3") == "\\xc3");
}

TEST_CASE("append_json_quoted: quotes, backslashes and controls escaped; other bytes kept") {
  std::string out = "x=";
  append_json_quoted(out, std::string_view("a\"b\\c\nd\te\x01\x1f\x7f\0 d\xc3\xa9j\xc3\xa0", 20));
  CHECK(out == "x=\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f\\u007f\\u0000 d\xc3\xa9j\xc3\xa0\"");
  out.clear();
  append_json_quoted(out, "");
  CHECK(out == "\"\"");
}
