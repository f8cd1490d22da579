#include "cdc/core/log_line.h"

#include <doctest/doctest.h>

using namespace cdc::log;

namespace {
std::string line(std::string_view message, std::string_view level = "info") {
  std::string out;
  append_json_line(out, 1714566896789, level, "pipeline", message);
  return out;
}
}  // namespace

TEST_CASE("json log line: the context prefix becomes pipeline and fields") {
  CHECK(line("[pipeline=orders pos=mysql-bin.000042:1337] checkpoint 7") ==
        "{\"time\":\"2024-05-01T12:34:56.789Z\",\"level\":\"info\",\"logger\":\"pipeline\","
        "\"pipeline\":\"orders\",\"message\":\"checkpoint 7\","
        "\"fields\":{\"pos\":\"mysql-bin.000042:1337\"}}\n");
  CHECK(line("metrics on http://127.0.0.1:9249/metrics", "warning") ==
        "{\"time\":\"2024-05-01T12:34:56.789Z\",\"level\":\"warning\",\"logger\":\"pipeline\","
        "\"pipeline\":null,\"message\":\"metrics on http://127.0.0.1:9249/metrics\","
        "\"fields\":{}}\n");
}

TEST_CASE("json log line: a free-text pipeline name keeps its spaces") {
  CHECK(line("[pipeline=MySQL to Kafka pos=mysql-bin.000042:1337] checkpoint 7") ==
        "{\"time\":\"2024-05-01T12:34:56.789Z\",\"level\":\"info\",\"logger\":\"pipeline\","
        "\"pipeline\":\"MySQL to Kafka\",\"message\":\"checkpoint 7\","
        "\"fields\":{\"pos\":\"mysql-bin.000042:1337\"}}\n");
  CHECK(line("[pipeline=JSON logs] starting").find("\"pipeline\":\"JSON logs\"") !=
        std::string::npos);
}

TEST_CASE("json log line: escapes, and brackets that are not a context stay in the message") {
  CHECK(line("[not a context] \"quoted\"\n\ttab\x01") ==
        "{\"time\":\"2024-05-01T12:34:56.789Z\",\"level\":\"info\",\"logger\":\"pipeline\","
        "\"pipeline\":null,\"message\":\"[not a context] \\\"quoted\\\"\\n\\ttab\\u0001\","
        "\"fields\":{}}\n");
  CHECK(line("[pipeline=a]no space").find("\"message\":\"[pipeline=a]no space\"") !=
        std::string::npos);
  CHECK(line("[=x] m").find("\"message\":\"[=x] m\"") != std::string::npos);
}
