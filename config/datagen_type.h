// The SQL column types the datagen source can generate, parsed from DatagenColumn::type.
#pragma once

#include <cstdint>
#include <string_view>

#include "cdc/core/result.h"

namespace cdc::config {

struct DatagenType {
  enum class Base {
    tinyint,
    smallint,
    int_,
    bigint,
    boolean,
    float_,
    double_,
    decimal,
    char_,
    varchar,
    text,
    date,
    datetime,
    timestamp,
    json,
  };
  Base base = Base::bigint;
  bool is_unsigned = false;  // integer types only
  uint32_t precision =
      0;  // decimal: digits (1..65); char/varchar: length; datetime/timestamp: fsp 0..6
  uint32_t scale = 0;  // decimal: digits after the point, <= precision
  bool is_integer() const;
  bool is_numeric() const;  // integers, float, double, decimal
  bool is_string() const;   // char, varchar, text
  bool operator==(const DatagenType&) const = default;
};

// Accepts: tinyint, smallint, int|integer, bigint (each optionally `unsigned`), boolean|bool,
// float, double, decimal(p[,s]), char(n), varchar(n), text, date, datetime[(fsp)],
// timestamp[(fsp)], json; case-insensitive. Errc::invalid_config with a "supported types" list.
Result<DatagenType> parse_datagen_type(std::string_view text);

}  // namespace cdc::config
