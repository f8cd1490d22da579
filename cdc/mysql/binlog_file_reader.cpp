#include "cdc/mysql/binlog_file_reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "cdc/core/byte_reader.h"
#include "cdc/mysql/binlog/event_header.h"
#include "cdc/mysql/binlog/event_type.h"

namespace cdc::mysql {

namespace {

constexpr unsigned char kMagic[kBinlogMagicSize] = {0xfe, 'b', 'i', 'n'};

std::string basename_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string hex_bytes(const unsigned char* p, size_t n) {
  std::string out;
  char buf[4];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%s%02x", i ? " " : "", p[i]);
    out += buf;
  }
  return out;
}

Error io_error(const std::string& what, const std::string& path) {
  return make_error(Errc::io, what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

BinlogFileReader::~BinlogFileReader() = default;

Result<std::unique_ptr<BinlogFileReader>> BinlogFileReader::open(BinlogFileReaderOptions options) {
  if (options.paths.empty()) return make_error(Errc::invalid_config, "no binlog file given");
  if (options.start_position < kFirstEventOffset) {
    return make_error(Errc::invalid_config, "start position " + to_string(options.start_position) +
                                                " is inside the binlog magic (events start at 4)");
  }
  std::unique_ptr<BinlogFileReader> reader(new BinlogFileReader(std::move(options)));
  for (const auto& path : reader->options_.paths) {
    FilePtr f(std::fopen(path.c_str(), "rb"));
    if (!f) return io_error("cannot open", path);
    unsigned char head[kBinlogMagicSize] = {};
    const size_t n = std::fread(head, 1, sizeof head, f.get());
    if (std::ferror(f.get())) return io_error("cannot read", path);
    if (n < sizeof head) {
      return make_error(Errc::malformed, path + " is not a binlog file: it has " +
                                             std::to_string(n) +
                                             " bytes, fewer than the 4-byte binlog magic");
    }
    if (std::memcmp(head, kMagic, sizeof head) != 0) {
      return make_error(Errc::malformed, path + " is not a binlog file: it starts with " +
                                             hex_bytes(head, n) +
                                             ", not the binlog magic fe 62 69 6e");
    }
    reader->names_.push_back(basename_of(path));
  }
  CDC_TRY(reader->open_current());
  if (reader->options_.start_position > reader->end_) {
    return make_error(Errc::invalid_config, "start position " +
                                                to_string(reader->options_.start_position) +
                                                " is past the end of " + reader->options_.paths[0] +
                                                " (" + to_string(reader->end_) + " bytes)");
  }
  return reader;
}

Status BinlogFileReader::open_current() {
  const std::string& path = options_.paths[index_];
  current_.reset(std::fopen(path.c_str(), "rb"));
  if (!current_) return io_error("cannot open", path);
  struct stat st {};
  if (fstat(fileno(current_.get()), &st) != 0) return io_error("cannot stat", path);
  end_ = BinlogOffset{static_cast<uint64_t>(st.st_size)};
  offset_ = kFirstEventOffset;
  if (std::fseek(current_.get(), static_cast<long>(value(offset_)), SEEK_SET) != 0) {
    return io_error("cannot seek in", path);
  }
  return {};
}

Status BinlogFileReader::read_exact(size_t n, size_t at) {
  if (std::fread(buffer_.data() + at, 1, n, current_.get()) != n) {
    if (std::ferror(current_.get())) return io_error("cannot read", options_.paths[index_]);
    // The size was checked against fstat: the file shrank while being read.
    return make_error(
        Errc::truncated,
        options_.paths[index_] + " ended while being read at offset " + to_string(offset_));
  }
  return {};
}

// After the first event of the first file (its FORMAT_DESCRIPTION), continue at the start
// position. The first event there is checked (see next()), since a position in the middle of
// an event would otherwise be read as garbage.
Status BinlogFileReader::jump_to_start(BinlogOffset fde_end) {
  const BinlogOffset start = options_.start_position;
  if (start == kFirstEventOffset || start == fde_end) return {};
  if (start < fde_end) {
    return make_error(Errc::malformed, "start position " + to_string(start) +
                                           " is inside the FORMAT_DESCRIPTION event of " +
                                           options_.paths[0] + " (4.." + to_string(fde_end) + ")");
  }
  if (std::fseek(current_.get(), static_cast<long>(value(start)), SEEK_SET) != 0) {
    return io_error("cannot seek in", options_.paths[0]);
  }
  offset_ = start;
  check_next_ = true;
  return {};
}

Result<std::optional<BinlogFileEvent>> BinlogFileReader::next() {
  while (true) {
    if (!current_) return std::optional<BinlogFileEvent>();
    const bool last = index_ + 1 == options_.paths.size();
    const std::string& path = options_.paths[index_];
    if (offset_ >= end_ || (last && options_.stop_position && offset_ >= *options_.stop_position)) {
      current_.reset();
      if (last) return std::optional<BinlogFileEvent>();
      ++index_;
      CDC_TRY(open_current());
      continue;
    }
    const uint64_t left = end_ - offset_;
    if (left < kEventHeaderLength) {
      // Name the type when the file still holds it.
      std::string what;
      buffer_.resize(left);
      CDC_TRY(read_exact(left, 0));
      if (left > kEventTypeOffset) {
        what = " (the header of " +
               describe_event_type(static_cast<uint8_t>(buffer_[kEventTypeOffset])) + ")";
      }
      return make_error(Errc::truncated, path + " is truncated: " + std::to_string(left) +
                                             " bytes at offset " + to_string(offset_) + what +
                                             ", fewer than a 19-byte event header");
    }
    buffer_.resize(kEventHeaderLength);
    CDC_TRY(read_exact(kEventHeaderLength, 0));
    ByteReader h(buffer_);
    (void)h.u32le();  // timestamp
    const uint8_t type = h.u8();
    (void)h.u32le();  // server id
    const uint32_t size = h.u32le();
    const uint32_t log_pos = h.u32le();
    const std::string where = describe_event_type(type) + " at " + path + ":" + to_string(offset_);
    if (check_next_ &&
        (size < kEventHeaderLength || (log_pos != 0 && BinlogOffset{log_pos} != offset_ + size))) {
      return make_error(Errc::malformed, "start position " + to_string(offset_) +
                                             " is not the start of an event in " + path +
                                             " (the bytes there read "
                                             "as " +
                                             describe_event_type(type) + " of " +
                                             std::to_string(size) + " bytes ending at " +
                                             std::to_string(log_pos) + ")");
    }
    check_next_ = false;
    if (size < kEventHeaderLength) {
      return make_error(Errc::malformed, where + ": event size " + std::to_string(size) +
                                             " is below the 19-byte header");
    }
    if (size > left) {
      return make_error(Errc::truncated, where + ": the file is truncated: the event has " +
                                             std::to_string(size) + " bytes, the file ends " +
                                             std::to_string(left) + " bytes after its start");
    }
    buffer_.resize(size);
    CDC_TRY(read_exact(size - kEventHeaderLength, kEventHeaderLength));
    BinlogFileEvent ev{path, names_[index_], offset_, buffer_};
    offset_ = offset_ + size;
    if (index_ == 0 && ev.offset == kFirstEventOffset) CDC_TRY(jump_to_start(offset_));
    if (observer_) observer_(ev);
    return std::optional<BinlogFileEvent>(ev);
  }
}

}  // namespace cdc::mysql
