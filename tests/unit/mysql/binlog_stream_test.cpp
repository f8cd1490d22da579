// BinlogStream (the source's state machine without the network) on a MySQL 8 compressed
// transaction: the FORMAT_DESCRIPTION and ANONYMOUS_GTID of the 8.0.28 capture, then a
// TRANSACTION_PAYLOAD built here (ZSTD, CRC32) around BEGIN and XID from the capture and a
// TABLE_MAP (binlog_row_metadata=FULL), WRITE_ROWS_V2, PARTIAL_UPDATE_ROWS and DELETE_ROWS_V2
// built by hand. Checks: rows inside the payload become change events exactly like uncompressed
// ones, the resume position after every batch, resuming from each of them delivers exactly the
// rest, and errors inside a payload name the event, the file and the position.
#include <doctest/doctest.h>

#include <zlib.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "cdc/mysql/binlog/transaction_payload.h"
#include "cdc/mysql/binlog_stream.h"
#include "tests/unit/mysql/binlog/json_test_util.h"
#include "tests/unit/mysql/binlog_bytes.h"
#include "tests/unit/mysql/binlog_test_util.h"

namespace cdc::mysql {
namespace {

using testing::load_fixture;
using testing::split_events;
using namespace testing;

constexpr uint64_t kPayloadAt = 236;  // where the capture has its payload too
const std::string kFile = "mysql-bin.000004";

// A position in kFile, no GTIDs (the capture's transactions are anonymous).
MysqlPosition at(uint64_t offset, uint64_t events_to_skip = 0, uint64_t rows_to_skip = 0) {
  MysqlPosition p;
  p.binlog.file = kFile;
  p.binlog.offset = offset;
  p.events_to_skip = events_to_skip;
  p.rows_to_skip = rows_to_skip;
  return p;
}

void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

// A v4 event: header (log_pos 0, as inside a payload) + body, no checksum.
Bytes inner_event(uint8_t type, const Bytes& body) {
  return v4_event(type, body, {.log_pos = 0, .server_id = 223344, .timestamp = 1646406641});
}

// TABLE_MAP demo.t (id INT, doc JSON) with column names and signedness (binlog_row_metadata=FULL).
Bytes table_map() { return inner_event(19, two_column_table_map(100, "demo", "t", 245, 4, "doc")); }

Bytes rows_header(uint8_t type) { return two_column_rows_header(100, type); }
void put_row(Bytes& b, int32_t id, const J& json) {
  b.push_back(std::byte{0});  // nulls
  put_int(b, static_cast<uint32_t>(id), 4);
  const auto d = doc(json);
  put_int(b, d.size(), 4);
  append(b, d);
}
Bytes diff(const std::string& path, const J& value) {
  Bytes d{std::byte{0}, static_cast<std::byte>(path.size())};
  put_str(d, path);
  const auto v = doc(value);
  d.push_back(static_cast<std::byte>(v.size()));
  append(d, v);
  return d;
}

Bytes write_rows() {
  Bytes b = rows_header(30);
  for (int id = 1; id <= 3; ++id) put_row(b, id, obj({{"k", i16(static_cast<int16_t>(id * 10))}}));
  return inner_event(30, b);
}
// Row 2: doc.k 20 -> 21 as a diff.
Bytes partial_update(const std::string& path) {
  Bytes b = rows_header(39);
  put_row(b, 2, obj({{"k", i16(20)}}));
  b.push_back(std::byte{1});     // value_options: PARTIAL_JSON_UPDATES
  b.push_back(std::byte{0x01});  // the JSON column is partial
  b.push_back(std::byte{0});     // nulls
  put_int(b, 2, 4);
  const auto d = diff(path, i16(21));
  put_int(b, d.size(), 4);
  append(b, d);
  return inner_event(39, b);
}
// Row 2 as MySQL writes it with binlog_row_image=MINIMAL: the before image holds the key only,
// so the diff has no document to apply to.
Bytes partial_update_minimal() {
  Bytes b = rows_header(39);
  b[b.size() - 2] = std::byte{0x01};  // before image: id
  b.push_back(std::byte{0});          // nulls
  put_int(b, 2, 4);
  b.push_back(std::byte{1});     // value_options: PARTIAL_JSON_UPDATES
  b.push_back(std::byte{0x01});  // the JSON column is partial
  b.push_back(std::byte{0});     // nulls
  put_int(b, 2, 4);
  const auto d = diff("$.k", i16(21));
  put_int(b, d.size(), 4);
  append(b, d);
  return inner_event(39, b);
}
Bytes delete_rows() {
  Bytes b = rows_header(32);
  put_row(b, 1, obj({{"k", i16(10)}}));
  put_row(b, 3, obj({{"k", i16(30)}}));
  return inner_event(32, b);
}

struct Stream {
  Bytes file = load_fixture("mysql/mysql-binlog-connector-java/mysql-bin.compressed");
  std::vector<testing::RawEvent> capture = split_events(file);
  Bytes inner;    // uncompressed payload
  Bytes payload;  // the TRANSACTION_PAYLOAD event, CRC32 included
  uint64_t payload_end = 0;

