// KeyTemplate: a key template bound to one table schema version, so that rendering a row is a
// walk over literal pieces and column indices. Immutable after bind(); thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/change_event.h"
#include "cdc/core/result.h"
#include "sinks/redis/redis_options.h"

namespace cdc::sinks::redis {

class KeyTemplate {
 public:
  // Resolves {db}, {table}, {pk} (the primary-key columns joined by `separator`) and
  // {<column>}. Errc::invalid_config when a placeholder names no column of `schema`, or {pk}
  // is used on a table without a primary key. A column literally named db, table or pk is
  // reached as {db}/{table}/{pk} only through its meaning above: rename it in a projection.
  static Result<KeyTemplate> bind(const std::vector<KeyPart>& parts, const TableSchema& schema,
                                  std::string_view separator);

  // Appends the key of `row` to `out`. Returns false (out unchanged) when a key column is
  // NULL or absent from the image; `null_column` then names it (valid while this lives).
  bool render(const RowImage& row, std::string& out, std::string_view* null_column) const;

  // True if the key depends on the row (any column placeholder): an update may move the row.
  bool uses_columns() const { return uses_columns_; }

 private:
  struct Piece {
    std::string literal;  // used when column < 0
    int64_t column = -1;
    std::string name;  // the column's name, for errors
  };
  std::vector<Piece> pieces_;
  bool uses_columns_ = false;
};

}  // namespace cdc::sinks::redis
