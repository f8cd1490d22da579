#include "cdc/core/json/json_writer.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

using namespace cdc::json;

namespace {
std::string str(std::string_view s, InvalidUtf8Policy p = InvalidUtf8Policy::replace) {
  std::string out;
  append_string(out, s, p);
  return out;
}
std::string b64(std::string_view s) {
  std::string out;
  append_base64(out, s);
  return out;
}
}  // namespace

TEST_CASE("append_string: escaping table") {
  struct Case {
    std::string_view in;
    std::string_view out;
  };
  const Case cases[] = {
      {"", R"("")"},
      {"plain ascii text that is longer than eight",
       R"("plain ascii text that is longer than eight")"},
      {"\"", R"("\"")"},
      {"\\", R"("\\")"},
      {"/", R"("/")"},
      {"\b\f\n\r\t", R"("\b\f\n\r\t")"},
      {std::string_view("\0", 1), R"("\u0000")"},
      {"\x01\x1f", R"("\u0001\u001F")"},
      {"\x0b", R"("\u000B")"},
      {"\x7f", "\"\x7f\""},  // DEL needs no escape
      {"a\"b\\c\nd", R"("a\"b\\c\nd")"},
      {"12345678\"", R"("12345678\"")"},  // special byte right after an 8-byte block
      {"caf\xC3\xA9", "\"caf\xC3\xA9\""},
      {"\xF0\x9F\x98\x80", "\"\xF0\x9F\x98\x80\""},  // 4-byte emoji kept
      {"\xE2\x80\xA8", R"("\u2028")"},
      {"x\xE2\x80\xA9y", R"("x\u2029y")"},
      {"\xE2\x80\xA7", "\"\xE2\x80\xA7\""},  // U+2027 is not special
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    CHECK(str(c.in) == c.out);
  }
}

