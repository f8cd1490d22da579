// Checks a rendered sluice pipeline group (kubectl kustomize deploy/k8s/overlays/...) for what
// deploy/k8s/README.md promises, one line per check ("ok: ..." or "FAIL: ..."), and writes the
// ConfigMap's pipeline.yaml to OUT so that `sluice validate` can read it. Exit 1 on a failure.
// usage: node check-group.mjs RENDERED.yaml OUT_PIPELINE.yaml
import { readFileSync, writeFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const [rendered, out] = process.argv.slice(2);
const objects = parseAllDocuments(readFileSync(rendered, "utf8")).map((d) => d.toJS()).filter(Boolean);
let failed = 0;
const check = (ok, what) => {
  console.log(`${ok ? "ok" : "FAIL"}: ${what}`);
  if (!ok) failed++;
};
const of = (kind) => objects.filter((o) => o.kind === kind);

const sets = of("StatefulSet");
check(sets.length === 1, "one StatefulSet per group");
const sts = sets[0] ?? { spec: { template: { spec: { containers: [{}] } } } };
const pod = sts.spec.template.spec;
const c = pod.containers[0];
check(sts.spec.replicas === 1, "replicas: 1 (one writer per pipeline)");
check((sts.spec.volumeClaimTemplates ?? []).some((t) => t.metadata.name === "state"),
      "the state dir on a PersistentVolumeClaim (volumeClaimTemplates 'state')");
check((c.volumeMounts ?? []).some((m) => m.name === "state" && m.mountPath === "/var/lib/sluice"),
      "the claim mounted at /var/lib/sluice");
const cm = of("ConfigMap").find((m) => m.data?.["pipeline.yaml"]);
check(cm !== undefined, "the pipeline YAML in a ConfigMap");
check((pod.volumes ?? []).some((v) => v.configMap?.name === cm?.metadata.name) &&
      (c.volumeMounts ?? []).some((m) => m.name === "pipeline" && m.mountPath === "/etc/sluice"),
      "the ConfigMap mounted at /etc/sluice");
check(JSON.stringify(c.args) === JSON.stringify(["run", "/etc/sluice/pipeline.yaml"]),
      "the container runs `sluice run /etc/sluice/pipeline.yaml`");
const secret = of("Secret")[0];
check(secret !== undefined && (c.envFrom ?? []).some((e) => e.secretRef?.name === secret.metadata.name),
      "secrets from a Secret as environment variables (${VAR} in the pipeline file)");
check(c.livenessProbe?.httpGet?.path === "/healthz", "liveness probe on /healthz");
check(c.readinessProbe?.httpGet?.path === "/readyz", "readiness probe on /readyz");
check(pod.securityContext?.runAsNonRoot === true && pod.securityContext?.runAsUser > 0, "non-root");
check(c.securityContext?.readOnlyRootFilesystem === true, "read-only root filesystem");
check(c.securityContext?.allowPrivilegeEscalation === false &&
      JSON.stringify(c.securityContext?.capabilities?.drop) === JSON.stringify(["ALL"]),
      "no privilege escalation, every capability dropped");
check(c.resources?.requests?.memory && c.resources?.limits?.memory, "memory request and limit");
const svc = of("Service")[0];
check(svc !== undefined && svc.metadata.name === sts.spec.serviceName &&
      svc.spec.ports.some((p) => p.name === "metrics"), "the governing Service with the metrics port");
const pm = of("PodMonitor")[0];
const podLabels = sts.spec.template.metadata.labels;
check(pm !== undefined && Object.entries(pm.spec.selector.matchLabels)
        .every(([k, v]) => podLabels[k] === v) &&
      JSON.stringify(pm.spec.selector.matchLabels) === JSON.stringify(sts.spec.selector.matchLabels),
      "a PodMonitor selecting exactly this group's pod");
check(pm?.spec.podMetricsEndpoints?.some((e) => e.port === "metrics" && e.path === "/metrics"),
      "the PodMonitor scrapes /metrics on the metrics port");

// The pipeline file must listen on the pod's IP and keep its state on the claim; the grace
// period must outlast the final checkpoint (interval + the slowest sink timeout, 60 s).
const pipelineText = cm?.data?.["pipeline.yaml"] ?? "";
const pipeline = parseAllDocuments(pipelineText)[0]?.toJS()?.pipeline ?? {};
check(pipeline["metrics.bind-address"] === "0.0.0.0", "pipeline metrics.bind-address: 0.0.0.0");
check(String(pipeline["state.dir"] ?? "").startsWith("/var/lib/sluice/"),
      "pipeline state.dir under /var/lib/sluice/");
check(Number(pipeline["metrics.port"] ?? 9249) === c.ports?.[0]?.containerPort,
      "pipeline metrics.port is the container's metrics port");
const interval = /^(\d+)(ms|s|min)$/.exec(String(pipeline["checkpoint.interval"] ?? "1s"));
const intervalS = interval ? Number(interval[1]) / { ms: 1000, s: 1, min: 1 / 60 }[interval[2]] : NaN;
check(pod.terminationGracePeriodSeconds > intervalS + 60,
      `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} > checkpoint interval ${intervalS} s + 60 s`);
writeFileSync(out, pipelineText);
console.log(`${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
