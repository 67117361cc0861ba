import { validate } from "@readme/openapi-parser";
import { parse as parseYaml } from "yaml";

/** Server actions accept 1 MB bodies; a document this size leaves room for the rest of the form. */
export const MAX_OPENAPI_LENGTH = 500_000;

/** One thing wrong with a document: where (a path such as `info` or `paths › /b › get`, "" for the whole) and what. */
export type OpenApiProblem = { path: string; message: string };
export type OpenApiCheck = { ok: true; title: string; version: string } | { ok: false; message: string; problems: OpenApiProblem[] };

const failure = (message: string, problems: OpenApiProblem[] = [{ path: "", message }]): OpenApiCheck => ({ ok: false, message, problems });

/**
 * Checks an OpenAPI (3.x) or Swagger (2.0) document given as JSON or YAML text. The text is parsed
 * here, never handed to the validator as a string (which it would read as a file path or URL), and
 * every `$ref` must point inside the document: a stored document never makes the server or a
 * visitor's browser fetch anything.
 */
export async function checkOpenApi(text: string): Promise<OpenApiCheck> {
  if (text.length > MAX_OPENAPI_LENGTH) {
    return failure(`The document is over ${MAX_OPENAPI_LENGTH.toLocaleString("en")} characters. Remove unused parts or examples.`);
  }
  let doc: unknown;
  try {
    // YAML 1.2 is a superset of JSON, so one parser reads both and reports the line of a mistake.
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    const first = error instanceof Error ? (error.message.split("\n")[0] ?? "") : "";
    return failure(`This is not valid JSON or YAML: ${first.replace(/:$/, "")}.`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
    return failure("This is not an OpenAPI document: it should start with `openapi: 3.x` (or `swagger: \"2.0\"`).");
  }
  const external = externalRef(doc);
  if (external) {
    return failure(`Every $ref must point inside the document (start with #); “${external}” points elsewhere. Bundle the document first.`);
  }
  try {
    const result = await validate(structuredClone(doc) as never, {
      resolve: { external: false },
      timeoutMs: 5000,
      validate: { errors: { colorize: false } },
    });
    if (!result.valid) {
      const more = result.errors.length - 1 + result.additionalErrors;
      const detail = describe(result.errors[0]?.message ?? "");
      // The validator points at lines of the document printed as JSON with two-space indents.
      const pathAt = linePaths(doc);
      const problems = result.errors.map((e) => ({ path: pathOf(e.message, pathAt), message: describe(e.message, false) }));
      if (result.additionalErrors > 0) problems.push({ path: "", message: `and ${result.additionalErrors} more of the same kind` });
      return failure(`The OpenAPI document is not valid: ${detail}${more > 0 ? ` (and ${more} more ${more === 1 ? "problem" : "problems"})` : ""}.`, problems);
    }
  } catch (error) {
    return failure(`The OpenAPI document is not valid: ${error instanceof Error ? error.message.split("\n")[0] : "it could not be read"}.`);
  }
  const info = (doc as { info?: { title?: unknown; version?: unknown } }).info;
  return { ok: true, title: String(info?.title ?? ""), version: String(info?.version ?? "") };
}

/** The validator's message is a headline plus a code frame; keep the headline and the frame's pointer. */
function describe(message: string, near = true) {
  const lines = message.split("\n");
  const headline = (lines[0] ?? "").replace(/^[A-Z][A-Z ]+[A-Z] (?=[a-z`'"/#])/, "").trim();
  const marked = lines.find((l) => /^>\s*\d+ \|/.test(l))?.replace(/^>\s*\d+ \|\s*/, "").trim();
  const hint = lines
    .find((l) => /^\s*\|\s*\^/.test(l))
    ?.replace(/^\s*\|\s*\^+\s*/, "")
    .trim();
  const where = marked && near ? ` near ${marked}` : "";
  const extra = hint && !hint.endsWith(headline.replace(/\.$/, "")) ? ` — ${hint.replace(/!$/, "")}` : "";
  return `${headline.replace(/\.$/, "")}${extra}${where}`.trim() || "it does not follow the specification";
}

/** The first `$ref` that does not point inside the document, if any (iterative: documents can nest deeply). */
function externalRef(doc: object): string | null {
  const stack: unknown[] = [doc];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== "object" || seen.has(node)) continue;
    seen.add(node);
    if (!Array.isArray(node)) {
      const ref = (node as { $ref?: unknown }).$ref;
      if (typeof ref === "string" && !ref.startsWith("#")) return ref;
    }
    stack.push(...Object.values(node));
  }
  return null;
}

/** The line number the validator's code frame marks (`> 12 | …`), mapped to its place in the document. */
function pathOf(message: string, pathAt: string[][]) {
  const line = message.split("\n").find((l) => /^>\s*\d+ \|/.test(l));
  const n = line ? Number(/^>\s*(\d+)/.exec(line)?.[1]) : Number.NaN;
  const path = pathAt[n - 1];
  return path ? path.join(" › ") : "";
}

/**
 * For each line of JSON.stringify(doc, null, 2), the path of the value that line opens (or closes):
 * the same lines the validator's code frames number.
 */
function linePaths(doc: unknown): string[][] {
  const lines: string[][] = [[]];
  const walk = (value: unknown, path: string[]) => {
    if (value === null || typeof value !== "object") return;
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    for (const [key, child] of entries) {
      const childPath = [...path, Array.isArray(value) ? `[${key}]` : key];
      lines.push(childPath);
      walk(child, childPath);
    }
    lines.push(path);
  };
  walk(doc, []);
  return lines;
}
