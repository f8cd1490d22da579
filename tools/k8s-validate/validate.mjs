// Validates Kubernetes manifests (a multi-document YAML file, or stdin with "-") against the
// Kubernetes OpenAPI schemas as packaged by kubernetes-models, and the Prometheus Operator's
// CRD schemas (@kubernetes-models/prometheus-operator). Prints one line per object, and one line
// per problem with the object and the JSON path; exits 1 if any object is invalid or of a kind
// it has no schema for (an unknown kind is never passed unchecked).
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const models = {
  "v1": await import("kubernetes-models/v1"),
  "apps/v1": await import("kubernetes-models/apps/v1"),
  "policy/v1": await import("kubernetes-models/policy/v1"),
  "networking.k8s.io/v1": await import("kubernetes-models/networking.k8s.io/v1"),
  "monitoring.coreos.com/v1": await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1"),
};

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate.mjs FILE|-");
  process.exit(2);
}
const text = readFileSync(file === "-" ? 0 : file, "utf8");
let failed = 0;
let count = 0;
for (const doc of parseAllDocuments(text)) {
  if (doc.errors.length > 0) {
    console.log(`YAML error: ${doc.errors[0].message}`);
    failed++;
    continue;
  }
  const obj = doc.toJS();
  if (obj == null) continue;
  count++;
  const name = `${obj.apiVersion}/${obj.kind} ${obj.metadata?.name ?? "(no name)"}`;
  const Model = models[obj.apiVersion]?.[obj.kind];
  if (typeof Model !== "function") {
    console.log(`${name}: no schema for this apiVersion and kind`);
    failed++;
    continue;
  }
  try {
    new Model(obj).validate();
    console.log(`${name}: valid`);
  } catch (e) {
    failed++;
    const errors = e.errors ?? [{ instancePath: "", message: e.message }];
    for (const err of errors) {
      const extra = err.params?.additionalProperty ? ` '${err.params.additionalProperty}'` : "";
      console.log(`${name}: ${err.instancePath || "/"} ${err.message}${extra}`);
    }
  }
}
console.log(`${count} objects, ${failed} invalid`);
process.exit(failed === 0 && count > 0 ? 0 : 1);
