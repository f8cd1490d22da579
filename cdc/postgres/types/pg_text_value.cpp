#include <charconv>

#include "cdc/postgres/types/pg_types.h"

namespace cdc::postgres {

Result<Value> pg_text_value(const PgTypeRegistry& registry, const Column& column, uint32_t type_oid,
                            int32_t typmod, std::string_view text, Arena& arena) {
  switch (column.kind) {
    case ValueKind::boolean:
      if (text == "t") return Value::boolean(true);
      if (text == "f") return Value::boolean(false);
      break;
    case ValueKind::int64: {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && p == text.data() + text.size()) return Value::int64(v);
      break;
    }
    default: return Value::string(arena.copy(text));
  }
  return make_error(Errc::malformed,
                    "column " + column.name + " (" + column.source_type + "): malformed value");
}

}  // namespace cdc::postgres
