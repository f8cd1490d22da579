#include "sinks/redis/redis_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace cdc::sinks::redis {

namespace {

using Clock = std::chrono::steady_clock;

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct ReaderFree {
  void operator()(redisReader* r) const { redisReaderFree(r); }
};

// OpenSSL's queued errors as one text (and the queue emptied), or `fallback`.
std::string ssl_errors(std::string fallback) {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? fallback : out;
}

int remaining_ms(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<int64_t>(left, 0));
}

// Waits for `events` on `fd` until `deadline`: true when ready, false on timeout (errno = 0)
// or failure (errno set).
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0) {
      errno = 0;
      return false;
    }
    if (errno != EINTR) return false;
  }
}

}  // namespace

struct RedisConnection::Io {
  int fd = -1;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx;
  std::unique_ptr<SSL, SslFree> ssl;  // null in plain text
  std::unique_ptr<redisReader, ReaderFree> reader{redisReaderCreate()};
  std::chrono::milliseconds command_timeout{30000};

  ~Io() {
    if (fd >= 0) ::close(fd);
  }

  // Writes all of `bytes` before the deadline: "" or why not.
  std::string write_all(std::string_view bytes, Clock::time_point deadline) {
    while (!bytes.empty()) {
      if (ssl) {
        size_t written = 0;
        if (SSL_write_ex(ssl.get(), bytes.data(), bytes.size(), &written) == 1) {
          bytes.remove_prefix(written);
          continue;
        }
        const int err = SSL_get_error(ssl.get(), 0);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
          if (!wait_for(fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
            return errno == 0 ? "timed out" : std::strerror(errno);
          continue;
        }
        return ssl_errors("TLS write failed");
      }
      const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) {
        bytes.remove_prefix(static_cast<size_t>(n));
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!wait_for(fd, POLLOUT, deadline))
          return errno == 0 ? "timed out" : std::strerror(errno);
      } else if (n < 0 && errno != EINTR) {
        return std::strerror(errno);
      }
    }
    return {};
  }

  // Reads what arrives (at least one byte) into the reader before the deadline: "" or why not;
  // `eof` when the server closed the connection. Under TLS, bytes OpenSSL already decrypted are
  // read before the socket is polled (it may have nothing more: issue 19's stall).
  std::string read_some(Clock::time_point deadline, bool& eof) {
    char buf[16384];
    for (;;) {
      if (ssl) {
        size_t got = 0;
        if (SSL_read_ex(ssl.get(), buf, sizeof(buf), &got) == 1) {
          redisReaderFeed(reader.get(), buf, got);
          return {};
        }
        const int err = SSL_get_error(ssl.get(), 0);
        if (err == SSL_ERROR_ZERO_RETURN) {
          eof = true;
          return "the server closed the connection";
        }
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
          if (!wait_for(fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
            return errno == 0 ? "timed out" : std::strerror(errno);
          continue;
        }
        if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
          eof = true;
          return "the server closed the connection";
        }
        return ssl_errors("TLS read failed");
      }
      const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n > 0) {
        redisReaderFeed(reader.get(), buf, static_cast<size_t>(n));
        return {};
      }
      if (n == 0) {
        eof = true;
        return "the server closed the connection";
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!wait_for(fd, POLLIN, deadline)) return errno == 0 ? "timed out" : std::strerror(errno);
      } else if (errno != EINTR) {
        return std::strerror(errno);
      }
    }
  }
};

namespace {

// A non-blocking socket connected to the unix socket or host:port before the deadline, or why
// not.
Result<int> open_socket(const RedisOptions& o, const std::string& name,
                        Clock::time_point deadline) {
  const auto refused = [&](const std::string& why) {
    return make_error(Errc::unavailable, "redis: cannot connect to " + name + ": " + why);
  };
  const auto try_connect = [&](int family, const sockaddr* addr, socklen_t len,
                               std::string& why) -> int {
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      why = std::strerror(errno);
      return -1;
    }
    if (::connect(fd, addr, len) == 0 || errno == EINPROGRESS) {
      if (wait_for(fd, POLLOUT, deadline)) {
        int so_error = 0;
        socklen_t so_len = sizeof(so_error);
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len);
        if (so_error == 0) {
          if (family != AF_UNIX) {
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          }
          return fd;
        }
        why = std::strerror(so_error);
      } else {
        why = errno == 0 ? "timed out" : std::strerror(errno);
      }
    } else {
      why = std::strerror(errno);
    }
    ::close(fd);
    return -1;
  };
  std::string why = "no address";
  if (!o.socket.empty()) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (o.socket.size() >= sizeof(addr.sun_path)) return refused("the socket path is too long");
    std::memcpy(addr.sun_path, o.socket.c_str(), o.socket.size() + 1);
    const int fd =
        try_connect(AF_UNIX, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr), why);
    if (fd < 0) return refused(why);
    return fd;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(o.host.c_str(), std::to_string(o.port).c_str(), &hints, &found);
      rc != 0) {
    return refused(gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = try_connect(a->ai_family, a->ai_addr, a->ai_addrlen, why);
    if (fd >= 0) return fd;
  }
  return refused(why);
}

