#include "config/problem.h"

#include <algorithm>
#include <tuple>

namespace cdc::config {

std::string Problem::to_string() const {
  std::string out = file;
  if (line > 0) {
    // Appended piecewise: g++ 12 warns falsely (-Wrestrict, PR 105329) on "lit" + std::string.
    out += ':';
    out += std::to_string(line);
    out += ':';
    out += std::to_string(column);
  }
  out += ": ";
  if (!key_path.empty()) out += key_path + ": ";
  out += message;
  return out;
}

bool ProblemList::before(const Entry& a, const Entry& b) {
  const auto key = [](const Entry& e) {
    return std::tuple(e.problem.line == 0 ? 0 : 1, e.problem.line, e.problem.column, e.seq);
  };
  return key(a) < key(b);
}

void ProblemList::add(Problem p) {
  Entry e{std::move(p), total_++};
  if (heap_.size() < limit_) {
    heap_.push_back(std::move(e));
    std::push_heap(heap_.begin(), heap_.end(), before);
  } else if (limit_ > 0 && before(e, heap_.front())) {
    std::pop_heap(heap_.begin(), heap_.end(), before);
    heap_.back() = std::move(e);
    std::push_heap(heap_.begin(), heap_.end(), before);
  }
}

std::vector<Problem> ProblemList::take() {
  std::sort_heap(heap_.begin(), heap_.end(), before);
  std::vector<Problem> out;
  out.reserve(heap_.size());
  for (Entry& e : heap_) out.push_back(std::move(e.problem));
  heap_.clear();
  total_ = 0;
  return out;
}

}  // namespace cdc::config
