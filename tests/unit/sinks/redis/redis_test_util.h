// Helpers of the Redis sink's unit tests: a small table schema, rows of plain values, and the
// commands of a CommandBuffer decoded back from RESP into argument lists.
#pragma once

#include <charconv>
#include <memory>
#include <string>
#include <vector>

#include "cdc/core/change_event.h"
#include "sinks/redis/command_buffer.h"
#include "sinks/redis/redis_options.h"
#include "tests/support/kept_schema.h"

namespace cdc::sinks::redis::test {

using Args = std::vector<std::string>;

// {{false, "user:"}, {true, "id"}}: literal and placeholder pieces of a key template.
inline std::vector<KeyPart> key_parts(std::initializer_list<std::pair<bool, const char*>> parts) {
  std::vector<KeyPart> out;
  for (auto [placeholder, text] : parts) out.push_back({placeholder, text});
  return out;
}

inline std::vector<Args> decode(CommandBuffer& b) {
  b.seal();
  std::vector<Args> out;
  std::string_view s = b.bytes();
  const auto number = [&](char kind) {
    REQUIRE(!s.empty());
    REQUIRE(s.front() == kind);
    size_t n = 0;
    const auto r = std::from_chars(s.data() + 1, s.data() + s.size(), n);
    REQUIRE(std::string_view(r.ptr, 2) == "\r\n");
    s.remove_prefix(static_cast<size_t>(r.ptr - s.data()) + 2);
    return n;
  };
  while (!s.empty()) {
    Args args;
    for (size_t argc = number('*'); argc > 0; --argc) {
      const size_t len = number('$');
      REQUIRE(s.size() >= len + 2);
      args.emplace_back(s.substr(0, len));
      REQUIRE(s.substr(len, 2) == "\r\n");
      s.remove_prefix(len + 2);
    }
    out.push_back(std::move(args));
  }
  REQUIRE(out.size() == b.size());
  return out;
}

// app.users (id INT, name VARCHAR, email VARCHAR NULL, score DOUBLE), primary key id.
inline std::shared_ptr<TableSchema> users_schema() {
  auto s = std::make_shared<TableSchema>();
  s->id = {"app", "users"};
  for (auto [name, kind] : {std::pair{"id", ValueKind::int64},
                            {"name", ValueKind::string},
                            {"email", ValueKind::string},
                            {"score", ValueKind::float64}}) {
    Column c;
    c.name = name;
    c.kind = kind;
    s->columns.push_back(c);
  }
  s->primary_key = {0};
  return s;
}

inline std::vector<Value> user(int64_t id, std::string_view name,
                               std::optional<std::string_view> email, double score = 1.5) {
  return {Value::int64(id), Value::string(name), email ? Value::string(*email) : Value(),
          Value::float64(score)};
}

// An event over rows the caller keeps alive.
inline ChangeEvent event(Op op, TableSchemaPtr schema, const std::vector<Value>* before,
                         const std::vector<Value>* after) {
  ChangeEvent e;
  e.op = op;
  e.schema = testing::kept_schema(std::move(schema));
  if (before) e.before = RowImage(*before);
  if (after) e.after = RowImage(*after);
  e.source.at = BinlogEventPosition{"mysql-bin.000003", BinlogOffset{4711}};
  return e;
}

}  // namespace cdc::sinks::redis::test
