#include "cdc/mysql/binlog/binlog_event.h"

#include "cdc/mysql/binlog/event_type.h"

namespace cdc::mysql {

namespace {
template <class T>
Result<EventBody> wrap(Result<T> r) {
  if (!r) return std::move(r).error();
  return EventBody(std::move(r).value());
}
}  // namespace

Result<EventBody> decode_event_body(uint8_t type, std::span<const std::byte> body,
                                    const DecodeContext& ctx) {
  if (is_rows_event(type)) return wrap(decode_rows_event(type, body, ctx));
  switch (static_cast<EventType>(type)) {
    case EventType::stop: return EventBody(StopEvent{});
    case EventType::rotate: return wrap(decode_rotate(body, ctx));
    case EventType::query: return wrap(decode_query(body, ctx));
    case EventType::xid: return wrap(decode_xid(body, ctx));
    case EventType::table_map: return wrap(decode_table_map(body, ctx));
    case EventType::transaction_payload: return wrap(decode_transaction_payload(body, ctx));
    case EventType::mariadb_gtid: return wrap(decode_mariadb_gtid(body, ctx));
    case EventType::gtid_list: return wrap(decode_gtid_list(body, ctx));
    case EventType::binlog_checkpoint: return wrap(decode_binlog_checkpoint(body, ctx));
    case EventType::annotate_rows: return wrap(decode_annotate_rows(body, ctx));
    case EventType::rows_query: return wrap(decode_rows_query(body, ctx));
    case EventType::heartbeat: return wrap(decode_heartbeat(body, ctx));
    case EventType::gtid: return wrap(decode_mysql_gtid(body, ctx, /*anonymous=*/false));
    case EventType::anonymous_gtid: return wrap(decode_mysql_gtid(body, ctx, /*anonymous=*/true));
    case EventType::previous_gtids: return wrap(decode_previous_gtids(body, ctx));
    case EventType::gtid_tagged: return wrap(decode_mysql_tagged_gtid(body, ctx));
    case EventType::intvar: return wrap(decode_intvar(body, ctx));
    case EventType::rand: return wrap(decode_rand(body, ctx));
    case EventType::user_var: return wrap(decode_user_var(body, ctx));
    case EventType::begin_load_query:
    case EventType::append_block:
    case EventType::delete_file: return wrap(decode_load_block(type, body, ctx));
    case EventType::execute_load_query: return wrap(decode_execute_load_query(body, ctx));
    case EventType::format_description:
      return make_error(Errc::internal, "FORMAT_DESCRIPTION must be decoded from the raw event");
    default: break;
  }
  std::string why = "binlog event type " + describe_event_type(type) + " is not supported";
  switch (static_cast<EventType>(type)) {
    case EventType::incident: why += " (the server logged an incident: replicas must stop)"; break;
    case EventType::query_compressed:
    case EventType::write_rows_compressed:
    case EventType::update_rows_compressed:
    case EventType::delete_rows_compressed:
    case EventType::write_rows_compressed_v1:
    case EventType::update_rows_compressed_v1:
    case EventType::delete_rows_compressed_v1:
      why += " here (MariaDB compressed events are inflated first: mariadb_compressed.h)";
      break;
    default: break;
  }
  return make_error(Errc::unsupported, std::move(why));
}

Result<BinlogEvent> decode_event(std::span<const std::byte> raw, const DecodeContext& ctx) {
  CDC_TRY_ASSIGN(EventHeader header, decode_event_header(raw));
  if (header.type == static_cast<uint8_t>(EventType::format_description)) {
    CDC_TRY_ASSIGN(auto fde, decode_format_description(raw));
    return BinlogEvent{header, std::move(fde)};
  }
  CDC_TRY_ASSIGN(auto stripped, strip_checksum(raw, ctx.checksum));
  if (stripped.size() < ctx.header_length) {
    return make_error(Errc::truncated, "event shorter than the FDE header length");
  }
  auto body = decode_event_body(header.type, event_body(stripped, ctx), ctx);
  if (!body && body.error().code == Errc::unsupported &&
      (header.flags & kLogEventIgnorableFlag) != 0 &&
      header.type != static_cast<uint8_t>(EventType::incident)) {
    return BinlogEvent{header, IgnorableEvent{header.type}};
  }
  if (!body) return std::move(body).error();
  return BinlogEvent{header, std::move(*body)};
}

}  // namespace cdc::mysql
