#include "config/yaml_tree.h"

#include <map>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

namespace cdc::config::detail {
namespace {

class TreeBuilder final : public YAML::EventHandler {
 public:
  explicit TreeBuilder(std::string_view text) : text_(text) {}
  std::vector<YamlNode> documents;

  void OnDocumentStart(const YAML::Mark&) override { stack_.clear(); }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode n = make(YamlNode::Kind::null, mark);
    // Keep the spelling of an explicit null, so that `type: null` can name the null sink.
    if (!mark.is_null() && mark.pos >= 0 && static_cast<size_t>(mark.pos) < text_.size()) {
      for (std::string_view word : {"null", "Null", "NULL", "~"}) {
        if (text_.substr(static_cast<size_t>(mark.pos), word.size()) == word) {
          n.value = std::string(word);
          break;
        }
      }
    }
    finish(std::move(n), anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      finish(make(YamlNode::Kind::null, mark), 0);
      return;
    }
    // Aliases are copied; a chain of them could blow up exponentially ("billion laughs"), so
    // the copy's size is checked before any of it is made.
    const size_t nodes = count(it->second);
    if (nodes > kMaxCopiedNodes - copied_nodes_) {
      throw std::length_error("too many alias expansions (more than 100000 nodes)");
    }
    copied_nodes_ += nodes;
    YamlNode copy(it->second);
    finish(std::move(copy), 0);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode n = make(YamlNode::Kind::scalar, mark);
    n.value = value;
    n.plain = tag == "?";
    finish(std::move(n), anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    stack_.push_back({make(YamlNode::Kind::sequence, mark), anchor});
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    stack_.push_back({make(YamlNode::Kind::mapping, mark), anchor});
  }
  void OnMapEnd() override {
    // Mapping children were collected as alternating key, value in `items`.
    YamlNode& m = stack_.back().node;
    for (size_t i = 0; i + 1 < m.items.size(); i += 2) {
      YamlNode& value = m.items[i + 1];
      if (value.kind == YamlNode::Kind::null && value.value.empty()) {
        // yaml-cpp marks an omitted value (`key:`) at the next token, often the next line.
        value.line = m.items[i].line;
        value.column = m.items[i].column;
      }
      m.entries.emplace_back(std::move(m.items[i]), std::move(value));
    }
    m.items.clear();
    close();
  }

 private:
  struct Open {
    YamlNode node;
    YAML::anchor_t anchor;
  };

  static constexpr size_t kMaxCopiedNodes = 100'000;

  static size_t count(const YamlNode& n) {
    size_t c = 1;
    for (const YamlNode& i : n.items) c += count(i);
    for (const auto& [k, v] : n.entries) c += count(k) + count(v);
    return c;
  }

  static YamlNode make(YamlNode::Kind kind, const YAML::Mark& mark) {
    YamlNode n;
    n.kind = kind;
    if (!mark.is_null()) {
      n.line = mark.line + 1;
      n.column = mark.column + 1;
    }
    return n;
  }
  void close() {
    Open done = std::move(stack_.back());
    stack_.pop_back();
    finish(std::move(done.node), done.anchor);
  }
  void finish(YamlNode n, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = n;
    if (stack_.empty()) {
      documents.push_back(std::move(n));
    } else {
      stack_.back().node.items.push_back(std::move(n));
    }
  }

  std::string_view text_;  // the parsed text; outlives the builder
  std::vector<Open> stack_;
  size_t copied_nodes_ = 0;
  std::map<YAML::anchor_t, YamlNode> anchors_;
};

}  // namespace

YamlParse parse_yaml(std::string_view text) {
  YamlParse out;
  TreeBuilder builder(text);
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::Exception& e) {
    YamlSyntaxError err;
    if (!e.mark.is_null()) {
      err.line = e.mark.line + 1;
      err.column = e.mark.column + 1;
    }
    err.message = e.msg;
    out.error = std::move(err);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    out.error = YamlSyntaxError{0, 0, e.what()};
  }
  out.documents = std::move(builder.documents);
  return out;
}

}  // namespace cdc::config::detail
