// Fuzz target pgoutput: decode_pgoutput (cdc/postgres/pgoutput/pgoutput_decoder.h) and
// decode_copy_data (cdc/postgres/protocol/replication_message.h), the two parsers of what a
// PostgreSQL walsender sends. Input: one flag byte (bit 0: inside a streamed segment, bit 1: the
// rest is a whole CopyData message whose XLogData payload is then decoded too), then the bytes.
#include <string>
#include <variant>

#include "cdc/postgres/pgoutput/pgoutput_decoder.h"
#include "cdc/postgres/protocol/replication_message.h"
#include "tests/fuzz/fuzz_util.h"

using namespace cdc;
using namespace cdc::postgres;
using namespace cdc::fuzz;

namespace {

void check_tuple(const TupleData& t, std::span<const std::byte> buf) {
  for (const auto& c : t.columns) {
    FUZZ_CHECK(c.kind == 'n' || c.kind == 'u' || c.kind == 't' || c.kind == 'b', "column kind");
    FUZZ_CHECK(within(c.data, buf), "tuple value outside the message");
  }
}

void decode_one(std::span<const std::byte> msg, bool in_stream) {
  auto r = decode_pgoutput(msg, PgoutputContext{in_stream}, Lsn{0x1234});
  if (!r) {
    FUZZ_CHECK(is_bad_bytes_error(r.error()), "decode_pgoutput: unexpected error code");
    FUZZ_CHECK(r.error().message.find("0/1234") != std::string::npos, "error without the LSN");
    return;
  }
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, InsertMessage>) check_tuple(m.new_tuple, msg);
        if constexpr (std::is_same_v<M, UpdateMessage>) {
          check_tuple(m.old_tuple, msg);
          check_tuple(m.new_tuple, msg);
        }
        if constexpr (std::is_same_v<M, DeleteMessage>) check_tuple(m.old_tuple, msg);
        if constexpr (std::is_same_v<M, RelationMessage>) {
          FUZZ_CHECK(within(m.nspname, msg) && within(m.relname, msg), "relation names");
          for (const auto& c : m.columns) FUZZ_CHECK(within(c.name, msg), "column name");
        }
        if constexpr (std::is_same_v<M, LogicalMessage>) {
          FUZZ_CHECK(within(m.content, msg), "message content");
        }
      },
      *r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  const auto rest = bytes_of(data + 1, size - 1);
  const bool in_stream = (flags & 1) != 0;
  if ((flags & 2) == 0) {
    decode_one(rest, in_stream);
    return 0;
  }
  auto cd = decode_copy_data(rest);
  if (!cd) {
    FUZZ_CHECK(is_bad_bytes_error(cd.error()), "decode_copy_data: unexpected error code");
    return 0;
  }
  if (const auto* x = std::get_if<XLogData>(&*cd)) {
    FUZZ_CHECK(within(x->payload, rest), "XLogData payload outside the message");
    decode_one(x->payload, in_stream);
  }
  return 0;
}
