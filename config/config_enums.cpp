#include "config/config_enums.h"

#include <array>
#include <string>
#include <utility>

#include "config/datagen_source_options.h"
#include "config/redis_sink_options.h"

namespace cdc::config {
namespace {

template <class E, size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E v) {
  for (const auto& [e, name] : table) {
    if (e == v) return name;
  }
  return "unknown";
}

// Case-insensitive, with '_' read as '-'.
template <class E, size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view s) {
  std::string norm(s);
  for (char& c : norm) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '_') c = '-';
  }
  for (const auto& [e, name] : table) {
    if (name == norm) return e;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<ValueFormat, std::string_view>, 3> kFormats{{
    {ValueFormat::debezium_json, "debezium-json"},
    {ValueFormat::upsert, "upsert"},
    {ValueFormat::canal_json, "canal-json"},
}};
constexpr std::array<std::pair<RouteMode, std::string_view>, 2> kRouteModes{{
    {RouteMode::all_match, "all-match"},
    {RouteMode::first_match, "first-match"},
}};

constexpr std::array<std::pair<Delivery, std::string_view>, 2> kDeliveries{{
    {Delivery::exactly_once, "exactly-once"},
    {Delivery::at_least_once, "at-least-once"},
}};
constexpr std::array<std::pair<StartupMode, std::string_view>, 6> kModes{{
    {StartupMode::initial, "initial"},
    {StartupMode::snapshot, "snapshot"},
    {StartupMode::latest_offset, "latest-offset"},
    {StartupMode::earliest_offset, "earliest-offset"},
    {StartupMode::specific_offset, "specific-offset"},
    {StartupMode::timestamp, "timestamp"},
}};
constexpr std::array<std::pair<SslMode, std::string_view>, 5> kSsl{{
    {SslMode::disabled, "disabled"},
    {SslMode::preferred, "preferred"},
    {SslMode::required, "required"},
    {SslMode::verify_ca, "verify-ca"},
    {SslMode::verify_identity, "verify-identity"},
}};

constexpr std::array<std::pair<UnparseableDdl, std::string_view>, 2> kUnparseableDdl{{
    {UnparseableDdl::stop, "stop"},
    {UnparseableDdl::resync, "resync"},
}};
constexpr std::array<std::pair<GeometryFormat, std::string_view>, 2> kGeometryFormats{{
    {GeometryFormat::wkb, "wkb"},
    {GeometryFormat::wkt, "wkt"},
}};
constexpr std::array<std::pair<RedisMode, std::string_view>, 4> kRedisModes{{
    {RedisMode::string, "string"},
    {RedisMode::hash, "hash"},
    {RedisMode::invalidate, "invalidate"},
    {RedisMode::stream, "stream"},
}};
constexpr std::array<std::pair<RedisNullKey, std::string_view>, 2> kRedisNullKeys{{
    {RedisNullKey::error, "error"},
    {RedisNullKey::skip, "skip"},
}};

}  // namespace

std::string_view to_string(ValueFormat v) { return name_of(kFormats, v); }
std::string_view to_string(Delivery v) { return name_of(kDeliveries, v); }
std::string_view to_string(RouteMode v) { return name_of(kRouteModes, v); }
std::string_view to_string(StartupMode v) { return name_of(kModes, v); }
std::string_view to_string(SslMode v) { return name_of(kSsl, v); }
std::string_view to_string(UnparseableDdl v) { return name_of(kUnparseableDdl, v); }
std::string_view to_string(GeometryFormat v) { return name_of(kGeometryFormats, v); }
std::string_view to_string(DatagenColumn::Kind k) {
  return k == DatagenColumn::Kind::sequence ? "sequence" : "random";
}

std::optional<ValueFormat> parse_value_format(std::string_view s) { return value_of(kFormats, s); }
std::optional<Delivery> parse_delivery(std::string_view s) { return value_of(kDeliveries, s); }
std::optional<RouteMode> parse_route_mode(std::string_view s) { return value_of(kRouteModes, s); }
std::optional<StartupMode> parse_startup_mode(std::string_view s) { return value_of(kModes, s); }
std::optional<SslMode> parse_ssl_mode(std::string_view s) { return value_of(kSsl, s); }
std::optional<UnparseableDdl> parse_unparseable_ddl(std::string_view s) { return value_of(kUnparseableDdl, s); }
std::optional<GeometryFormat> parse_geometry_format(std::string_view s) {
  return value_of(kGeometryFormats, s);
}
std::string_view to_string(RedisMode v) { return name_of(kRedisModes, v); }
std::optional<RedisMode> parse_redis_mode(std::string_view s) { return value_of(kRedisModes, s); }
std::optional<RedisNullKey> parse_redis_null_key(std::string_view s) {
  return value_of(kRedisNullKeys, s);
}

}  // namespace cdc::config
