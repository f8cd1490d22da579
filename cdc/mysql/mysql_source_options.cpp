#include "cdc/mysql/mysql_source_options.h"

#include "cdc/core/enum_names.h"

namespace cdc::mysql {
namespace {

constexpr EnumNames<StartupMode, 6> kStartupModes{{
    {StartupMode::initial, "initial"},
    {StartupMode::snapshot, "snapshot"},
    {StartupMode::latest_offset, "latest-offset"},
    {StartupMode::earliest_offset, "earliest-offset"},
    {StartupMode::specific_offset, "specific-offset"},
    {StartupMode::timestamp, "timestamp"},
}};
constexpr EnumNames<TlsMode, 5> kTlsModes{{
    {TlsMode::disabled, "disabled"},
    {TlsMode::preferred, "preferred"},
    {TlsMode::required, "required"},
    {TlsMode::verify_ca, "verify-ca"},
    {TlsMode::verify_identity, "verify-identity"},
}};
constexpr EnumNames<UnparseableDdl, 2> kUnparseableDdl{{
    {UnparseableDdl::stop, "stop"},
    {UnparseableDdl::resync, "resync"},
}};
constexpr EnumNames<StatementEvents, 2> kStatementEvents{{
    {StatementEvents::fail, "fail"},
    {StatementEvents::warn, "warn"},
}};
constexpr EnumNames<GeometryFormat, 2> kGeometryFormats{{
    {GeometryFormat::wkb, "wkb"},
    {GeometryFormat::wkt, "wkt"},
}};
constexpr EnumNames<CharsetInvalid, 2> kCharsetInvalid{{
    {CharsetInvalid::fail, "fail"},
    {CharsetInvalid::replace, "replace"},
}};

}  // namespace

std::string_view to_string(StartupMode v) { return enum_name(kStartupModes, v); }
std::string_view to_string(TlsMode v) { return enum_name(kTlsModes, v); }
std::string_view to_string(UnparseableDdl v) { return enum_name(kUnparseableDdl, v); }
std::string_view to_string(StatementEvents v) { return enum_name(kStatementEvents, v); }
std::string_view to_string(GeometryFormat v) { return enum_name(kGeometryFormats, v); }
std::string_view to_string(CharsetInvalid v) { return enum_name(kCharsetInvalid, v); }
std::optional<StartupMode> parse_startup_mode(std::string_view s) {
  return enum_value(kStartupModes, s);
}
std::optional<TlsMode> parse_tls_mode(std::string_view s) { return enum_value(kTlsModes, s); }
std::optional<UnparseableDdl> parse_unparseable_ddl(std::string_view s) {
  return enum_value(kUnparseableDdl, s);
}
std::optional<StatementEvents> parse_statement_events(std::string_view s) {
  return enum_value(kStatementEvents, s);
}
std::optional<GeometryFormat> parse_geometry_format(std::string_view s) {
  return enum_value(kGeometryFormats, s);
}
std::optional<CharsetInvalid> parse_charset_invalid(std::string_view s) {
  return enum_value(kCharsetInvalid, s);
}

}  // namespace cdc::mysql
