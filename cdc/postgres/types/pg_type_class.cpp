#include "cdc/postgres/types/pg_type_class.h"

#include "cdc/postgres/types/pg_builtin_types.h"

namespace cdc::postgres {

namespace {

PgClass builtin_class(uint32_t type_oid) {
  switch (type_oid) {
    case oid::kBool: return PgClass::boolean;
    case oid::kInt2: return PgClass::int2;
    case oid::kInt4: return PgClass::int4;
    case oid::kInt8: return PgClass::int8;
    case oid::kOid: return PgClass::oid;
    case oid::kFloat4: return PgClass::float4;
    case oid::kFloat8: return PgClass::float8;
    case oid::kNumeric: return PgClass::numeric;
    case oid::kMoney: return PgClass::money;
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kChar: return PgClass::text;
    case oid::kBytea: return PgClass::bytea;
    case oid::kUuid: return PgClass::uuid;
    case oid::kDate: return PgClass::date;
    case oid::kTime: return PgClass::time;
    case oid::kTimetz: return PgClass::timetz;
    case oid::kTimestamp: return PgClass::timestamp;
    case oid::kTimestamptz: return PgClass::timestamptz;
    case oid::kInterval: return PgClass::interval;
    case oid::kJson: return PgClass::json;
    case oid::kJsonb: return PgClass::jsonb;
    case oid::kXml: return PgClass::xml;
    case oid::kInet: return PgClass::inet;
    case oid::kCidr: return PgClass::cidr;
    case oid::kMacaddr: return PgClass::macaddr;
    case oid::kMacaddr8: return PgClass::macaddr8;
    case oid::kBit: return PgClass::bit;
    case oid::kVarbit: return PgClass::varbit;
    case oid::kPoint: return PgClass::point;
    case oid::kLine:
    case oid::kLseg:
    case oid::kBox:
    case oid::kPath:
    case oid::kPolygon:
    case oid::kCircle: return PgClass::geometric;
    default: return PgClass::other;
  }
}

}  // namespace

bool is_pg_array(const PgTypeInfo& info) {
  return info.typtype == 'b' && info.category == 'A' && info.element_oid != 0 &&
         !info.name.empty() && info.name[0] == '_';
}

Result<PgResolved> resolve_pg_type(const PgTypeRegistry& registry, uint32_t type_oid,
                                   int32_t typmod) {
  constexpr int kMaxDomainDepth = 32;
  PgResolved r;
  r.typmod = typmod;
  for (int depth = 0;; ++depth) {
    r.info = registry.find(type_oid);
    if (r.info == nullptr) {
      return make_error(Errc::unsupported, "type oid " + std::to_string(type_oid) +
                                               " is not known (not read from pg_type)");
    }
    if (r.info->typtype != 'd') break;
    if (depth == kMaxDomainDepth) {
      return make_error(Errc::unsupported, "domain " + r.info->name + " nested deeper than 32");
    }
    type_oid = r.info->base_oid;
    r.typmod = r.info->base_typmod;
  }
  switch (r.info->typtype) {
    case 'e': r.cls = PgClass::enumeration; break;
    case 'c': r.cls = PgClass::composite; break;
    case 'r': r.cls = PgClass::range; break;
    case 'm': r.cls = PgClass::multirange; break;
    default:
      if (is_pg_array(*r.info)) {
        r.cls = PgClass::array;
      } else if (r.info->schema == "pg_catalog") {
        r.cls = builtin_class(r.info->oid);
      } else if (r.info->name == "citext") {  // the extension's type: case-insensitive text
        r.cls = PgClass::text;
      } else {
        r.cls = PgClass::other;
      }
  }
  return r;
}

}  // namespace cdc::postgres
