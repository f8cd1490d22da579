#include "cdc/postgres/postgres_source_options.h"

#include "cdc/core/enum_names.h"

namespace cdc::postgres {
namespace {

constexpr EnumNames<StartupMode, 4> kStartupModes{{
    {StartupMode::initial, "initial"},
    {StartupMode::snapshot, "snapshot"},
    {StartupMode::latest_offset, "latest-offset"},
    {StartupMode::committed_offset, "committed-offset"},
}};
constexpr EnumNames<SslMode, 6> kSslModes{{
    {SslMode::disable, "disable"},
    {SslMode::allow, "allow"},
    {SslMode::prefer, "prefer"},
    {SslMode::require, "require"},
    {SslMode::verify_ca, "verify-ca"},
    {SslMode::verify_full, "verify-full"},
}};
constexpr EnumNames<DecimalHandling, 3> kDecimalHandling{{
    {DecimalHandling::precise, "precise"},
    {DecimalHandling::string, "string"},
    {DecimalHandling::double_, "double"},
}};
constexpr EnumNames<TemporalInfinity, 2> kTemporalInfinity{{
    {TemporalInfinity::fail, "fail"},
    {TemporalInfinity::null, "null"},
}};

}  // namespace

std::string_view to_string(StartupMode v) { return enum_name(kStartupModes, v); }
std::string_view to_string(SslMode v) { return enum_name(kSslModes, v); }
std::optional<StartupMode> parse_startup_mode(std::string_view s) {
  return enum_value(kStartupModes, s);
}
std::optional<SslMode> parse_ssl_mode(std::string_view s) { return enum_value(kSslModes, s); }
std::optional<DecimalHandling> parse_decimal_handling(std::string_view s) {
  return enum_value(kDecimalHandling, s);
}
std::optional<TemporalInfinity> parse_temporal_infinity(std::string_view s) {
  return enum_value(kTemporalInfinity, s);
}

}  // namespace cdc::postgres
