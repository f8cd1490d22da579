#include "cdc/expr/unicode.h"

#include <doctest/doctest.h>

using namespace cdc::expr;

TEST_CASE("unicode: invalid UTF-8 decodes as U+FFFD one byte at a time, never over-reads") {
  const std::string bad[] = {"\xff",     "\xc3",         "\xe2\x82",        "\xf0\x9f\x98",
                             "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"};
  for (const std::string& s : bad) {
    size_t pos = 0;
    CHECK(next_code_point(s, pos) == 0xFFFD);
    CHECK(pos == 1);
  }
  CHECK(code_point_count("a\xffz") == 3);
  CHECK(code_point_count("a😀b") == 3);
  CHECK(byte_offset_of("a😀b", 2) == 5);
  CHECK(byte_offset_of("ab", 7) == 2);
}

TEST_CASE("unicode: case mapping round-trips whole alphabets") {
  auto upper = [](std::string_view s) {
    std::string out;
    for (size_t pos = 0; pos < s.size();) append_upper(out, next_code_point(s, pos));
    return out;
  };
  auto lower = [](std::string_view s) {
    std::string out;
    for (size_t pos = 0; pos < s.size();) append_lower(out, next_code_point(s, pos));
    return out;
  };
  CHECK(upper("αβγδεζηθικλμνξοπρστυφχψω") == "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ");
  CHECK(lower("ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ") == "αβγδεζηθικλμνξοπρστυφχψω");
  CHECK(upper("абвгдеёжзийклмнопрстуфхцчшщъыьэюя") == "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ");
  CHECK(lower("ЂЃЄЅІЇЈЉЊЋЌЍЎЏ") == "ђѓєѕіїјљњћќѝўџ");
  CHECK(upper("ґєії") == "ҐЄІЇ");
  CHECK(upper("àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþ") == "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ");
  CHECK(upper("āăąćĉċčďđēĕėęěĝğġģĥħĩīĭįĳĵķĺļľŀłńņňŋōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷźżž") ==
        "ĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŹŻŽ");
  CHECK(lower("ĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŹŻŽ") ==
        "āăąćĉċčďđēĕėęěĝğġģĥħĩīĭįĳĵķĺļľŀłńņňŋōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷźżž");
  CHECK(upper("ạảấầẩẫậắằẳẵặẹẻẽếềểễệ") == "ẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆ");
  CHECK(upper("ά έ ή ί ό ύ ώ") == "Ά Έ Ή Ί Ό Ύ Ώ");
  CHECK(upper("日本語😀") == "日本語😀");
}
