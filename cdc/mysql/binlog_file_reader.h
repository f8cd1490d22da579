// BinlogFileReader: the raw events of binlog files on disk, in order, as MysqlSource would
// receive them from a server (offline decoding, `sluice binlog`). It checks the magic of every
// file before handing out the first event and that each event is whole; checksums and bodies
// are the decoder's. One event is in memory at a time. Owned by one thread; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"
#include "cdc/mysql/binlog_offset.h"

namespace cdc::mysql {

inline constexpr uint64_t kBinlogMagicSize = 4;  // 0xfe 'b' 'i' 'n'

struct BinlogFileReaderOptions {
  // The files, read in this order (a ROTATE at the end of one names the next).
  std::vector<std::string> paths;
  // In the FIRST file: the offset of the first event handed out after the file's
  // FORMAT_DESCRIPTION (which is always handed out: nothing decodes without it), as
  // mysqlbinlog --start-position. Must be the start of an event. Default: 4 (everything).
  BinlogOffset start_position = kFirstEventOffset;
  // In the LAST file: stop before the first event that starts at or after this offset, as
  // mysqlbinlog --stop-position. Default: read to the end.
  std::optional<BinlogOffset> stop_position;
};

struct BinlogFileEvent {
  std::string_view path;   // as given in the options
  std::string_view file;   // the path without directories: what positions name, as the server does
  BinlogOffset offset{0};  // of the event's first byte in the file
  std::span<const std::byte> bytes;  // the whole event, header to checksum; valid until next()
};

class BinlogFileReader {
 public:
  // Opens every file and checks its magic, so a wrong argument fails before any output.
  // Errors: io (cannot open or read), malformed (not a binlog file, start position not in
  // the first file).
  static Result<std::unique_ptr<BinlogFileReader>> open(BinlogFileReaderOptions options);
  ~BinlogFileReader();

  // The next event, or nullopt after the last one. Errors name the path, the offset and, when
  // the header was read, the event type: truncated (the file ends inside an event), malformed
  // (an impossible event size, a start position that is not the start of an event), io.
  Result<std::optional<BinlogFileEvent>> next();

  // Called with each event next() is about to return (sluice binlog --events).
  void set_observer(std::function<void(const BinlogFileEvent&)> observer) {
    observer_ = std::move(observer);
  }

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

  explicit BinlogFileReader(BinlogFileReaderOptions options) : options_(std::move(options)) {}
  Status open_current();
  Status read_exact(size_t n, size_t at);
  Status jump_to_start(BinlogOffset fde_end);

  BinlogFileReaderOptions options_;
  std::vector<std::string> names_;  // basename of each path
  size_t index_ = 0;                // of the file being read
  FilePtr current_;
  BinlogOffset end_{0};            // of the current file: its size
  BinlogOffset offset_{0};         // of the next event in the current file
  bool check_next_ = false;        // the next event is the first after a --start-position jump
  std::vector<std::byte> buffer_;  // the event last handed out
  std::function<void(const BinlogFileEvent&)> observer_;
};

}  // namespace cdc::mysql
