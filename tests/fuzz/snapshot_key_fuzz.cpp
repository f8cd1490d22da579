// Fuzz target snapshot_key: decode_key() (cdc/snapshot/snapshot_key.h), the last delivered key
// of a snapshot stored in every checkpoint taken while a snapshot reads. A decoded key must
// re-encode to exactly the input, and ordering it against itself must not crash.
#include <string>

#include "cdc/snapshot/snapshot_key.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  auto key = snapshot::decode_key(in);
  if (!key) {
    FUZZ_CHECK(fuzz::is_bad_bytes_error(key.error()), "decode_key: non-decode error code");
    return 0;
  }
  FUZZ_CHECK(snapshot::encode_key(*key) == in, "encode_key(decode_key(x)) != x");
  TableSchema schema;
  schema.id = {"db", "t"};
  for (size_t i = 0; i < key->size(); ++i) {
    Column c;
    c.name = "k" + std::to_string(i);
    c.kind = (*key)[i].kind;
    schema.primary_key.push_back(static_cast<uint32_t>(schema.columns.size()));
    schema.columns.push_back(c);
  }
  auto order = snapshot::compare_keys(schema, *key, *key);
  FUZZ_CHECK(!order || *order == 0, "a key differs from itself");
  return 0;
}