TEST_CASE("append_string: invalid UTF-8 replaced per maximal subpart (WHATWG)") {
  struct Case {
    std::string_view in;
    std::string_view out;
    bool valid;
  };
  const std::string_view R = "\xEF\xBF\xBD";
  (void)R;
  const Case cases[] = {
      {"\x80", "\"\xEF\xBF\xBD\"", false},                  // lone continuation
      {"\xBF\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\"", false},  // two continuations: two U+FFFD
      {"\xC0\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\"", false},  // overlong '/' (C0 never valid)
      {"\xC1\xBF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\"", false},
      {"\xE0\x80\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"", false},  // overlong 3-byte
      {"\xF0\x80\x80\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"", false},
      {"\xED\xA0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"", false},  // surrogate D800
      {"\xED\xBF\xBF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"", false},  // surrogate DFFF
      {"\xED\x9F\xBF", "\"\xED\x9F\xBF\"", true},                           // U+D7FF ok
      {"\xF4\x90\x80\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"",
       false},                                             // >10FFFF
      {"\xF4\x8F\xBF\xBF", "\"\xF4\x8F\xBF\xBF\"", true},  // U+10FFFF ok
      {"\xF5\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\"", false},
      {"\xFF", "\"\xEF\xBF\xBD\"", false},
      {"\xC3", "\"\xEF\xBF\xBD\"", false},          // truncated 2-byte
      {"\xE2\x82", "\"\xEF\xBF\xBD\"", false},      // truncated 3-byte: one U+FFFD
      {"\xF0\x9F\x98", "\"\xEF\xBF\xBD\"", false},  // truncated 4-byte: one U+FFFD
      {"\xF0\x9F\x98"
       "A",
       "\"\xEF\xBF\xBD"
       "A\"",
       false},  // truncated then ASCII kept
      {"\xE2\x82"
       "\xE2\x82\xAC",
       "\"\xEF\xBF\xBD\xE2\x82\xAC\"", false},  // then a valid euro
      {"a\xC3\x28"
       "b",
       "\"a\xEF\xBF\xBD(b\"", false},              // bad trail is re-read
      {"\xC2\x80", "\"\xC2\x80\"", true},          // U+0080 ok
      {"\xEF\xBF\xBF", "\"\xEF\xBF\xBF\"", true},  // U+FFFF ok
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    CHECK(str(c.in) == c.out);
    CHECK(is_valid_utf8(c.in) == c.valid);
  }
}

TEST_CASE("append_string: base64 policy encodes the whole invalid value") {
  CHECK(str("ok \xC3\xA9", InvalidUtf8Policy::base64) == "\"ok \xC3\xA9\"");
  CHECK(str("ab\xFF", InvalidUtf8Policy::base64) == "\"YWL/\"");
  std::string out = "prefix:";
  append_string(out, "a\"\n\xC0", InvalidUtf8Policy::base64);  // escapes already written are undone
  CHECK(out == "prefix:\"YSIKwA==\"");
}

TEST_CASE("append_base64: RFC 4648 section 10 vectors") {
  CHECK(b64("") == "");
  CHECK(b64("f") == "Zg==");
  CHECK(b64("fo") == "Zm8=");
  CHECK(b64("foo") == "Zm9v");
  CHECK(b64("foob") == "Zm9vYg==");
  CHECK(b64("fooba") == "Zm9vYmE=");
  CHECK(b64("foobar") == "Zm9vYmFy");
  CHECK(b64(std::string_view("\x00\xFF\xFE", 3)) == "AP/+");
  CHECK(b64("\xFB\xFF") == "+/8=");
}

TEST_CASE("numbers: integers exact, doubles shortest round-trip, NaN/Inf null") {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  w.int64(std::numeric_limits<int64_t>::min());
  w.uint64(std::numeric_limits<uint64_t>::max());
  w.float64(0.1);
  w.float64(1e300);
  w.float64(-0.0);
  w.float64(1e-7);
  w.float64(std::nan(""));
  w.float64(std::numeric_limits<double>::infinity());
  w.float32(3.14f);
  w.float32(0.1f);
  w.float32(-std::numeric_limits<float>::infinity());
  w.end_array();
  CHECK(out ==
        "[-9223372036854775808,18446744073709551615,0.1,1e+300,-0,1e-07,null,null,3.14,0.1,null]");
}

TEST_CASE("JsonWriter: structure, commas and keys") {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("a");
  w.begin_array();
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.null();
  w.boolean(true);
  w.end_array();
  w.key("k\"\x01\xFF");
  w.string("v");
  w.key_ascii("z");
  w.base64("hi");
  w.end_object();
  CHECK(out == "{\"a\":[{},[],null,true],\"k\\\"\\u0001\xEF\xBF\xBD\":\"v\",\"z\":\"aGk=\"}");
}

TEST_CASE("raw_json: valid text inserted verbatim, anything else as a string") {
  struct Case {
    std::string_view in;
    std::string_view out;
  };
  const Case cases[] = {
      {R"({"a":[1,2.5e-3,{"b":null}],"c":"\u00e9"})",
       R"({"a":[1,2.5e-3,{"b":null}],"c":"\u00e9"})"},
      {" [ ] ", " [ ] "},
      {"0", "0"},
      {"-0.5E+2", "-0.5E+2"},
      {"\"\\ud83d\\ude00\"", "\"\\ud83d\\ude00\""},
      {"{not json", R"("{not json")"},
      {"", R"("")"},
      {"[1,]", R"("[1,]")"},
      {"{\"a\":1,}", R"("{\"a\":1,}")"},
      {"01", R"("01")"},
      {"1.", R"("1.")"},
      {"[1] [2]", R"("[1] [2]")"},
      {"\"\\ud800\"", R"("\"\\ud800\"")"},  // lone surrogate escape
      {"\"\\udc00\\ud800\"", R"("\"\\udc00\\ud800\"")"},
      {"\"a\tb\"", R"("\"a\tb\"")"},  // raw control char in a string
      {"\"\\x\"", R"("\"\\x\"")"},
      {"tru", R"("tru")"},
      {"NaN", R"("NaN")"},
      {"{\"a\" 1}", R"("{\"a\" 1}")"},
      {"[\"\xFF\"]", "\"[\\\"\xEF\xBF\xBD\\\"]\""},  // invalid UTF-8 inside
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    std::string out;
    JsonWriter w(out);
    w.raw_json(c.in);
    CHECK(out == c.out);
  }
  const std::string deep_ok =
      std::string(kMaxJsonDepth, '[') + "0" + std::string(kMaxJsonDepth, ']');
  CHECK(is_valid_json(deep_ok));
  const std::string too_deep = "[" + deep_ok + "]";
  CHECK_FALSE(is_valid_json(too_deep));
}

TEST_CASE(
    "is_plain_ascii and the one-append paths of key()/string() match the escaping path at every "
    "offset") {
  // Each byte that needs escaping (or is not ASCII), at every position of strings of 1..70
  // bytes: across the 8-byte words, their tails and the 60-byte short limit.
  const std::string specials[] = {"\"",   "\\",       "\n",           std::string(1, '\0'),
                                  "\x1f", "\xC3\xA9", "\xE2\x80\xA8", "\xFF"};
  for (size_t len = 1; len <= 70; ++len) {
    const std::string plain(len, 'a');
    CHECK(is_plain_ascii(plain));
    CHECK(str(plain) == "\"" + plain + "\"");
    for (const std::string& special : specials) {
      for (size_t at = 0; at < len; ++at) {
        std::string s = plain;
        s.replace(at, 1, special);
        INFO("len " << len << " at " << at << " special byte "
                    << int(static_cast<unsigned char>(special[0])));
        CHECK_FALSE(is_plain_ascii(s));
        std::string written;
        JsonWriter w(written);
        w.begin_object();
        w.key(s);
        w.string(s);
        w.key("k");
        w.string(plain);
        w.end_object();
        std::string expected = "{";
        expected.append(str(s))
            .append(":")
            .append(str(s))
            .append(",\"k\":\"")
            .append(plain)
            .append("\"}");
        CHECK(written == expected);
      }
    }
  }
  CHECK(is_plain_ascii(""));
  CHECK(is_plain_ascii("\x7f ~"));  // DEL and the printable edges go through unchanged
  std::string empty;  // a default string_view has a null data(): no memcpy from it (UBSan)
  JsonWriter w(empty);
  w.begin_object();
  w.key(std::string_view());
  w.string(std::string_view());
  w.end_object();
  CHECK(empty == "{\"\":\"\"}");
  CHECK(str(std::string_view()) == "\"\"");
}
