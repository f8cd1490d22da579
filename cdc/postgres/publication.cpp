#include "cdc/postgres/publication.h"

#include "cdc/core/log.h"

namespace cdc::postgres {

namespace {

std::string qualified(const TableId& t) {
  return PgConnection::quote_ident(t.db) + "." + PgConnection::quote_ident(t.table);
}

// The SQLSTATE of a lock_timeout is 55P03, which PgConnection reports as Errc::io; the caller
// retries at the next check.
Status add_one(PgConnection& sql, const std::string& name, const MissingTable& m, bool& had_rows) {
  const TableId& t = m.id;
  CDC_TRY(sql.query("BEGIN"));
  auto body = [&]() -> Status {
    CDC_TRY(sql.query("SET LOCAL lock_timeout = '5s'"));
    CDC_TRY(sql.query("LOCK TABLE " + qualified(t) + " IN SHARE MODE"));
    CDC_TRY_ASSIGN(auto rows, sql.query("SELECT EXISTS (SELECT 1 FROM " + qualified(t) + ")"));
    had_rows = !rows.rows.empty() && rows.rows[0][0] == "t";
    if (had_rows || !m.keyed) return {};
    CDC_TRY(sql.query("ALTER PUBLICATION " + PgConnection::quote_ident(name) + " ADD TABLE " +
                      qualified(t)));
    CDC_TRY(sql.query("COMMIT"));
    return {};
  };
  Status st = body();
  if (!st || had_rows || !m.keyed) {
    (void)sql.query("ROLLBACK");  // ignored because `st` says what failed
  }
  return st;
}

}  // namespace

Result<PublicationInfo> read_publication(PgConnection& sql, const std::string& name) {
  CDC_TRY_ASSIGN(auto rows, sql.query("SELECT puballtables, pubviaroot FROM pg_publication "
                                      "WHERE pubname = $1",
                                      {name}));
  PublicationInfo info;
  if (rows.rows.empty()) return info;
  info.exists = true;
  info.all_tables = rows.rows[0][0] == "t";
  info.via_root = rows.rows[0][1] == "t";
  return info;
}

Result<std::vector<MissingTable>> tables_missing_from(
    PgConnection& sql, const std::string& name,
    const std::function<bool(const TableId&)>& captured) {
  CDC_TRY_ASSIGN(
      auto rows,
      sql.query(
          "SELECT n.nspname, c.relname, (c.relreplident IN ('f', 'i') OR (c.relreplident = 'd' "
          "AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))) "
          "FROM pg_class c JOIN pg_namespace n ON n.oid = "
          "c.relnamespace, pg_publication p WHERE p.pubname = $1 AND NOT p.puballtables "
          "AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
          "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
          "AND n.nspname NOT LIKE 'pg_toast%' "
          "AND NOT EXISTS (SELECT 1 FROM pg_publication_rel r WHERE r.prpubid = p.oid AND "
          "r.prrelid = c.oid) "
          "AND NOT EXISTS (SELECT 1 FROM pg_publication_namespace s WHERE s.pnpubid = p.oid AND "
          "s.pnnspid = c.relnamespace) ORDER BY 1, 2",
          {name}));
  std::vector<MissingTable> missing;
  for (const auto& r : rows.rows) {
    MissingTable t{TableId{r[0].value_or(""), r[1].value_or("")}, r[2] == "t"};
    if (captured(t.id)) missing.push_back(std::move(t));
  }
  return missing;
}

Status add_empty_tables(PgConnection& sql, const std::string& name,
                        const std::vector<MissingTable>& missing, std::string_view pipeline,
                        std::set<TableId>& waiting) {
  std::string with_rows;
  for (const MissingTable& m : missing) {
    const TableId& t = m.id;
    bool had_rows = false;
    if (auto st = add_one(sql, name, m, had_rows); !st) {
      return std::move(st).error().with_context("adding " + t.to_string() + " to publication " +
                                                name);
    }
    if (had_rows) {
      with_rows += (with_rows.empty() ? "" : ", ") + t.to_string() +
                   (m.keyed ? "" : " (which has no primary key or REPLICA IDENTITY FULL either)");
      continue;
    }
    if (!m.keyed) {
      if (!waiting.insert(t).second) continue;  // said once
      log::get("postgres")
          ->info(
              "[pipeline={}] table {} matches tables but has no primary key or REPLICA "
              "IDENTITY FULL yet: not added to publication {} until it has one",
              pipeline, t.to_string(), name);
      continue;
    }
    log::get("postgres")
        ->warn(
            "[pipeline={}] table {} matches tables but was not in publication {} (created or "
            "re-created since): added, its changes are captured from here on",
            pipeline, t.to_string(), name);
  }
  if (with_rows.empty()) return {};
  return make_error(Errc::invalid_config,
                    "table(s) " + with_rows + " match tables but are not in publication " + name +
                        " and already hold rows, which no stream will carry (created, re-created "
                        "or newly matched after the slot started): run ALTER PUBLICATION " +
                        PgConnection::quote_ident(name) +
                        " ADD TABLE <table>; to capture their changes from then on (the rows "
                        "already there are not sent), or leave them out with tables.exclude");
}

}  // namespace cdc::postgres
