// Finds fields Kubernetes does not know: the OpenAPI schemas that validate.mjs checks against
// allow any extra property (as the API server's non-strict decoding does, which drops them with a
// warning), so a misspelt `imagePullPolicy` or a field at the wrong level passes them unnoticed.
// `kubectl --validate=strict` would refuse such a field but needs a running API server; here
// the typed interfaces of the same packages do it offline: each object becomes a TypeScript
// object literal of its kind's interface, and the compiler's excess-property check names every
// field that is not in the interface, at any depth.
import ts from "typescript";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

const modulePrefix = {
  "v1": "kubernetes-models/v1/",
  "apps/v1": "kubernetes-models/apps/v1/",
  "policy/v1": "kubernetes-models/policy/v1/",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1/",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/",
};

// Writes `value` as TypeScript, one property or element per line, and records the JSON path of
// each line so that a diagnostic's line names the field.
function literal(value, path, indent, lines, paths) {
  const pad = "  ".repeat(indent);
  const open = (text) => {
    lines[lines.length - 1] += text;
  };
  if (Array.isArray(value)) {
    open("[");
    value.forEach((item, i) => {
      lines.push(pad + "  ");
      paths.push(`${path}/${i}`);
      literal(item, `${path}/${i}`, indent + 1, lines, paths);
      open(",");
    });
    lines.push(pad + "]");
    paths.push(path);
  } else if (value !== null && typeof value === "object") {
    open("{");
    for (const [key, item] of Object.entries(value)) {
      lines.push(`${pad}  ${JSON.stringify(key)}: `);
      paths.push(`${path}/${key}`);
      literal(item, `${path}/${key}`, indent + 1, lines, paths);
      open(",");
    }
    lines.push(pad + "}");
    paths.push(path);
  } else {
    open(JSON.stringify(value));
  }
}

// Deletes the field at a JSON path ("/spec/replica") so that the next pass can look past it.
function remove(obj, path) {
  const keys = path.split("/").slice(1);
  const last = keys.pop();
  let node = obj;
  for (const key of keys) node = node?.[key];
  if (node == null || typeof node !== "object" || !(last in node)) return false;
  delete node[last];
  return true;
}

// The compiler stops at the first unknown field of each object, so the check runs again without
// the fields it found until it finds no more (each later pass reuses the parsed declarations).
const kMaxPasses = 50;

// objects: [{ obj }] with a known apiVersion and kind. Returns [{ index, path, message, unknown }]:
// index into `objects` (-1: the check itself failed), `unknown` for a field the kind does not
// define, false for any other compiler finding (a wrong type, which the schema check reports in
// its own words).
export function unknownFields(objects) {
  const copies = objects.map(({ obj }) => ({ obj: structuredClone(obj) }));
  const dir = mkdtempSync(join(here, ".strict-"));
  const problems = [];
  try {
    const file = join(dir, "manifests.mts");
    let program;
    for (let pass = 0; pass < kMaxPasses; pass++) {
      const found = check(copies, file, program);
      program = found.program;
      let removed = 0;
      for (const problem of found.problems) {
        problems.push(problem);
        const copy = copies[problem.index];
        if (problem.unknown && copy && remove(copy.obj, problem.path)) removed++;
      }
      if (removed === 0 || removed < found.problems.length) break;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

function check(objects, file, oldProgram) {
  const lines = [];
  const paths = [];
  const owner = [];
  const imports = new Set();
  objects.forEach(({ obj }, i) => {
    const type = `I${obj.kind}`;
    imports.add(`import type { ${type} } from "${modulePrefix[obj.apiVersion]}${obj.kind}";`);
    lines.push(`export const o${i}: ${type} = `);
    paths.push("/");
    const first = lines.length - 1;
    literal(obj, "", 0, lines, paths);
    lines[lines.length - 1] += ";";
    for (let l = first; l < lines.length; l++) owner[l] = i;
  });
  const header = [...imports];
  writeFileSync(file, [...header, ...lines].join("\n") + "\n");
  const program = ts.createProgram({
    rootNames: [file],
    options: {
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      types: [],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
    },
    oldProgram,
  });
  const problems = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (!d.file || d.file.fileName !== file) {
      problems.push({ index: -1, path: "/", message, unknown: false });
      continue;
    }
    const line = d.file.getLineAndCharacterOfPosition(d.start).line - header.length;
    const known = message.match(/'"?([^'"]+)"?' does not exist in type '([^']+)'/);
    problems.push({
      index: owner[line] ?? -1,
      path: paths[line] ?? "/",
      message: known ? `unknown field '${known[1]}' (not in ${known[2]})` : message,
      unknown: known != null,
    });
  }
  return { program, problems };
}
