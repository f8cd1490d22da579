// Flink CDC pipeline files run unchanged: the MySQL -> Kafka and MySQL -> Doris examples of the
// Flink CDC documentation and its route and transform examples (tests/fixtures/flink, copied
// verbatim; MANIFEST.md) pass `sluice validate`; a Flink key sluice does not support gets one
// line naming it and saying what sluice does instead.

#include <doctest/doctest.h>

#include "tests/support/child_process.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {
const std::string kFixtures = source_dir() + "/tests/fixtures/flink/";

CommandResult validate(const std::string& file) {
  return run_command({sluice_binary(), "validate", kFixtures + file}, 60s);
}
}  // namespace

TEST_CASE("the Flink CDC documentation's pipeline files validate unchanged") {
  for (const char* file : {"mysql-to-kafka.yaml", "mysql-to-doris.yaml", "route-examples.yaml",
                           "transform-examples.yaml", "data-pipeline-required.yaml"}) {
    const auto r = validate(file);
    INFO(file << "\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(r.out == kFixtures + file + ": ok (1 pipeline)\n");
  }
}

TEST_CASE("a Flink key sluice does not support gets one line naming it") {
  const auto r = validate("udf-example.yaml");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  const std::string file = kFixtures + "udf-example.yaml";
  CHECK(r.err == file +
                     ":20:5: pipeline.user-defined-function: Flink CDC option "
                     "'user-defined-function' is not supported: sluice has no JVM to load UDF "
                     "classes; transforms use the built-in functions (README \"Expressions\")\n"
                     "sluice: 1 problem in " +
                     file + "\n");
}
