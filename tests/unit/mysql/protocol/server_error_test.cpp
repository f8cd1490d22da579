#include "cdc/mysql/protocol/server_error.h"

#include <doctest/doctest.h>

using namespace cdc;
using namespace cdc::mysql;

namespace {
bool retried(unsigned err) { return Error{server_error_code(err), ""}.retryable(); }
}  // namespace

TEST_CASE("a statement the server cannot parse is not retried: the same bytes fail again") {
  CHECK(server_error_code(1064) == Errc::internal);  // ER_PARSE_ERROR
  CHECK(server_error_code(1149) == Errc::internal);  // ER_SYNTAX_ERROR
  CHECK_FALSE(retried(1064));
  CHECK_FALSE(retried(1149));
}

TEST_CASE("missing objects and privileges stop; transient server states are retried") {
  for (unsigned err : {1049u, 1051u, 1054u, 1109u, 1146u, 1236u}) {
    CAPTURE(err);
    CHECK(server_error_code(err) == Errc::invalid_config);
  }
  for (unsigned err : {1044u, 1045u, 1142u, 1143u, 1227u}) {
    CAPTURE(err);
    CHECK(server_error_code(err) == Errc::auth);
  }
  // too many connections, lock wait timeout, deadlock, query interrupted, connection killed
  for (unsigned err : {1040u, 1205u, 1213u, 1317u, 1927u}) {
    CAPTURE(err);
    CHECK(server_error_code(err) == Errc::unavailable);
    CHECK(retried(err));
  }
  CHECK(server_error_code(1053) == Errc::io);  // server shutdown
  CHECK(server_error_code(2013) == Errc::io);  // CR_SERVER_LOST
  CHECK(retried(2013));
}
