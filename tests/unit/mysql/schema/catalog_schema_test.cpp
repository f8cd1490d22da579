// catalog_default(): information_schema.COLUMNS.COLUMN_DEFAULT as MariaDB prints it, to the
// literal the schema history keeps (DDL-made versions keep the same, so both compare equal).
#include "cdc/mysql/schema/catalog_schema.h"

#include <doctest/doctest.h>

namespace cdc::mysql {
namespace {

TEST_CASE(
    "catalog_default: quoted literals unquoted, NULL and no default are none, expressions as is") {
  CHECK(catalog_default(std::nullopt) == std::nullopt);
  CHECK(catalog_default(std::string("NULL")) == std::nullopt);
  CHECK(catalog_default(std::string("'x'")) == std::optional<std::string>("x"));
  CHECK(catalog_default(std::string("'it''s'")) == std::optional<std::string>("it's"));
  CHECK(catalog_default(std::string("''")) == std::optional<std::string>(""));
  CHECK(catalog_default(std::string("7")) == std::optional<std::string>("7"));
  CHECK(catalog_default(std::string("-1.5")) == std::optional<std::string>("-1.5"));
  CHECK(catalog_default(std::string("current_timestamp()")) ==
        std::optional<std::string>("current_timestamp()"));
}

}  // namespace
}  // namespace cdc::mysql
