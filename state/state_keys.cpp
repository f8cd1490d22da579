#include "state/state_keys.h"

#include <cstdio>
#include <variant>

namespace cdc::state::keys {

namespace {

constexpr char kEscape = '\x00';
constexpr char kEscapedNul = '\xff';
constexpr char kTerminator = '\x01';

void append_u64be(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

std::string tagged_prefix(std::string_view pipeline, char tag) {
  std::string out = pipeline_prefix(pipeline);
  out.push_back(tag);
  return out;
}

}  // namespace

std::string layout_key() { return std::string(1, kMetaSpace) + "layout"; }

void append_component(std::string& out, std::string_view s) {
  for (char c : s) {
    out.push_back(c);
    if (c == kEscape) out.push_back(kEscapedNul);
  }
  out.push_back(kEscape);
  out.push_back(kTerminator);
}

std::string pipeline_prefix(std::string_view pipeline) {
  std::string out(1, kPipelineSpace);
  append_component(out, pipeline);
  return out;
}

std::optional<std::string> leading_component(std::string_view key) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] != kEscape) {
      out.push_back(key[i]);
      continue;
    }
    if (i + 1 >= key.size()) return std::nullopt;
    if (key[i + 1] == kTerminator) return out;
    if (key[i + 1] != kEscapedNul) return std::nullopt;
    out.push_back(kEscape);
    ++i;
  }
  return std::nullopt;
}

std::optional<std::string> pipeline_of(std::string_view key) {
  if (key.empty() || key[0] != kPipelineSpace) return std::nullopt;
  return leading_component(key.substr(1));
}

std::string checkpoint_prefix(std::string_view pipeline) {
  return tagged_prefix(pipeline, kCheckpointTag);
}

std::string checkpoint_key(std::string_view pipeline, uint64_t id) {
  std::string out = checkpoint_prefix(pipeline);
  append_u64be(out, id);
  return out;
}

std::optional<uint64_t> checkpoint_id(std::string_view key, std::string_view prefix) {
  if (key.size() != prefix.size() + 8 || key.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  uint64_t id = 0;
  for (size_t i = prefix.size(); i < key.size(); ++i) {
    id = (id << 8) | static_cast<uint8_t>(key[i]);
  }
  return id;
}

std::string schema_table_prefix(std::string_view pipeline, const TableId& table) {
  std::string out = tagged_prefix(pipeline, kSchemaTag);
  append_component(out, table.db);
  append_component(out, table.table);
  return out;
}

Result<std::string> position_sort_key(const Position& at) {
  std::string out;
  if (const auto* d = std::get_if<DatagenPosition>(&at)) {
    out.push_back('\x01');
    append_u64be(out, d->next_row);
  } else if (const auto* m = std::get_if<MysqlPosition>(&at)) {
    out.push_back('\x02');
    append_u64be(out, binlog_file_index(m->binlog.file));
    append_u64be(out, m->binlog.offset);
    append_u64be(out, m->events_to_skip);
    append_u64be(out, m->rows_to_skip);
  } else if (const auto* pg = std::get_if<PostgresPosition>(&at)) {
    out.push_back('\x03');
    append_u64be(out, static_cast<uint64_t>(pg->commit_lsn));
    append_u64be(out, static_cast<uint64_t>(pg->lsn));
    append_u64be(out, pg->events_to_skip);
  } else {
    return make_error(Errc::internal, "schema history needs a source position, got none");
  }
  return out;
}

Result<std::string> schema_key(std::string_view pipeline, const TableId& table,
                               const Position& at) {
  CDC_TRY_ASSIGN(std::string sort_key, position_sort_key(at));
  return schema_table_prefix(pipeline, table) + sort_key;
}

std::string snapshot_prefix(std::string_view pipeline) {
  return tagged_prefix(pipeline, kSnapshotTag);
}

std::string snapshot_key(std::string_view pipeline, const TableId& table) {
  std::string out = snapshot_prefix(pipeline);
  append_component(out, table.db);
  append_component(out, table.table);
  return out;
}

std::string savepoint_prefix(std::string_view pipeline) {
  return tagged_prefix(pipeline, kSavepointTag);
}

std::string savepoint_key(std::string_view pipeline, std::string_view name) {
  std::string out = savepoint_prefix(pipeline);
  append_component(out, name);
  return out;
}

std::string value_key(std::string_view pipeline, std::string_view key) {
  std::string out = tagged_prefix(pipeline, kValueTag);
  out.append(key);
  return out;
}

std::string prefix_successor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    if (static_cast<uint8_t>(out.back()) != 0xff) {
      out.back() = static_cast<char>(static_cast<uint8_t>(out.back()) + 1);
      return out;
    }
    out.pop_back();
  }
  return out;
}

std::string printable(std::string_view key) {
  std::string out;
  for (char c : key) {
    const auto b = static_cast<uint8_t>(c);
    if (b >= 0x20 && b < 0x7f && c != '\\') {
      out.push_back(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      out += buf;
    }
  }
  return out;
}

}  // namespace cdc::state::keys
