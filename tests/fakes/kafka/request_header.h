// The request header that starts every Kafka request (protocol guide, "Headers"): v1 for
// non-flexible versions, v2 (v1 + TAG_BUFFER, KIP-482) for flexible ones. The size prefix is
// already stripped by the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cdc/core/byte_reader.h"
#include "cdc/core/result.h"

namespace cdc::testing::kafka {

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
};

// Reads the header and leaves `r` at the request body. ApiVersions v3+ is the only flexible
// request the broker parses (KIP-511: its header is v2); every other flexible request is
// refused by version before its body is read, so a v1 header suffices for the rest.
Result<RequestHeader> decode_request_header(ByteReader& r);

}  // namespace cdc::testing::kafka
