// Validates Kubernetes manifests (a multi-document YAML file, or stdin with "-") against the
// Kubernetes OpenAPI schemas as packaged by kubernetes-models, and the Prometheus Operator's
// CRD schemas (@kubernetes-models/prometheus-operator). Prints one line per object, and one line
// per problem with the object and the JSON path; exits 1 if any object is invalid, of a kind it
// has no schema for (an unknown kind is never passed unchecked), or has a field its kind does
// not define (strict-fields.mjs: the schemas alone let unknown fields through).
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { unknownFields } from "./strict-fields.mjs";

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
const verdicts = [];  // [name, problems] per object, printed once the strict check has run
const typed = [];  // objects with a schema, for the strict check
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
    verdicts.push([name, ["no schema for this apiVersion and kind"]]);
    continue;
  }
  const problems = [];
  try {
    new Model(obj).validate();
  } catch (e) {
    const errors = e.errors ?? [{ instancePath: "", message: e.message }];
    for (const err of errors) {
      const extra = err.params?.additionalProperty ? ` '${err.params.additionalProperty}'` : "";
      problems.push(`${err.instancePath || "/"} ${err.message}${extra}`);
    }
  }
  verdicts.push([name, problems]);
  typed.push({ obj, problems });
}
for (const { index, path, message, unknown } of unknownFields(typed)) {
  const problems = typed[index]?.problems;
  // A wrong type is the schema check's finding, already printed in its words; the compiler's
  // own words count only where the schemas saw nothing wrong.
  if (problems && !unknown && problems.length > 0) continue;
  if (problems) problems.push(`${path} ${message}`);
  else verdicts.push(["(strict field check)", [`${path} ${message}`]]);
}
for (const [name, problems] of verdicts) {
  if (problems.length === 0) console.log(`${name}: valid`);
  for (const problem of problems) console.log(`${name}: ${problem}`);
  if (problems.length > 0) failed++;
}
console.log(`${count} objects, ${failed} invalid`);
process.exit(failed === 0 && count > 0 ? 0 : 1);
