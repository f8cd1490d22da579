// Private to config/: a plain tree of the YAML document with the position of every node, built
// from yaml-cpp's event API so that duplicate keys stay visible (yaml-cpp's Node keeps only one)
// and so that no yaml-cpp type leaves yaml_tree.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cdc::config::detail {

struct YamlNode {
  enum class Kind { null, scalar, sequence, mapping };
  Kind kind = Kind::null;
  int line = 0;       // 1-based
  int column = 0;     // 1-based
  std::string value;  // scalar text; for null, the spelling of an explicit null ("null", "~")
  bool plain = true;  // scalar was unquoted and untagged
  std::vector<YamlNode> items;                         // sequence items
  std::vector<std::pair<YamlNode, YamlNode>> entries;  // mapping, file order, duplicates kept
};

struct YamlSyntaxError {
  int line = 0;  // 1-based, 0 if unknown
  int column = 0;
  std::string message;
};

struct YamlParse {
  std::vector<YamlNode> documents;
  std::optional<YamlSyntaxError> error;  // documents hold what was read before it
};

// Never throws (except std::bad_alloc).
YamlParse parse_yaml(std::string_view text);

}  // namespace cdc::config::detail
