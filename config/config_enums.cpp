#include "config/config_enums.h"

#include "cdc/core/enum_names.h"

namespace cdc::config {
namespace {

constexpr EnumNames<RouteMode, 2> kRouteModes{{
    {RouteMode::all_match, "all-match"},
    {RouteMode::first_match, "first-match"},
}};
constexpr EnumNames<Delivery, 2> kDeliveries{{
    {Delivery::exactly_once, "exactly-once"},
    {Delivery::at_least_once, "at-least-once"},
}};

}  // namespace

std::string_view to_string(Delivery v) { return enum_name(kDeliveries, v); }
std::string_view to_string(RouteMode v) { return enum_name(kRouteModes, v); }
std::optional<Delivery> parse_delivery(std::string_view s) { return enum_value(kDeliveries, s); }
std::optional<RouteMode> parse_route_mode(std::string_view s) { return enum_value(kRouteModes, s); }

}  // namespace cdc::config
