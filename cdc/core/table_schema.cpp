#include "cdc/core/table_schema.h"

namespace cdc {

std::optional<uint32_t> TableSchema::column_index(std::string_view name) const {
  for (uint32_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return i;
  }
  return std::nullopt;
}

}  // namespace cdc
