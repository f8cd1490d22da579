#include "tests/integration/doris_compare.h"

#include <doctest/doctest.h>

#include <fstream>
#include <thread>

#include "tests/support/services_env.h"

namespace cdc::testing {

using namespace std::chrono_literals;

std::string write_doris_config(const std::string& dir, const std::string& name,
                               const std::string& tables, DorisProcess& doris, int server_id,
                               int metrics_port, const std::string& extra_sink, int fe_port,
                               const std::string& source_tail) {
  const std::string path = dir + "/pipeline.yaml";
  std::string source = mysql_source_yaml(tables, server_id);
  if (!source_tail.empty()) {
    const std::string latest = "  scan.startup.mode: latest-offset\n";
    source.replace(source.find(latest), latest.size(), source_tail);
  }
  std::ofstream(path) << source << "sink:\n  type: doris\n  fenodes: 127.0.0.1:"
                      << (fe_port != 0 ? fe_port : doris.fe_port())
                      << "\n  username: root\n  password: '" << doris.password()
                      << "'\n  sink.max-retries: 2\n"
                      << extra_sink << "pipeline:\n  name: " << name << "\n  state.dir: " << dir
                      << "/state\n  checkpoint.interval: 60ms\n  metrics.port: " << metrics_port
                      << "\n  restart.initial-backoff: 50ms\n  restart.max-backoff: 300ms\n";
  return path;
}

std::vector<std::string> columns_of(MariaDbSession& sql, const std::string& db,
                                    const std::string& table) {
  std::vector<std::string> out;
  for (const auto& row :
       sql.query("SELECT column_name FROM information_schema.columns WHERE table_schema = '" + db +
                 "' AND table_name = '" + table + "' ORDER BY ordinal_position")) {
    out.push_back(*row[0]);
  }
  return out;
}

SqlRows source_rows(MariaDbSession& sql, const std::string& db, const std::string& table,
                    const std::string& key) {
  std::string cols;
  for (const std::string& c : columns_of(sql, db, table))
    cols += (cols.empty() ? "`" : ", `") + c + "`";
  return sql.query("SELECT " + cols + " FROM " + db + "." + table + " ORDER BY " + key);
}
std::optional<SqlRows> doris_rows(MariaDbSession& sql, DorisProcess& doris, const std::string& db,
                                  const std::string& table, const std::string& key) {
  std::string cols;
  for (const std::string& c : columns_of(sql, db, table))
    cols += (cols.empty() ? "`" : ", `") + c + "`";
  return doris.try_sql(db, "SELECT " + cols + " FROM " + table + " ORDER BY " + key);
}

namespace {

// Polls until Doris equals the source (or `limit` passes); then the caller CHECKs equality.
void wait_equal(MariaDbSession& sql, DorisProcess& doris, const std::string& db,
                const std::string& table, const std::string& key, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (doris_rows(sql, doris, db, table, key) == source_rows(sql, db, table, key)) return;
    std::this_thread::sleep_for(100ms);
  }
}

}  // namespace

void expect_equal(MariaDbSession& sql, DorisProcess& doris, const std::string& db,
                  const std::string& table, const std::string& key, std::chrono::seconds limit) {
  wait_equal(sql, doris, db, table, key, limit);
  const SqlRows expected = source_rows(sql, db, table, key);
  const auto got = doris_rows(sql, doris, db, table, key);
  REQUIRE_MESSAGE(got.has_value(), "Doris has no table " << db << "." << table);
  CHECK(got->size() == expected.size());
  CHECK(*got == expected);
}

std::vector<std::string> doris_columns(DorisProcess& doris, const std::string& db,
                                       const std::string& table) {
  std::vector<std::string> out;
  for (const auto& row : doris.sql(db, "DESC " + table))
    out.push_back(*row[0] + " " + *row[1] + " " + *row[3]);
  return out;
}

}  // namespace cdc::testing
