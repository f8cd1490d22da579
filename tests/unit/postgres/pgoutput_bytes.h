// Hand-built pgoutput messages (PostgreSQL 15 src/backend/replication/logical/proto.c layouts),
// one or more of every message type, for the decoder's tests and the fuzz corpus
// (tests/fuzz/make_corpus.cpp). Header-only.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cdc::postgres::testing {

class PgBytes {
 public:
  explicit PgBytes(char type) { out_.push_back(type); }
  PgBytes& u8(uint8_t v) {
    out_.push_back(static_cast<char>(v));
    return *this;
  }
  PgBytes& u16(uint16_t v) { return be(v, 2); }
  PgBytes& u32(uint32_t v) { return be(v, 4); }
  PgBytes& u64(uint64_t v) { return be(v, 8); }
  PgBytes& str(const std::string& s) {
    out_ += s;
    out_.push_back('\0');
    return *this;
  }
  PgBytes& raw(const std::string& s) {
    out_ += s;
    return *this;
  }
  // TupleData of ('t', text) / ('n') / ('u') columns: {kind, text}.
  PgBytes& tuple(const std::vector<std::pair<char, std::string>>& cols) {
    u16(static_cast<uint16_t>(cols.size()));
    for (const auto& [kind, text] : cols) {
      u8(static_cast<uint8_t>(kind));
      if (kind == 't' || kind == 'b') {
        u32(static_cast<uint32_t>(text.size()));
        out_ += text;
      }
    }
    return *this;
  }
  std::string bytes() const { return out_; }

 private:
  PgBytes& be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  std::string out_;
};

struct SampleMessage {
  std::string name;
  bool in_stream = false;  // decode with PgoutputContext::in_stream
  std::string bytes;
};

// Every message type, with the variants that change the layout (xid prefix in a stream, old
// key/old row/no old tuple, null/unchanged/text/binary columns).
inline std::vector<SampleMessage> sample_messages() {
  std::vector<SampleMessage> s;
  s.push_back({"begin", false, PgBytes('B').u64(0x16B3748).u64(723792939682534).u32(3556).bytes()});
  s.push_back({"commit", false,
               PgBytes('C').u8(0).u64(0x16B3748).u64(0x16B3778).u64(723792939682534).bytes()});
  s.push_back({"origin", false, PgBytes('O').u64(0x16B3748).str("node_a").bytes()});
  const auto relation = [](bool stream) {
    PgBytes b('R');
    if (stream) b.u32(900);
    b.u32(16385).str("public").str("users").u8('d').u16(3);
    b.u8(1).str("id").u32(20).u32(0xffffffff);
    b.u8(0).str("name").u32(1043).u32(0xffffffff);
    b.u8(0).str("salary").u32(1700).u32(393222);
    return b.bytes();
  };
  s.push_back({"relation", false, relation(false)});
  s.push_back({"relation_stream", true, relation(true)});
  s.push_back({"type", false, PgBytes('Y').u32(16390).str("public").str("mood").bytes()});
  s.push_back(
      {"insert", false,
       PgBytes('I').u32(16385).u8('N').tuple({{'t', "1"}, {'t', "abc"}, {'n', ""}}).bytes()});
  s.push_back({"insert_stream", true,
               PgBytes('I')
                   .u32(900)
                   .u32(16385)
                   .u8('N')
                   .tuple({{'t', "1"}, {'b', "\x01\x02"}, {'t', "1.50"}})
                   .bytes()});
  s.push_back(
      {"update_no_old", false,
       PgBytes('U').u32(16385).u8('N').tuple({{'t', "1"}, {'u', ""}, {'t', "2.00"}}).bytes()});
  s.push_back({"update_key", false,
               PgBytes('U')
                   .u32(16385)
                   .u8('K')
                   .tuple({{'t', "1"}, {'n', ""}, {'n', ""}})
                   .u8('N')
                   .tuple({{'t', "2"}, {'t', "x"}, {'t', "3.00"}})
                   .bytes()});
  s.push_back({"update_old", false,
               PgBytes('U')
                   .u32(16385)
                   .u8('O')
                   .tuple({{'t', "1"}, {'t', "x"}, {'t', "3.00"}})
                   .u8('N')
                   .tuple({{'t', "1"}, {'t', "y"}, {'t', "3.00"}})
                   .bytes()});
  s.push_back({"delete_key", false,
               PgBytes('D').u32(16385).u8('K').tuple({{'t', "1"}, {'n', ""}, {'n', ""}}).bytes()});
  s.push_back({"delete_old_stream", true,
               PgBytes('D')
                   .u32(900)
                   .u32(16385)
                   .u8('O')
                   .tuple({{'t', "1"}, {'t', "y"}, {'t', "3.00"}})
                   .bytes()});
  s.push_back({"truncate", false, PgBytes('T').u32(2).u8(3).u32(16385).u32(16390).bytes()});
  s.push_back({"message", false,
               PgBytes('M').u8(1).u64(0x16B3748).str("sluice").u32(5).raw("hello").bytes()});
  s.push_back({"message_stream", true,
               PgBytes('M').u32(900).u8(0).u64(0x16B3748).str("hb").u32(0).bytes()});
  s.push_back({"stream_start", false, PgBytes('S').u32(900).u8(1).bytes()});
  s.push_back({"stream_stop", true, PgBytes('E').bytes()});
  s.push_back(
      {"stream_commit", false,
       PgBytes('c').u32(900).u8(0).u64(0x16B3748).u64(0x16B3778).u64(723792939682534).bytes()});
  s.push_back({"stream_abort", false, PgBytes('A').u32(900).u32(901).bytes()});
  return s;
}

}  // namespace cdc::postgres::testing
