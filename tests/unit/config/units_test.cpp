#include "config/units.h"

#include <doctest/doctest.h>

using cdc::config::format_duration;
using cdc::config::format_size;
using cdc::config::parse_duration;
using cdc::config::parse_size;
using std::chrono::milliseconds;

TEST_CASE("parse_duration: accepted spellings") {
  struct Case {
    const char* text;
    int64_t ms;
  };
  const Case cases[] = {
      {"500ms", 500},    {"0ms", 0},        {"1s", 1000},       {"10 s", 10'000},
      {"5min", 300'000}, {"2h", 7'200'000}, {"1d", 86'400'000}, {" 3S ", 3000},
      {"7MIN", 420'000}, {"15sec", 15'000}, {"1m", 60'000},     {"2 day", 172'800'000},
      {"+0", -1},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto d = parse_duration(c.text);
    if (c.ms < 0) {
      CHECK_FALSE(d);
      continue;
    }
    REQUIRE(d);
    CHECK(*d == milliseconds(c.ms));
  }
}

TEST_CASE("parse_duration: rejected spellings name the reason") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"5",
       "expected a duration such as 500ms, 10s, 5min, 2h or 1d, found '5' (a unit is "
       "required: ms, s, min, h or d)"},
      {"", "expected a duration such as 500ms, 10s, 5min, 2h or 1d, found '' (empty value)"},
      {"-1s",
       "expected a duration such as 500ms, 10s, 5min, 2h or 1d, found '-1s' (must not be "
       "negative)"},
      {"1.5s",
       "expected a duration such as 500ms, 10s, 5min, 2h or 1d, found '1.5s' (whole "
       "numbers only; use a smaller unit)"},
      {"5 parsecs",
       "expected a duration such as 500ms, 10s, 5min, 2h or 1d, found '5 parsecs' "
       "(unknown unit 'parsecs'; use ms, s, min, h or d)"},
      {"s", "expected a duration such as 500ms, 10s, 5min, 2h or 1d, found 's' (no number)"},
      {"99999999999999999999ms",
       "expected a duration such as 500ms, 10s, 5min, 2h or 1d, found "
       "'99999999999999999999ms' (out of range)"},
      {"9999999999999999d",
       "expected a duration such as 500ms, 10s, 5min, 2h or 1d, found "
       "'9999999999999999d' (out of range)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto d = parse_duration(c.text);
    REQUIRE_FALSE(d);
    CHECK(d.error().code == cdc::Errc::invalid_config);
    CHECK(d.error().message == c.message);
  }
}

TEST_CASE("parse_size: accepted spellings, binary multiples") {
  struct Case {
    const char* text;
    uint64_t bytes;
  };
  const Case cases[] = {
      {"512b", 512},
      {"512", 512},
      {"0", 0},
      {"64kb", 64ull << 10},
      {"64KB", 64ull << 10},
      {"10mb", 10ull << 20},
      {"1gb", 1ull << 30},
      {"1 GiB", 1ull << 30},
      {"2tb", 2ull << 40},
      {"3k", 3ull << 10},
      {"16777215tb", 16777215ull << 40},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto s = parse_size(c.text);
    REQUIRE(s);
    CHECK(*s == c.bytes);
  }
}

TEST_CASE("parse_size: rejected spellings") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"16777216tb",
       "expected a size such as 512b, 64kb, 10mb or 1gb, found '16777216tb' (out of "
       "range)"},
      {"18446744073709551616",
       "expected a size such as 512b, 64kb, 10mb or 1gb, found "
       "'18446744073709551616' (out of range)"},
      {"10 parsecs",
       "expected a size such as 512b, 64kb, 10mb or 1gb, found '10 parsecs' "
       "(unknown unit 'parsecs'; use b, kb, mb, gb or tb)"},
      {"-1kb",
       "expected a size such as 512b, 64kb, 10mb or 1gb, found '-1kb' (must not be "
       "negative)"},
      {"mb", "expected a size such as 512b, 64kb, 10mb or 1gb, found 'mb' (no number)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto s = parse_size(c.text);
    REQUIRE_FALSE(s);
    CHECK(s.error().message == c.message);
  }
}

TEST_CASE("format_duration and format_size give the shortest exact spelling") {
  CHECK(format_duration(milliseconds(1000)) == "1s");
  CHECK(format_duration(milliseconds(1500)) == "1500ms");
  CHECK(format_duration(milliseconds(300'000)) == "5min");
  CHECK(format_duration(milliseconds(0)) == "0ms");
  CHECK(format_duration(milliseconds(86'400'000)) == "1d");
  CHECK(format_size(64ull << 20) == "64mb");
  CHECK(format_size(1000) == "1000b");
  CHECK(format_size(1024) == "1kb");
  CHECK(format_size(0) == "0b");
}
