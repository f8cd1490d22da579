#include "tests/fakes/kafka/request_header.h"

#include "tests/fakes/kafka/api.h"
#include "tests/fakes/kafka/kafka_codec.h"

namespace cdc::testing::kafka {

Result<RequestHeader> decode_request_header(ByteReader& r) {
  RequestHeader h;
  h.api_key = read_i16(r);
  h.api_version = read_i16(r);
  h.correlation_id = read_i32(r);
  h.client_id = read_nullable_string(r);
  if (h.api_key == static_cast<int16_t>(ApiKey::api_versions) && h.api_version >= 3) {
    skip_tagged_fields(r);
  }
  if (auto st = r.finish(/*allow_trailing=*/true); !st) {
    return std::move(st).error().with_context("request header");
  }
  return h;
}

}  // namespace cdc::testing::kafka