bool is_ip_address(const std::string& host) {
  in6_addr v6{};
  in_addr v4{};
  return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

// The TLS session over `io.fd`: the server's certificate chained to tls.ca (else the system's
// CAs) and, with tls.verify-identity, naming the host; SNI names a host that is not an address.
Status start_tls(RedisConnection::Io& io, const RedisOptions& o, const std::string& name,
                 Clock::time_point deadline) {
  const std::string where = "redis " + name + ": TLS";
  const auto config_error = [&](const std::string& what) {
    return make_error(Errc::invalid_config, where + ": " + what + ": " + ssl_errors("failed"));
  };
  io.ctx.reset(SSL_CTX_new(TLS_client_method()));
  if (!io.ctx) return config_error("creating the context");
  SSL_CTX_set_min_proto_version(io.ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(io.ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (!o.tls_ca.empty()) {
    if (SSL_CTX_load_verify_locations(io.ctx.get(), o.tls_ca.c_str(), nullptr) != 1)
      return config_error("reading tls.ca '" + o.tls_ca + "'");
  } else if (SSL_CTX_set_default_verify_paths(io.ctx.get()) != 1) {
    return config_error("loading the system's CA certificates");
  }
  if (!o.tls_cert.empty()) {
    if (SSL_CTX_use_certificate_chain_file(io.ctx.get(), o.tls_cert.c_str()) != 1)
      return config_error("reading tls.cert '" + o.tls_cert + "'");
    if (SSL_CTX_use_PrivateKey_file(io.ctx.get(), o.tls_key.c_str(), SSL_FILETYPE_PEM) != 1)
      return config_error("reading tls.key '" + o.tls_key + "'");
  }
  io.ssl.reset(SSL_new(io.ctx.get()));
  if (!io.ssl || SSL_set_fd(io.ssl.get(), io.fd) != 1) return config_error("creating the session");
  const bool ip = is_ip_address(o.host);
  if (!ip) SSL_set_tlsext_host_name(io.ssl.get(), o.host.c_str());
  if (o.tls_verify_identity) {
    X509_VERIFY_PARAM* param = SSL_get0_param(io.ssl.get());
    const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, o.host.c_str())
                      : X509_VERIFY_PARAM_set1_host(param, o.host.c_str(), 0);
    if (ok != 1) return config_error("setting the identity to verify");
  }
  for (;;) {
    ERR_clear_error();
    if (SSL_connect(io.ssl.get()) == 1) return {};
    const int err = SSL_get_error(io.ssl.get(), 0);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (!wait_for(io.fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
        return make_error(Errc::unavailable, where + " handshake: " +
                                                 (errno == 0 ? "timed out" : std::strerror(errno)));
      }
      continue;
    }
    const long verify = SSL_get_verify_result(io.ssl.get());
    if (verify != X509_V_OK) {
      const std::string against =
          o.tls_ca.empty() ? "the system's CA certificates" : "tls.ca '" + o.tls_ca + "'";
      std::string message = where + ": the server's certificate is refused: " +
                            X509_verify_cert_error_string(verify) + " (verified against " +
                            against + (o.tls_verify_identity ? ", for host " + o.host : "") + ")";
      ERR_clear_error();
      return make_error(Errc::invalid_config, std::move(message));
    }
    return make_error(Errc::unavailable, where + " handshake: " + ssl_errors("failed"));
  }
}

}  // namespace

std::string_view reply_text(const redisReply& r) {
  if ((r.type == REDIS_REPLY_ERROR || r.type == REDIS_REPLY_STATUS ||
       r.type == REDIS_REPLY_STRING) &&
      r.str != nullptr) {
    return std::string_view(r.str, r.len);
  }
  return {};
}

Errc error_reply_code(std::string_view text) {
  for (std::string_view transient : {"LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "READONLY", "OOM",
                                     "NOREPLICAS", "CLUSTERDOWN"}) {
    if (text.size() >= transient.size() && text.substr(0, transient.size()) == transient &&
        (text.size() == transient.size() || text[transient.size()] == ' ')) {
      return Errc::unavailable;
    }
  }
  return Errc::malformed;
}

RedisConnection::RedisConnection(std::unique_ptr<Io> io, std::string name)
    : io_(std::move(io)), name_(std::move(name)) {}
RedisConnection::RedisConnection(RedisConnection&&) noexcept = default;
RedisConnection& RedisConnection::operator=(RedisConnection&&) noexcept = default;
RedisConnection::~RedisConnection() = default;

Result<RedisConnection> RedisConnection::connect(const RedisOptions& o) {
  const bool unix_socket = !o.socket.empty();
  std::string name = (unix_socket ? o.socket : o.host + ":" + std::to_string(o.port)) + " db " +
                     std::to_string(o.database);
  const auto deadline = Clock::now() + o.connect_timeout;
  auto io = std::make_unique<Io>();
  if (!io->reader) {
    return make_error(Errc::internal, "redis: cannot allocate a reply reader for " + name);
  }
  io->command_timeout = o.command_timeout;
  CDC_TRY_ASSIGN(io->fd, open_socket(o, name, deadline));
  if (o.tls) CDC_TRY(start_tls(*io, o, name, deadline));
  RedisConnection conn(std::move(io), name);
  if (!o.password.empty()) {
    auto r = o.username.empty() ? conn.command({"AUTH", o.password})
                                : conn.command({"AUTH", o.username, o.password});
    if (!r) {
      // The reply names neither the password nor the user's secrets: safe to pass on.
      Error e = std::move(r).error();
      if (e.code == Errc::malformed) e.code = Errc::auth;
      return std::move(e).with_context("redis AUTH" +
                                       (o.username.empty() ? "" : " as '" + o.username + "'"));
    }
  }
  if (o.database != 0) {
    auto r = conn.command({"SELECT", std::to_string(o.database)});
    if (!r) {
      Error e = std::move(r).error();
      if (e.code == Errc::malformed) e.code = Errc::invalid_config;
      return e;
    }
  }
  return conn;
}

Error RedisConnection::io_error(std::string_view doing, std::string why, Errc code) {
  broken_ = true;
  return make_error(code, "redis " + name_ + ": " + std::string(doing) + ": " + why);
}

Result<Reply> RedisConnection::next_reply(std::string_view doing) {
  if (broken_)
    return make_error(
        Errc::io, "redis " + name_ + ": " + std::string(doing) + ": the connection failed before");
  const auto deadline = Clock::now() + io_->command_timeout;
  if (!out_.empty()) {
    std::string why = io_->write_all(out_, deadline);
    out_.clear();
    if (!why.empty()) return io_error(doing, std::move(why));
  }
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(io_->reader.get(), &raw) != REDIS_OK) {
      return io_error(doing, "malformed reply: " + std::string(io_->reader->errstr),
                      Errc::malformed);
    }
    if (raw != nullptr) return Reply(static_cast<redisReply*>(raw));
    bool eof = false;
    std::string why = io_->read_some(deadline, eof);
    if (!why.empty()) {
      const bool timed_out = why == "timed out";
      return io_error(doing, std::move(why),
                      eof         ? Errc::unavailable
                      : timed_out ? Errc::timeout
                                  : Errc::io);
    }
  }
}

Result<Reply> RedisConnection::command(std::initializer_list<std::string_view> args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (std::string_view a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  const std::string what(args.begin()->data(), args.begin()->size());
  char* resp = nullptr;
  const int len =
      redisFormatCommandArgv(&resp, static_cast<int>(argv.size()), argv.data(), lens.data());
  if (len < 0) return make_error(Errc::internal, "redis: cannot format " + what);
  out_.append(resp, static_cast<size_t>(len));
  redisFreeCommand(resp);
  CDC_TRY_ASSIGN(Reply r, next_reply(what));
  if (r->type == REDIS_REPLY_ERROR) {
    return make_error(error_reply_code(reply_text(*r)),
                      "redis " + name_ + " refused " + what + ": " + std::string(reply_text(*r)));
  }
  return r;
}

void RedisConnection::append(std::string_view resp) { out_.append(resp); }

Result<Reply> RedisConnection::read() { return next_reply("reading a reply"); }

}  // namespace cdc::sinks::redis
