#include "report/node_table.hpp"

#include <algorithm>
#include <set>

#include "report/paint.hpp"
#include "report/text.hpp"

namespace wsprobe {
namespace {

// One table cell: its words, and the colour they take when colour is on.
struct Cell {
  std::string text;
  Tone tone = Tone::plain;
};

Cell stage_cell(const StageResult& stage) {
  const auto took = " " + text::format_ms(stage.duration);
  switch (stage.status) {
    case StageStatus::ok: return {"ok" + took, Tone::good};
    case StageStatus::warn: return {"warn" + took, Tone::caution};
    case StageStatus::failed: return {"FAIL" + took, Tone::bad};
    case StageStatus::skipped: break;
  }
  return {"-", Tone::muted};
}

Cell verdict_cell(const Verdict& verdict) {
  switch (verdict.status) {
    case VerdictStatus::pass: return {"ok", Tone::good};
    case VerdictStatus::degraded: return {verdict.cause, Tone::caution};
    case VerdictStatus::fail: break;
  }
  return {verdict.cause, Tone::bad};
}

std::string address_of(const TargetResult& node) {
  return text::escape_for_terminal(text::node_address(node).value_or("?"));
}

// The stages that get a column: proxy, tls (ws:// has none) and hold only when some node ran them.
std::vector<Stage> columns_for(const std::vector<TargetResult>& nodes) {
  std::vector<Stage> out;
  for (const auto stage : {Stage::dns, Stage::proxy, Stage::tcp, Stage::tls, Stage::upgrade, Stage::echo, Stage::hold,
                           Stage::close}) {
    const bool optional_stage = stage == Stage::proxy || stage == Stage::tls || stage == Stage::hold;
    const bool ran = std::any_of(nodes.begin(), nodes.end(), [&](const TargetResult& node) {
      const auto* result = find_stage(node, stage);
      return result && result->status != StageStatus::skipped;
    });
    if (!optional_stage || ran) out.push_back(stage);
  }
  return out;
}

}  // namespace

std::string render_node_table(const TargetResult& parent, bool color) {
  const Painter paint(color);
  if (parent.nodes.empty()) return {};
  const auto stages = columns_for(parent.nodes);

  std::vector<std::vector<Cell>> rows;
  std::vector<Cell> header{{"node"}};
  for (const auto stage : stages) header.push_back({std::string(to_string(stage))});
  header.push_back({"verdict"});
  rows.push_back(std::move(header));
  for (const auto& node : parent.nodes) {
    std::vector<Cell> row{{address_of(node)}};
    for (const auto stage : stages) {
      const auto* result = find_stage(node, stage);
      row.push_back(result ? stage_cell(*result) : Cell{"-", Tone::muted});
    }
    row.push_back(verdict_cell(node.verdict));
    rows.push_back(std::move(row));
  }

  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], text::columns(row[i].text));

  std::size_t pass = 0, degraded = 0, fail = 0;
  for (const auto& node : parent.nodes) {
    pass += node.verdict.status == VerdictStatus::pass;
    degraded += node.verdict.status == VerdictStatus::degraded;
    fail += node.verdict.status == VerdictStatus::fail;
  }
  std::string out = "  nodes: " + std::to_string(parent.nodes.size()) + " (" + std::to_string(pass) + " pass";
  if (degraded) out += ", " + std::to_string(degraded) + " degraded";
  if (fail) out += ", " + std::to_string(fail) + " fail";
  out += ")\n";
  for (const auto& row : rows) {
    std::string line = "   ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += " " + paint(row[i].text, row[i].tone);
      if (i + 1 < row.size()) line += std::string(widths[i] - text::columns(row[i].text) + 1, ' ');
    }
    out += line + "\n";
  }

  if (parent.observed.dns) {
    const std::set<std::string> distinct(parent.observed.dns->addresses.begin(), parent.observed.dns->addresses.end());
    if (distinct.size() > parent.nodes.size())
      out += "    " + std::to_string(distinct.size() - parent.nodes.size()) + " more addresses not probed\n";
  }
  return out;
}

}  // namespace wsprobe