  explicit Stream(const std::string& partial_path = "$.k", bool corrupt = false,
                  bool second_txn = false, bool minimal_before = false) {
    // BEGIN and XID from the capture's own payload.
    auto stripped = strip_checksum(capture[3].bytes, ChecksumAlg::crc32);
    REQUIRE(stripped);
    auto tp = decode_transaction_payload(stripped->subspan(19), DecodeContext{});
    REQUIRE(tp);
    auto original = decompress_transaction_payload(*tp, 1 << 20);
    REQUIRE(original);
    const Bytes begin(original->begin(), original->begin() + 76);
    const Bytes xid(original->end() - 27, original->end());
    for (const auto& ev : {begin, table_map(), write_rows(),
                           minimal_before ? partial_update_minimal() : partial_update(partial_path),
                           delete_rows(), xid}) {
      append(inner, ev);
    }
    if (second_txn) append(inner, begin);
    Bytes packed(ZSTD_compressBound(inner.size()));
    packed.resize(ZSTD_compress(packed.data(), packed.size(), inner.data(), inner.size(), 3));
    if (corrupt) packed[0] ^= std::byte{0xff};
    Bytes body;
    body.push_back(std::byte{2});  // compression: ZSTD
    body.push_back(std::byte{1});
    body.push_back(std::byte{0});
    body.push_back(std::byte{3});  // uncompressed size
    body.push_back(std::byte{3});
    body.push_back(std::byte{0xfc});
    put_int(body, inner.size(), 2);
    body.push_back(std::byte{1});  // payload size
    body.push_back(std::byte{3});
    body.push_back(std::byte{0xfc});
    put_int(body, packed.size(), 2);
    body.push_back(std::byte{0});
    append(body, packed);
    const size_t size = 19 + body.size() + 4;
    payload_end = kPayloadAt + size;
    put_int(payload, 1646406641, 4);
    payload.push_back(std::byte{40});
    put_int(payload, 223344, 4);
    put_int(payload, size, 4);
    put_int(payload, payload_end, 4);
    put_int(payload, 0, 2);
    append(payload, body);
    put_int(payload, crc32(0, reinterpret_cast<const Bytef*>(payload.data()), payload.size()), 4);
  }

