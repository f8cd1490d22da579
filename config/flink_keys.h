// Flink CDC 3 pipeline options that sluice has no key of its own for (README "Flink CDC pipeline
// files"): each is accepted because it names what sluice does anyway (a cosmetic `name`,
// `scan.incremental.snapshot.enabled: true`), or refused with one line saying what sluice does
// instead. Keys sluice implements under Flink's name (`tables`, `fenodes`, ...) are read by
// loader.cpp, not here. Internal to cdc_config; the tables are constant data.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml_reader.h"

namespace cdc::config::flink {

struct FlinkKey {
  // The option's key, or a prefix such as "debezium." (matching every key under it).
  std::string_view key;
  // '|'-separated values (compared ignoring ASCII case) that mean what sluice does; "*" accepts
  // any value; "" refuses the key whatever its value.
  std::string_view accepted;
  // What sluice does instead: the end of the refusal's line.
  std::string_view instead;
};

enum class Section { pipeline, mysql_source, postgres_source, kafka_sink, doris_sink, other };

// The table of one section. `other` (sources and sinks Flink CDC has no connector of, such as
// datagen or redis) holds only the cosmetic `name`.
std::span<const FlinkKey> keys_of(Section section);

// The FlinkKey for `key` in `section`, or nullptr.
const FlinkKey* find(Section section, std::string_view key);

// True if `value` is one of `k.accepted`.
bool accepts(const FlinkKey& k, std::string_view value);

// The refusal line for `key` (as written) with `value`: "Flink CDC option 'key' ... : instead".
std::string refusal(const FlinkKey& k, std::string_view key, std::string_view value);

// For every key of `m` found in `section`'s table: makes it a known key of `m` and refuses it
// (one problem at the key's value) unless its value is accepted. Call after set_known().
void read_keys(yaml::Ctx& ctx, yaml::MapReader& m, Section section);

}  // namespace cdc::config::flink

namespace cdc::config::flink {

// A `tables` pattern in Flink CDC's syntax (an unescaped '.' separates database and table, '\.'
// is "any character": "adb.\.*") as the plain regex over "db.table" that the MySQL source
// matches ("adb\..*"). A pattern is taken as Flink's when it has both an unescaped '.' outside
// [...] that no quantifier (* + ? {) follows and a '\.': in sluice's own patterns ("shop\.(a|b)",
// "app\..*") an unescaped '.' is ".*"-like, and without a '\.' the two readings match the same
// "db.table" names ("bdb.user_table_[0-9]+": the separator is the one '.' any character matches).
// Anything else is returned unchanged.
std::string table_regex(std::string_view pattern);

}  // namespace cdc::config::flink
