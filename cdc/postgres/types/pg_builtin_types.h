// The built-in type table (pg_builtin_types.cpp) and the oids the conversion names.
#pragma once

#include <cstdint>
#include <span>

namespace cdc::postgres {

struct BuiltinType {
  uint32_t oid;
  const char* name;
  char typtype;
  char category;
  uint32_t element_oid;
  uint32_t range_subtype;
};

std::span<const BuiltinType> builtin_types();

// Fixed oids of pg_catalog (src/include/catalog/pg_type.dat).
namespace oid {
inline constexpr uint32_t kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21,
                          kInt4 = 23, kText = 25, kOid = 26, kJson = 114, kXml = 142, kPoint = 600,
                          kLseg = 601, kPath = 602, kBox = 603, kPolygon = 604, kLine = 628,
                          kCidr = 650, kFloat4 = 700, kFloat8 = 701, kCircle = 718, kMacaddr8 = 774,
                          kMoney = 790, kMacaddr = 829, kInet = 869, kBpchar = 1042,
                          kVarchar = 1043, kDate = 1082, kTime = 1083, kTimestamp = 1114,
                          kTimestamptz = 1184, kInterval = 1186, kTimetz = 1266, kBit = 1560,
                          kVarbit = 1562, kNumeric = 1700, kUuid = 2950, kJsonb = 3802;
}  // namespace oid

}  // namespace cdc::postgres
