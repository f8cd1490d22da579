#include <doctest/doctest.h>

#include "sinks/doris/doris_sink.h"

using namespace cdc;
using namespace cdc::sinks::doris;

TEST_CASE("doris labels: deterministic, within Doris's rule, hashed when needed") {
  CHECK(make_label("orders", "shop", "items", 42, 0) == "orders_shop_items_42_0");
  CHECK(make_label("orders", "shop", "items", 42, 3, "_17000") == "orders_shop_items_42_3_17000");
  const std::string odd = make_label("p", "shop-eu", "it$ms", 5, 1);
  CHECK(odd == make_label("p", "shop-eu", "it$ms", 5, 1));
  CHECK(odd.starts_with("p_t"));
  CHECK(odd.ends_with("_5_1"));
  CHECK(odd.size() == std::string("p_t").size() + 16 + std::string("_5_1").size());
  CHECK(make_label("p", "a", "b.c", 1, 0) != make_label("p", "a.b", "c", 1, 0));
  const std::string long_label = make_label("p", std::string(70, 'd'), std::string(70, 't'), 1, 0);
  CHECK(long_label.size() <= 128);
  CHECK(long_label.starts_with("p_t"));
}

TEST_CASE("doris table.identifier") {
  auto r = resolve_identifier("{db}.{table}", TableId{"shop", "items"});
  REQUIRE(r);
  CHECK(*r == std::pair<std::string, std::string>{"shop", "items"});
  r = resolve_identifier("dw.ods_{db}_{table}", TableId{"shop", "items"});
  REQUIRE(r);
  CHECK(*r == std::pair<std::string, std::string>{"dw", "ods_shop_items"});
  CHECK(resolve_identifier("{table}", TableId{"shop", "items"}).error().code ==
        Errc::invalid_config);
  CHECK(!resolve_identifier("{db}.{table}", TableId{"shop", "a.b"}));
}
