#include "tests/fakes/doris/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cdc::testing::doris {

Result<std::unique_ptr<Journal>> Journal::open(
    const std::string& dir, const std::function<Status(std::string_view line)>& replay) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return make_error(Errc::io, "cannot create data dir " + dir + ": " + std::strerror(errno));
  }
  const std::string path = dir + "/journal";
  std::string text;
  if (std::ifstream in(path, std::ios::binary); in) {
    std::ostringstream all;
    all << in.rdbuf();
    text = std::move(all).str();
  }
  size_t line_no = 0;
  size_t at = 0;
  for (size_t nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) {
    ++line_no;
    if (auto r = replay(std::string_view(text).substr(at, nl - at)); !r) {
      return std::move(r).error().with_context(path + ":" + std::to_string(line_no));
    }
  }
  if (at != text.size()) {
    return make_error(Errc::malformed, path +
                                           ": the last line has no newline (a write torn by a "
                                           "machine crash?); the journal is not usable");
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(Errc::io, "cannot open " + path + ": " + std::strerror(errno));
  return std::unique_ptr<Journal>(new Journal(fd, path));
}

Journal::~Journal() { ::close(fd_); }

Status Journal::append(std::string_view line) {
  std::string out(line);
  out.push_back('\n');
  const ssize_t n = ::write(fd_, out.data(), out.size());
  if (n != static_cast<ssize_t>(out.size())) {
    return make_error(Errc::io, "cannot append to " + path_ + ": " +
                                    (n < 0 ? std::strerror(errno) : std::string("short write")));
  }
  return {};
}

}  // namespace cdc::testing::doris
