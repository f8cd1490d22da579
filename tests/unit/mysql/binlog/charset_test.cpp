// Character sets: the collation table (every id of MariaDB and MySQL 8) and the conversion of
// each charset's bytes to UTF-8. Expected text is what the server's CONVERT(x USING utf8mb4)
// returns for the same bytes (checked on MariaDB 10.11; Python's codecs agree where they have
// the charset), not what sluice's own tables say.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cdc/core/arena.h"
#include "cdc/mysql/binlog/charset.h"

namespace cdc::mysql {
namespace {

using namespace std::string_view_literals;  // "\x00" inside test bytes

std::string convert(std::string_view charset, std::string_view bytes,
                    InvalidText on_invalid = InvalidText::fail) {
  const Charset* cs = charset_named(charset);
  REQUIRE(cs != nullptr);
  Arena arena;
  auto text = to_utf8(bytes, *cs, on_invalid, arena);
  REQUIRE_MESSAGE(text.has_value(), text.error().message);
  return std::string(*text);
}

std::string error_of(std::string_view charset, std::string_view bytes) {
  Arena arena;
  auto text = to_utf8(bytes, *charset_named(charset), InvalidText::fail, arena);
  REQUIRE_FALSE(text.has_value());
  CHECK(text.error().code == Errc::malformed);
  return text.error().message;
}

TEST_CASE("collation ids: MariaDB's and MySQL 8's, each to its charset") {
  struct Case {
    uint32_t id;
    std::string_view charset;
    std::string_view collation;
  };
  const Case cases[] = {
      {1, "big5", "big5_chinese_ci"},
      {8, "latin1", "latin1_swedish_ci"},
      {13, "sjis", "sjis_japanese_ci"},
      {19, "euckr", "euckr_korean_ci"},
      {28, "gbk", "gbk_chinese_ci"},
      {33, "utf8mb3", "utf8mb3_general_ci"},
      {35, "ucs2", "ucs2_general_ci"},
      {37, "keybcs2", "keybcs2_general_ci"},
      {45, "utf8mb4", "utf8mb4_general_ci"},
      {51, "cp1251", "cp1251_general_ci"},
      {54, "utf16", "utf16_general_ci"},
      {56, "utf16le", "utf16le_general_ci"},
      {60, "utf32", "utf32_general_ci"},
      {63, "binary", "binary"},
      {76, "utf8mb3", "utf8mb3_tolower_ci"},  // MySQL 8 only
      {95, "cp932", "cp932_japanese_ci"},
      {97, "eucjpms", "eucjpms_japanese_ci"},
      {248, "gb18030", "gb18030_chinese_ci"},  // MySQL 8 only
      {255, "utf8mb4", "utf8mb4_0900_ai_ci"},  // MySQL 8's default
      {309, "utf8mb4", "utf8mb4_0900_bin"},
      {323, "utf8mb4", "utf8mb4_mn_cyrl_0900_as_cs"},
      {1032, "latin1", "latin1_swedish_nopad_ci"},  // MariaDB NO PAD: id + 1024
      {2048, "utf8mb3", "utf8mb3_uca1400_ai_ci"},   // MariaDB 10.10+ UCA 14.0.0
      {3271, "utf32", "utf32_uca1400_croatian_nopad_as_cs"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.id);
    const Charset* cs = charset_of_collation(c.id);
    REQUIRE(cs != nullptr);
    CHECK(cs->name == c.charset);
    CHECK(collation_name(c.id) == c.collation);
  }
  CHECK(charset_of_collation(0) == nullptr);
  CHECK(charset_of_collation(272) == nullptr);  // a gap in MySQL's 0900 ids
  CHECK(charset_of_collation(4000) == nullptr);
  CHECK(generated::kCollationRows.size() == 1309);
}

TEST_CASE("charset names: every charset of both servers, utf8 is utf8mb3") {
  const std::set<std::string_view> expected = {
      "armscii8", "ascii",   "big5",     "binary", "cp1250",  "cp1251", "cp1256",
      "cp1257",   "cp850",   "cp852",    "cp866",  "cp932",   "dec8",   "eucjpms",
      "euckr",    "gb18030", "gb2312",   "gbk",    "geostd8", "greek",  "hebrew",
      "hp8",      "keybcs2", "koi8r",    "koi8u",  "latin1",  "latin2", "latin5",
      "latin7",   "macce",   "macroman", "sjis",   "swe7",    "tis620", "ucs2",
      "ujis",     "utf16",   "utf16le",  "utf32",  "utf8mb3", "utf8mb4"};
  std::set<std::string_view> names;
  for (const auto& cs : generated::kCharsetRows) names.insert(cs.name);
  CHECK(names == expected);
  CHECK(charset_named("UTF8")->name == "utf8mb3");
  CHECK(charset_named("Big5")->name == "big5");
  CHECK(charset_named("utf8mb4")->default_collation == 45);
  CHECK(charset_named("klingon") == nullptr);
  CHECK(charset_of_collation_named("utf8mb4_0900_ai_ci")->name == "utf8mb4");
  CHECK(charset_of_collation_named("UCS2_BIN")->name == "ucs2");
  CHECK(charset_of_collation_named("nope_ci") == nullptr);
}

TEST_CASE("every charset converts: one text outside ASCII each") {
  struct Case {
    std::string_view charset;
    std::string_view bytes;
    std::string_view text;
  };
  const Case cases[] = {
      // The example: Big5 圖形碼 arrived as base64 "uc+nzr1Y".
      {"big5", "\xB9\xCF\xA7\xCE\xBD\x58", "圖形碼"},
      {"big5", "\xA1\x45", "•"},  // MySQL's big5, not glibc's (U+2027)
      {"gbk", "\xD6\xD0\xCE\xC4", "中文"},
      {"gb2312", "\xD6\xD0\xCE\xC4", "中文"},
      {"gb18030", "\xD6\xD0\xCE\xC4\x94\x39\xFC\x36", "中文😀"},
      {"sjis", "\x93\xFA\x96\x7B\xB1", "日本ｱ"},
      {"sjis", "\x5C\x7E\x81\x5F\x81\x60", "\\~\\〜"},  // ASCII stays ASCII; MySQL's 0x815F
      {"cp932", "\x87\x40\x81\x60", "①～"},
      {"ujis", "\xC6\xFC\xCB\xDC\x8E\xB1\x8F\xB0\xA1", "日本ｱ丂"},  // JIS X 0208, kana, 0212
      {"eucjpms", "\xC6\xFC\xCB\xDC\x8F\xB0\xA1", "日本丂"},
      {"euckr", "\xC7\xD1\xB1\xB9\x81\x41", "한국갂"},  // the CP949 extension too
      {"ucs2", "\x04\x16\x00\x41"sv, "ЖA"},
      {"utf16", "\x04\x16\xD8\x3D\xDE\x00"sv, "Ж😀"},
      {"utf16le", "\x16\x04\x3D\xD8\x00\xDE"sv, "Ж😀"},
      {"utf32", "\x00\x00\x04\x16\x00\x01\xF6\x00"sv, "Ж😀"},
      {"utf8mb3", "\xD0\x96\xE2\x82\xAC", "Ж€"},
      {"utf8mb4", "\xF0\x9F\x98\x80", "😀"},
      {"latin1", "\xE9\x80\x81", "é€\xC2\x81"},  // MySQL's latin1 is cp1252 plus 5 bytes
      {"latin2", "\xA3\xF3\x64\xBC", "Łódź"},
      {"latin5", "\xDDstanbul", "İstanbul"},
      {"latin7", "\xC0\xFEuolas", "Ąžuolas"},
      {"cp1250", "\xA3\xF3\x64\x9F", "Łódź"},
      {"cp1251", "\xCF\xF0\xE8\xE2\xE5\xF2", "Привет"},
      {"cp1256", "\xD3\xE1\xC7\xE3", "سلام"},
      {"cp1257", "\xC0\xFEuolas", "Ąžuolas"},
      {"cp850",
       "\xA5"
       "and\xA3",
       "Ñandú"},
      {"cp852", "\x9D\xA2\x64\xAB", "Łódź"},
      {"cp866", "\x8F\xE0\xA8\xA2\xA5\xE2", "Привет"},
      {"koi8r", "\xF0\xD2\xC9\xD7\xC5\xD4", "Привет"},
      {"koi8u", "\xBD\xC1\xCE\xCF\xCB", "Ґанок"},
      {"greek", "\xC5\xEB\xEB\xDC\xE4\xE1", "Ελλάδα"},
      {"hebrew", "\xF9\xEC\xE5\xED", "שלום"},
      {"tis620", "\xE4\xB7\xC2", "ไทย"},
      {"macroman", "Caf\x8E", "Café"},
      {"macce", "\x8A", "ä"},
      {"keybcs2", "\x80\xA0", "Čá"},  // glibc has no Kamenický
      {"geostd8", "\xC0\xE1", "ახ"},
      {"armscii8", "\xB2\xE1", "Աո"},
      // Bytes above 0x7F that armscii8 maps to ASCII punctuation: same length, other bytes
      // (copied raw before; found by the column fuzz target).
      {"armscii8", "a\xAB b\xA4", "a, b)"},
      {"hp8", "\xC1\xE1", "êÃ"},
      {"dec8", "\xC1\xE1", "Áá"},
      {"swe7", "\x5B\x7D", "Äå"},  // the Swedish ISO 646 variant
      {"ascii", "plain", "plain"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.charset);
    CHECK(convert(c.charset, c.bytes) == c.text);
  }
  CHECK(convert("gbk", "") == "");
}

TEST_CASE("invalid sequences stop with charset and offset, or become U+FFFD with replace") {
  CHECK(error_of("big5", "ab\xFF") ==
        "invalid big5 byte sequence at byte 2 of 3 (FF); set charset.invalid: replace to write "
        "U+FFFD instead");
  CHECK(error_of("utf8mb3", "x\xF0\x9F\x98\x80")
            .find("invalid utf8mb3 byte sequence at byte 1 of "
                  "5 (F0 9F 98 80)") == 0);
  CHECK(error_of("utf8mb4", "\xC0\x80").find("at byte 0") != std::string::npos);      // overlong
  CHECK(error_of("utf8mb4", "\xED\xA0\x80").find("at byte 0") != std::string::npos);  // surrogate
  CHECK(error_of("utf8mb4", "ok\xE2\x82").find("at byte 2") != std::string::npos);    // cut off
  // Past the eight-byte ASCII steps: the offset is still exact.
  CHECK(error_of("utf8mb4", "0123456789abcdefgh\xC0\x80").find("at byte 18") != std::string::npos);
  CHECK(error_of("utf8mb3", "0123456789abcdef\xF0\x9F\x98\x80").find("at byte 16") !=
        std::string::npos);
  CHECK(error_of("ujis", "\xC6").find("invalid ujis byte sequence at byte 0") == 0);
  CHECK(error_of("sjis", "\x87\x40").find("at byte 0") != std::string::npos);  // NEC, cp932 only
  CHECK(error_of("ascii", "a\x80").find("at byte 1") != std::string::npos);
  CHECK(error_of("cp1250", "\x81").find("at byte 0") != std::string::npos);  // undefined byte
  CHECK(error_of("gbk", "\xD6\xD0\xFF").find("at byte 2") != std::string::npos);
  CHECK(error_of("ucs2", "\x04").find("at byte 0") != std::string::npos);  // half a character
  CHECK(error_of("utf32", "\x00\x11\x00\x00"sv).find("at byte 0") !=
        std::string::npos);  // beyond U+10FFFF

  CHECK(convert("utf8mb3", "x\xF0\x9F\x98\x80y", InvalidText::replace) ==
        "x\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDy");
  CHECK(convert("big5", "\xB9\xCF\xFF", InvalidText::replace) == "圖\xEF\xBF\xBD");
  CHECK(convert("cp1250", "a\x81", InvalidText::replace) == "a\xEF\xBF\xBD");
  CHECK(convert("gbk", "\xD6\xD0\xFF\xD6\xD0", InvalidText::replace) == "中\xEF\xBF\xBD中");
  CHECK(convert("ujis", "\xC6", InvalidText::replace) == "\xEF\xBF\xBD");
}

TEST_CASE("binary is never converted") {
  Arena arena;
  auto r = to_utf8("x", *charset_named("binary"), InvalidText::fail, arena);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::internal);
}

TEST_CASE("iconv converters are per thread: concurrent conversions do not mix") {
  const Charset& gbk = *charset_named("gbk");
  const Charset& utf16 = *charset_named("utf16");
  auto work = [](const Charset& cs, std::string_view bytes, std::string_view text, int& bad) {
    Arena arena;
    for (int i = 0; i < 2000; ++i) {
      auto r = to_utf8(bytes, cs, InvalidText::fail, arena);
      if (!r || *r != text) ++bad;
    }
  };
  int bad_a = 0;
  int bad_b = 0;
  {
    std::jthread a(work, std::cref(gbk), "\xD6\xD0\xCE\xC4", "中文", std::ref(bad_a));
    std::jthread b(work, std::cref(utf16), "\xD8\x3D\xDE\x00"sv, "😀", std::ref(bad_b));
  }
  CHECK(bad_a == 0);
  CHECK(bad_b == 0);
}

TEST_CASE("every iconv-converted charset opens in this glibc") {
  Arena arena;
  for (const auto& cs : generated::kCharsetRows) {
    if (cs.iconv_name.empty()) continue;
    CAPTURE(cs.name);
    auto r = to_utf8("A", cs, InvalidText::replace, arena);
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
  }
}

}  // namespace
}  // namespace cdc::mysql
