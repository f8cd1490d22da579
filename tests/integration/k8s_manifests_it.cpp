// deploy/k8s: the example overlay (and the base) rendered by `kubectl kustomize`, every object
// validated against the Kubernetes OpenAPI schemas and the Prometheus Operator's CRD schemas
// (tools/k8s-validate: kubernetes-models from npm) and for fields their kinds do not define
// (strict-fields.mjs), the group's promises checked (check-group.mjs), and the ConfigMap's
// pipeline file accepted by `sluice validate`. Offline.

#include <doctest/doctest.h>

#include <fstream>

#include "tests/support/child_process.h"
#include "tests/support/services_env.h"

using namespace cdc::testing;
using namespace std::chrono_literals;

namespace {

const std::string kK8s = source_dir() + "/deploy/k8s";
const std::string kTools = source_dir() + "/tools/k8s-validate";

CommandResult render(const std::string& dir) {
  return run_command({"/usr/bin/env", "kubectl", "kustomize", dir}, 60s);
}

CommandResult node(const std::string& script, std::vector<std::string> args) {
  args.insert(args.begin(), {"/usr/bin/env", "node", kTools + "/" + script});
  // The strict field check compiles the manifests (a few CPU seconds); a loaded machine stretches
  // that.
  return run_command(args, 180s);
}

std::string write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("k8s: the example overlay renders and every object is valid") {
  const std::string dir = make_temp_dir("sluice-k8s-it");
  const auto overlay = render(kK8s + "/overlays/example");
  INFO(overlay.err);
  REQUIRE(overlay.exit_code == 0);
  const std::string rendered = write(dir + "/example.yaml", overlay.out);

  const auto valid = node("validate.mjs", {rendered});
  INFO(valid.out << valid.err);
  CHECK(valid.exit_code == 0);
  for (const char* line :
       {"v1/ConfigMap orders-sluice-pipeline-", "v1/Secret orders-sluice-secrets-",
        "v1/Service orders-sluice: valid\n", "apps/v1/StatefulSet orders-sluice: valid\n",
        "monitoring.coreos.com/v1/PodMonitor orders-sluice: valid\n", "5 objects, 0 invalid\n"}) {
    CHECK_MESSAGE(valid.out.find(line) != std::string::npos, line);
  }

  const auto group = node("check-group.mjs", {rendered, dir + "/pipeline.yaml"});
  INFO(group.out << group.err);
  CHECK(group.exit_code == 0);
  CHECK(group.out.find("FAIL") == std::string::npos);
  CHECK(group.out.find("ok: replicas: 1 (one writer per pipeline)\n") != std::string::npos);
  CHECK(group.out.find("ok: a PodMonitor selecting exactly this group's pod\n") !=
        std::string::npos);
  CHECK(group.out.rfind("0 failed\n") == group.out.size() - 9);

  // The pipeline file the pod runs is a valid sluice file (its secrets come from the Secret).
  const auto ok = run_command({"/usr/bin/env", "MYSQL_PASSWORD=x", "KAFKA_SASL_PASSWORD=y",
                               sluice_binary(), "validate", dir + "/pipeline.yaml"},
                              60s);
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("pipeline.yaml: ok (1 pipeline)") != std::string::npos);

  // The base alone renders and validates too.
  const auto base = render(kK8s + "/base");
  REQUIRE(base.exit_code == 0);
  const auto base_valid = node("validate.mjs", {write(dir + "/base.yaml", base.out)});
  INFO(base_valid.out);
  CHECK(base_valid.exit_code == 0);
  CHECK(base_valid.out.find("4 objects, 0 invalid\n") != std::string::npos);
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("k8s: the validators refuse what they are there to refuse") {
  const std::string dir = make_temp_dir("sluice-k8s-it");
  const auto overlay = render(kK8s + "/overlays/example");
  REQUIRE(overlay.exit_code == 0);

  // Schema: a replica count that is not an integer, a pull policy Kubernetes does not know,
  // and a kind without a schema.
  std::string bad = replaced(overlay.out, "replicas: 1", "replicas: one");
  bad = replaced(bad, "imagePullPolicy: IfNotPresent", "imagePullPolicy: Sometimes");
  bad += "---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n";
  const auto invalid = node("validate.mjs", {write(dir + "/bad.yaml", bad)});
  INFO(invalid.out << invalid.err);
  CHECK(invalid.exit_code == 1);
  CHECK(invalid.out.find("apps/v1/StatefulSet orders-sluice: /spec/replicas must be integer\n") !=
        std::string::npos);
  CHECK(invalid.out.find("apps/v1/StatefulSet orders-sluice: /spec/template/spec/containers/0/"
                         "imagePullPolicy must be equal to one of the allowed values\n") !=
        std::string::npos);
  CHECK(invalid.out.find("example.com/v1/Widget w: no schema for this apiVersion and kind\n") !=
        std::string::npos);
  CHECK(invalid.out.find("6 objects, 2 invalid\n") != std::string::npos);

  // Fields the kinds do not define, which the schemas let through (the API server would drop
  // them with a warning, and `kubectl --validate=strict` refuse them): every one is named, at
  // any depth, in a built-in kind and in the Prometheus Operator's.
  std::string unknown = replaced(overlay.out, "  replicas: 1\n", "  replicas: 1\n  replica: 2\n");
  unknown = replaced(unknown, "imagePullPolicy: IfNotPresent\n",
                     "imagePullPolicy: IfNotPresent\n        imagePullPolicyy: Always\n");
  unknown = replaced(unknown, "  podMetricsEndpoints:\n",
                     "  scrapeTimeoutt: 5s\n  podMetricsEndpoints:\n");
  const auto strict = node("validate.mjs", {write(dir + "/unknown.yaml", unknown)});
  INFO(strict.out << strict.err);
  CHECK(strict.exit_code == 1);
  CHECK(strict.out.find("apps/v1/StatefulSet orders-sluice: /spec/replica unknown field 'replica' "
                        "(not in IStatefulSetSpec)\n") != std::string::npos);
  CHECK(
      strict.out.find("apps/v1/StatefulSet orders-sluice: /spec/template/spec/containers/0/"
                      "imagePullPolicyy unknown field 'imagePullPolicyy' (not in IContainer)\n") !=
      std::string::npos);
  CHECK(strict.out.find("monitoring.coreos.com/v1/PodMonitor orders-sluice: /spec/scrapeTimeoutt "
                        "unknown field 'scrapeTimeoutt'") != std::string::npos);
  CHECK(strict.out.find("5 objects, 2 invalid\n") != std::string::npos);

  // The group's rules: two replicas, a writable root filesystem, a grace period too short.
  std::string loose = replaced(overlay.out, "replicas: 1", "replicas: 2");
  loose = replaced(loose, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false");
  loose =
      replaced(loose, "terminationGracePeriodSeconds: 120", "terminationGracePeriodSeconds: 30");
  const auto group = node("check-group.mjs", {write(dir + "/loose.yaml", loose), dir + "/p.yaml"});
  INFO(group.out << group.err);
  CHECK(group.exit_code == 1);
  CHECK(group.out.find("FAIL: replicas: 1 (one writer per pipeline)\n") != std::string::npos);
  CHECK(group.out.find("FAIL: read-only root filesystem\n") != std::string::npos);
  CHECK(
      group.out.find("FAIL: terminationGracePeriodSeconds 30 > checkpoint interval 1 s + 60 s\n") !=
      std::string::npos);
  CHECK(group.out.find("3 failed\n") != std::string::npos);
  std::system(("rm -rf '" + dir + "'").c_str());
}