  // What the server sends for a dump from 4 (FDE, PREVIOUS_GTIDS, GTID, payload) or from the
  // GTID event at 157 (the FDE first, as a dump always starts with it).
  std::vector<std::span<const std::byte>> events(uint64_t from) const {
    std::vector<std::span<const std::byte>> out{capture[0].bytes};
    if (from <= 126) out.push_back(capture[1].bytes);
    if (from <= 157) out.push_back(capture[2].bytes);
    out.push_back(payload);
    return out;
  }
};

BinlogStream make_stream(TableMapCache& tables, const MysqlPosition& start, size_t batch) {
  BinlogStreamConfig config;
  config.pipeline_name = "p";
  config.max_batch_events = batch;
  return BinlogStream(std::move(config), tables,
                      DecodeContext::v4_defaults(ChecksumAlg::crc32, Flavor::mysql), start,
                      GtidSet{});
}

// MysqlSource::poll without the network: buffered work first, then the next raw event.
struct Poll {
  std::unique_ptr<Batch> batch;
  MysqlPosition end;
};
Result<Poll> poll(BinlogStream& s, const std::vector<std::span<const std::byte>>& raws,
                  size_t& next, size_t max) {
  Poll p{std::make_unique<Batch>(), {}};
  s.start_batch();
  while (p.batch->events.size() < max) {
    if (s.has_buffered()) {
      CDC_TRY(s.continue_buffered(*p.batch));
      continue;
    }
    if (next == raws.size()) break;
    bool heartbeat = false;
    CDC_TRY(s.handle(raws[next++], *p.batch, heartbeat));
  }
  p.end = s.position();
  return p;
}

// "c 1 {"k": 10}" etc.: op, id and doc of the after (or before, for deletes) image.
std::string describe(const ChangeEvent& e) {
  const auto& img = e.op == Op::erase ? e.before : e.after;
  std::string s(1, static_cast<char>(e.op));
  s += " " + std::to_string(img.data[0].i) + " " + std::string(img.data[1].text);
  if (e.op == Op::update) s += " was " + std::string(e.before.data[1].text);
  return s;
}

const std::vector<std::string> kAll = {R"(c 1 {"k": 10})", R"(c 2 {"k": 20})",
                                       R"(c 3 {"k": 30})", R"(u 2 {"k": 21} was {"k": 20})",
                                       R"(d 1 {"k": 10})", R"(d 3 {"k": 30})"};

TEST_CASE("BinlogStream: a compressed transaction streams, and every batch end resumes exactly") {
  const Stream st;
  for (size_t batch_size : {1, 2, 4, 100}) {
    CAPTURE(batch_size);
    TableMapCache tables;
    auto s = make_stream(tables, at(4, 0, 0), batch_size);
    const auto raws = st.events(4);
    size_t next = 0;
    std::vector<std::string> seen;
    std::vector<MysqlPosition> ends;
    while (true) {
      auto p = poll(s, raws, next, batch_size);
      REQUIRE_MESSAGE(p, p.error().to_string());
      for (const auto& e : p->batch->events) {
        seen.push_back(describe(e));
        CHECK(std::get<BinlogEventPosition>(e.source.at).file == kFile);
        CHECK(value(std::get<BinlogEventPosition>(e.source.at).offset) == kPayloadAt);
        CHECK(e.source.server_id == 223344);
        CHECK(e.schema->id.to_string() == "demo.t");
      }
      if (p->batch->events.empty()) break;
      ends.push_back(p->end);
    }
    CHECK(seen == kAll);
    // Done: after the payload, outside any transaction.
    CHECK(s.position() == at(st.payload_end, 0, 0));

    // Resume from every batch end inside the transaction: from its GTID event, skipping what
    // the batch delivered; the rest arrives exactly once.
    size_t delivered = 0;
    for (const auto& end : ends) {
      delivered += std::min(batch_size, kAll.size() - delivered);
      if (end.binlog.offset != 157) continue;  // the last one is after the transaction
      CAPTURE(end.events_to_skip);
      CAPTURE(end.rows_to_skip);
      TableMapCache fresh;
      auto again = make_stream(fresh, end, batch_size);
      const auto resumed = st.events(end.binlog.offset);
      size_t n = 0;
      std::vector<std::string> rest;
      while (true) {
        auto p = poll(again, resumed, n, batch_size);
        REQUIRE_MESSAGE(p, p.error().to_string());
        for (const auto& e : p->batch->events) rest.push_back(describe(e));
        if (p->batch->events.empty()) break;
      }
      CHECK(rest == std::vector<std::string>(kAll.begin() + static_cast<std::ptrdiff_t>(delivered),
                                             kAll.end()));
    }
  }
}

TEST_CASE("BinlogStream: positions inside the payload count row events and rows") {
  const Stream st;
  TableMapCache tables;
  auto s = make_stream(tables, at(4, 0, 0), 2);
  const auto raws = st.events(4);
  size_t next = 0;
  std::vector<MysqlPosition> ends;
  std::vector<size_t> sizes;
  for (int i = 0; i < 4; ++i) {
    auto p = poll(s, raws, next, 2);
    REQUIRE_MESSAGE(p, p.error().to_string());
    ends.push_back(p->end);
    sizes.push_back(p->batch->events.size());
  }
  // 2 of WRITE_ROWS' 3 rows; its 3rd row and the update (2 row events done); both deletes (the
  // batch is full before the XID); then the XID closes the transaction.
  CHECK(sizes == std::vector<size_t>{2, 2, 2, 0});
  CHECK(ends[0] == at(157, 0, 2));
  CHECK(ends[1] == at(157, 2, 0));
  CHECK(ends[2] == at(157, 3, 0));
  CHECK(ends[3] == at(st.payload_end, 0, 0));
}

TEST_CASE("BinlogStream: a JSON diff without a before document (MINIMAL) makes the column absent") {
  const Stream st("$.k", false, false, /*minimal_before=*/true);
  TableMapCache tables;
  auto s = make_stream(tables, at(4), 10);
  size_t next = 0;
  auto p = poll(s, st.events(4), next, 10);
  REQUIRE_MESSAGE(p, p.error().to_string());
  REQUIRE(p->batch->events.size() == 6);
  const ChangeEvent& u = p->batch->events[3];
  REQUIRE(u.op == Op::update);
  CHECK(u.before[0].i == 2);
  CHECK(u.after[0].i == 2);
  CHECK(std::vector<uint32_t>(u.before.absent.begin(), u.before.absent.end()) ==
        std::vector<uint32_t>{1});
  CHECK(std::vector<uint32_t>(u.after.absent.begin(), u.after.absent.end()) ==
        std::vector<uint32_t>{1});
  CHECK(u.partial_after());
}

// The error that stops a stream reading `st` from the start.
Error first_error(const Stream& st) {
  TableMapCache tables;
  auto s = make_stream(tables, at(4), 10);
  size_t next = 0;
  auto p = poll(s, st.events(4), next, 10);
  REQUIRE_FALSE(p);
  return p.error();
}

TEST_CASE("BinlogStream: errors inside a payload name the event, the file and the position") {
  auto e = first_error(Stream("$.k", /*corrupt=*/true));
  CHECK(e.code == Errc::malformed);
  CHECK(e.message.find(
            "TRANSACTION_PAYLOAD (40) at mysql-bin.000004:236: corrupt ZSTD payload: ") == 0);

  e = first_error(Stream("$.missing"));
  CHECK(e.code == Errc::malformed);
  CHECK(e.message ==
        "row 0 of demo.t in PARTIAL_UPDATE_ROWS (39) (event 3 of TRANSACTION_PAYLOAD (40)) at "
        "mysql-bin.000004:236: column 2 (doc): REPLACE of $.missing rejected: the path does not "
        "exist in the before image");

  e = first_error(Stream("$.k", false, /*second_txn=*/true));
  CHECK(e.code == Errc::malformed);
  CHECK(e.message ==
        "QUERY (2) (event 6 of TRANSACTION_PAYLOAD (40)) at mysql-bin.000004:236: "
        "event after the end of the transaction in its payload");
}

}  // namespace
}  // namespace cdc::mysql
