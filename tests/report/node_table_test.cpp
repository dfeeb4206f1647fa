// The per-node table of --all-addresses (report/node_table.hpp).
#include <catch2/catch.hpp>

#include "report/node_table.hpp"
#include "support/result_builder.hpp"

namespace wsprobe {
namespace {

using testing::diagnosed_node;
using testing::Scheme;

TargetResult parent_with_nodes() {
  TargetResult parent = testing::healthy(Scheme::ws);
  parent.stages.resize(1);
  parent.observed.dns->addresses = {"192.0.2.1", "192.0.2.2"};
  parent.nodes.push_back(diagnosed_node(testing::healthy(Scheme::ws), "192.0.2.1"));
  parent.nodes.push_back(
      diagnosed_node(testing::failed_at(Scheme::ws, Stage::tcp, Condition::connect_refused, "refused"), "192.0.2.2"));
  return parent;
}

}  // namespace

TEST_CASE("node table: one line per node, each stage's status and time, the node's verdict", "[node_table]") {
  const auto table = render_node_table(parent_with_nodes(), false);
  INFO(table);
  CHECK(table ==
        "  nodes: 2 (1 pass, 1 fail)\n"
        "    node       dns        tcp          upgrade    echo       close      verdict\n"
        "    192.0.2.1  ok 2.00ms  ok 10.0ms    ok 15.0ms  ok 80.0ms  ok 10.0ms  ok\n"
        "    192.0.2.2  ok 2.00ms  FAIL 10.0ms  -          -          -          tcp_refused\n");
}

TEST_CASE("node table: wss nodes get a tls column", "[node_table]") {
  TargetResult parent = testing::healthy(Scheme::wss);
  parent.stages.resize(1);
  parent.nodes.push_back(diagnosed_node(testing::healthy(Scheme::wss), "192.0.2.1"));
  const auto table = render_node_table(parent, false);
  INFO(table);
  CHECK_THAT(table, Catch::Contains(" tls "));
}

TEST_CASE("node table: colour only when asked, and nothing without nodes", "[node_table]") {
  auto parent = parent_with_nodes();
  const auto coloured = render_node_table(parent, true);
  CHECK(coloured.find("\x1b[31mFAIL") != std::string::npos);
  CHECK(coloured.find("\x1b[31mtcp_refused\x1b[0m") != std::string::npos);
  CHECK(render_node_table(parent, false).find('\x1b') == std::string::npos);
  parent.nodes.clear();
  CHECK(render_node_table(parent, false).empty());
}

TEST_CASE("node table: addresses beyond the probed nodes are counted", "[node_table]") {
  auto parent = parent_with_nodes();
  parent.observed.dns->addresses.push_back("192.0.2.3");
  CHECK_THAT(render_node_table(parent, false), Catch::EndsWith("    1 more addresses not probed\n"));
}

}  // namespace wsprobe
