#include "cdc/mysql/binlog/statement_events.h"

#include <algorithm>
#include <string>

#include "cdc/core/byte_reader.h"
#include "cdc/mysql/binlog/event_type.h"

namespace cdc::mysql {

namespace {

// A post-header of `type` as the FDE declares it (0 when it does not), skipped but for the
// bytes `need` the decoder reads from it.
Result<ByteReader> post_header(ByteReader& r, const DecodeContext& ctx, uint8_t type, size_t need,
                               const char* what) {
  const size_t ph = std::max<size_t>(ctx.post_header(type), need);
  if (r.remaining() < ph) {
    return make_error(Errc::truncated,
                      std::string(what) + " post-header needs " + std::to_string(ph) + " bytes");
  }
  return r.sub(ph);
}

}  // namespace

Result<IntvarEvent> decode_intvar(std::span<const std::byte> body, const DecodeContext& ctx) {
  ByteReader r(body);
  CDC_TRY_ASSIGN(ByteReader post, post_header(r, ctx, code(EventType::intvar), 0, "INTVAR"));
  CDC_TRY(post.finish(/*allow_trailing=*/true));
  IntvarEvent ev;
  ev.kind = r.u8();
  ev.value = r.u64le();
  CDC_TRY(r.finish());
  if (ev.kind != IntvarEvent::last_insert_id && ev.kind != IntvarEvent::insert_id) {
    return make_error(Errc::malformed, "INTVAR of unknown kind " + std::to_string(ev.kind));
  }
  return ev;
}

Result<RandEvent> decode_rand(std::span<const std::byte> body, const DecodeContext& ctx) {
  ByteReader r(body);
  CDC_TRY_ASSIGN(ByteReader post, post_header(r, ctx, code(EventType::rand), 0, "RAND"));
  CDC_TRY(post.finish(/*allow_trailing=*/true));
  RandEvent ev;
  ev.seed1 = r.u64le();
  ev.seed2 = r.u64le();
  CDC_TRY(r.finish());
  return ev;
}

Result<UserVarEvent> decode_user_var(std::span<const std::byte> body, const DecodeContext& ctx) {
  ByteReader r(body);
  CDC_TRY_ASSIGN(ByteReader post, post_header(r, ctx, code(EventType::user_var), 0, "USER_VAR"));
  CDC_TRY(post.finish(/*allow_trailing=*/true));
  UserVarEvent ev;
  const uint32_t name_len = r.u32le();
  ev.name = r.string(name_len);  // fails closed past the end
  ev.is_null = r.u8() != 0;
  if (!ev.is_null) {
    ev.value_type = r.u8();
    ev.charset = r.u32le();
    const uint32_t value_len = r.u32le();
    ev.value = r.bytes(value_len);
    // MySQL 5.6+ and MariaDB 10.0+ add a flags byte; MySQL 8 may add more after it.
    if (r.ok() && r.remaining() > 0) ev.flags = r.u8();
  }
  CDC_TRY(r.finish(/*allow_trailing=*/true));
  if (ev.name.empty()) return make_error(Errc::malformed, "USER_VAR without a variable name");
  return ev;
}

Result<LoadBlockEvent> decode_load_block(uint8_t type, std::span<const std::byte> body,
                                         const DecodeContext& ctx) {
  ByteReader r(body);
  const char* what = event_type_name(type).data();
  CDC_TRY_ASSIGN(ByteReader post, post_header(r, ctx, type, 4, what));
  LoadBlockEvent ev;
  ev.type = type;
  ev.file_id = post.u32le();
  CDC_TRY(post.finish(/*allow_trailing=*/true));
  if (type == code(EventType::delete_file)) {
    CDC_TRY(r.finish());
  } else {
    ev.data = r.bytes(r.remaining());
  }
  return ev;
}

Result<ExecuteLoadQueryEvent> decode_execute_load_query(std::span<const std::byte> body,
                                                        const DecodeContext& ctx) {
  ExecuteLoadQueryEvent ev;
  const uint8_t ph =
      std::max(ctx.post_header(EventType::execute_load_query), kExecuteLoadQueryPostHeaderLength);
  const auto load_fields = [&ev](ByteReader& p) {
    ev.file_id = p.u32le();
    ev.fn_pos_start = p.u32le();
    ev.fn_pos_end = p.u32le();
    ev.dup_handling = p.u8();
  };
  CDC_TRY_ASSIGN(ev.query, decode_query_shaped(body, ph, "EXECUTE_LOAD_QUERY", load_fields));
  if (ev.fn_pos_start > ev.fn_pos_end || ev.fn_pos_end > ev.query.statement.size()) {
    return make_error(Errc::malformed, "EXECUTE_LOAD_QUERY file name at " +
                                           std::to_string(ev.fn_pos_start) + ".." +
                                           std::to_string(ev.fn_pos_end) + " of a statement of " +
                                           std::to_string(ev.query.statement.size()) + " bytes");
  }
  return ev;
}

}  // namespace cdc::mysql
