// Enumerations of the pipeline section of the configuration and their YAML spellings. The
// enumerations of a source or sink are defined with its options (e.g.
// cdc/mysql/mysql_source_options.h). Pure values; thread-safe. to_string() gives the spelling
// used in YAML (kebab case, e.g. "at-least-once").
#pragma once

#include <optional>
#include <string_view>

namespace cdc::config {

// What a crash may do to the sink's data: nothing (exactly_once) or repeat changes (at_least_once).
enum class Delivery { exactly_once, at_least_once };
// Which `route:` rules an event follows: every matching one (Flink CDC's default) or the first.
enum class RouteMode { all_match, first_match };

std::string_view to_string(Delivery v);
std::string_view to_string(RouteMode v);

// Parse the YAML spelling: case-insensitive, '_' accepted for '-'. nullopt if unknown.
std::optional<Delivery> parse_delivery(std::string_view s);
std::optional<RouteMode> parse_route_mode(std::string_view s);

}  // namespace cdc::config
