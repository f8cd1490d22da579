#include "cdc/datagen/datagen_source.h"

#include <doctest/doctest.h>

using namespace cdc;

namespace {
datagen::DatagenOptions all_types() {
  datagen::DatagenOptions o;
  o.table = "all_types";
  o.seed = 42;
  o.batch_size = 100;
  o.number_of_rows = 250;
  using K = datagen::ColumnSpec::Kind;
  o.columns = {{.name = "id", .type = "bigint unsigned", .kind = K::sequence, .primary_key = true},
               {.name = "qty", .type = "int", .min = 5, .max = 9},
               {.name = "price", .type = "decimal(8,3)", .min = -2, .max = 2},
               {.name = "flag", .type = "boolean"},
               {.name = "ratio", .type = "double", .min = 0, .max = 1},
               {.name = "name", .type = "varchar(8)", .null_rate = 0.5},
               {.name = "status", .type = "varchar(10)", .values = {"new", "paid"}},
               {.name = "day", .type = "date"},
               {.name = "at", .type = "datetime(3)"},
               {.name = "ts", .type = "timestamp(0)"},
               {.name = "doc", .type = "json"}};
  return o;
}
}  // namespace

TEST_CASE("datagen: rows are a pure function of (seed, row number)") {
  auto a = *datagen::DatagenSource::create(all_types());
  auto b = *datagen::DatagenSource::create(all_types());
  REQUIRE(a->open(Position{}));
  REQUIRE(b->open(DatagenPosition{100}));
  auto first = std::move(*a->poll(std::chrono::milliseconds(10)));
  auto second = std::move(*a->poll(std::chrono::milliseconds(10)));
  auto resumed = std::move(*b->poll(std::chrono::milliseconds(10)));
  REQUIRE(second->events.size() == 100);
  REQUIRE(resumed->events.size() == 100);
  for (size_t i = 0; i < 100; ++i) {
    for (size_t c = 0; c < 11; ++c) {
      CHECK(second->events[i].after[c] == resumed->events[i].after[c]);
    }
  }
  CHECK(first->events[0].after[0].u == 1);
  CHECK(second->events[0].after[0].u == 101);
  CHECK(std::get<DatagenPosition>(second->end).next_row == 200);
}

TEST_CASE(
    "datagen: values respect types, ranges, nulls and lists; the stream ends at number-of-rows") {
  auto src = *datagen::DatagenSource::create(all_types());
  REQUIRE(src->open(Position{}));
  size_t total = 0, nulls = 0;
  bool ended = false;
  for (int i = 0; i < 10 && !ended; ++i) {
    auto batch = std::move(*src->poll(std::chrono::milliseconds(10)));
    REQUIRE(batch);
    for (const auto& e : batch->events) {
      CHECK(e.op == Op::insert);
      CHECK(e.after[1].kind == ValueKind::int64);
      CHECK(e.after[1].i >= 5);
      CHECK(e.after[1].i <= 9);
      CHECK(e.after[2].kind == ValueKind::decimal);
      const std::string_view dec = e.after[2].text;
      CHECK(dec.size() - dec.find('.') - 1 == 3);  // exactly the column's scale
      CHECK(e.after[3].kind == ValueKind::boolean);
      CHECK(e.after[4].d >= 0);
      CHECK(e.after[4].d < 1);
      if (e.after[5].is_null())
        ++nulls;
      else
        CHECK(e.after[5].text.size() == 8);
      CHECK((e.after[6].text == "new" || e.after[6].text == "paid"));
      CHECK(e.after[8].kind == ValueKind::datetime);
      CHECK(e.after[8].aux % 1000 == 0);   // fsp 3
      CHECK(e.after[9].i % 1000000 == 0);  // fsp 0
      CHECK(e.after[10].text.substr(0, 5) == "{\"n\":");
    }
    total += batch->events.size();
    ended = batch->end_of_stream;
  }
  CHECK(ended);
  CHECK(total == 250);
  CHECK(nulls > 75);  // null-rate 0.5 over 250 rows
  CHECK(nulls < 175);
}

TEST_CASE("datagen: bad types and foreign positions are refused") {
  auto o = all_types();
  o.columns[1].type = "geometry";
  auto r = datagen::DatagenSource::create(o);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::invalid_config);
  CHECK(r.error().message.rfind("datagen column 'qty': unsupported datagen column type 'geometry'",
                                0) == 0);
  auto src = *datagen::DatagenSource::create(all_types());
  auto st = src->open(MysqlPosition{{"mysql-bin.000001", 4}, "", 0, 0});
  REQUIRE_FALSE(st);
  CHECK(st.error().message.find("belongs to another source") != std::string::npos);
}
