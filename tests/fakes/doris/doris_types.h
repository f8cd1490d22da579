// Column types of the Doris test server and the check a loaded value must pass (Doris docs,
// "Data Types"; Stream Load manual, "strict_mode"). A value that does not fit its column makes
// the row a filtered row; the reason is what the ErrorURL serves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdc::testing::doris {

enum class TypeKind : uint8_t {
  boolean,
  tinyint,
  smallint,
  int_,
  bigint,
  largeint,
  float_,
  double_,
  decimal,
  date,
  datetime,
  char_,
  varchar,
  string,
  json,
};

struct DorisType {
  TypeKind kind = TypeKind::string;
  uint32_t length = 0;     // CHAR/VARCHAR: bytes (Doris counts bytes, not characters)
  uint32_t precision = 0;  // DECIMAL
  uint32_t scale = 0;      // DECIMAL; DATETIME: fractional digits
  // As SHOW CREATE TABLE prints it: "varchar(30)", "decimal(10,2)", "datetime(6)", "int".
  std::string to_sql() const;
  bool is_integer() const;
};

// Parses "INT", "varchar(20)", "DECIMAL(10, 2)", "DATETIME(3)", "DECIMALV3(5,1)"... (case
// insensitive). nullopt for a type the test server does not know.
std::optional<DorisType> parse_type(std::string_view text);

// Checks `text` (a JSON scalar's text: string contents, or a number's/boolean's spelling)
// against `type` and returns its canonical form (what SELECT prints), or the reason it is
// refused. Doris rules: integers in range; DECIMAL at most precision-scale integer digits and
// scale fractional digits (more fractional digits are rounded, as Doris casts); CHAR/VARCHAR at
// most `length` bytes; DATE yyyy-MM-dd; DATETIME yyyy-MM-dd HH:mm:ss[.ffffff] with at most
// `scale` fractional digits kept (rounded); JSON must parse.
struct Checked {
  std::optional<std::string> value;
  std::string reason;  // set when value is nullopt
};
Checked check_value(const DorisType& type, std::string_view text);

}  // namespace cdc::testing::doris
