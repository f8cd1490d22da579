// Enumerations of the pipeline configuration and their YAML spellings. Pure values; thread-safe.
// to_string() gives the spelling used in YAML (kebab case, e.g. "latest-offset").
#pragma once

#include <optional>
#include <string_view>

namespace cdc::config {

// Encoding of the record value written to the sink.
enum class ValueFormat { debezium_json, upsert, canal_json };
// What a crash may do to the sink's data: nothing (exactly_once) or repeat changes (at_least_once).
enum class Delivery { exactly_once, at_least_once };
// Where a source starts reading when the state store holds no checkpoint for the pipeline.
enum class StartupMode { initial, snapshot, latest_offset, earliest_offset, specific_offset, timestamp };
// TLS towards the source database, with MySQL's meanings.
enum class SslMode { disabled, preferred, required, verify_ca, verify_identity };
// Which `route:` rules an event follows: every matching one (Flink CDC's default) or the first.
enum class RouteMode { all_match, first_match };
// `schema.unparseable-ddl` of the MySQL source.
enum class UnparseableDdl { stop, resync };
// `geometry.format` of the MySQL source: GEOMETRY values as OGC WKB bytes or WKT text.
enum class GeometryFormat { wkb, wkt };

std::string_view to_string(ValueFormat v);
std::string_view to_string(Delivery v);
std::string_view to_string(StartupMode v);
std::string_view to_string(SslMode v);
std::string_view to_string(RouteMode v);
std::string_view to_string(UnparseableDdl v);
std::string_view to_string(GeometryFormat v);

// Parse the YAML spelling: case-insensitive, '_' accepted for '-'. nullopt if unknown.
std::optional<ValueFormat> parse_value_format(std::string_view s);
std::optional<Delivery> parse_delivery(std::string_view s);
std::optional<StartupMode> parse_startup_mode(std::string_view s);
std::optional<SslMode> parse_ssl_mode(std::string_view s);
std::optional<RouteMode> parse_route_mode(std::string_view s);
std::optional<UnparseableDdl> parse_unparseable_ddl(std::string_view s);
std::optional<GeometryFormat> parse_geometry_format(std::string_view s);

}  // namespace cdc::config
