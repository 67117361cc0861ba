import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

type Json = Record<string, unknown>;
type MediaObject = { schema?: Json };
type ResponseObject = { content?: Record<string, MediaObject> };
type OperationObject = { operationId: string; responses: Record<string, ResponseObject> };
export type ApiDocument = { paths: Record<string, Record<string, OperationObject>>; components?: { schemas?: Record<string, Json> } };

const COMPONENT_REF = "#/components/schemas/";
const COMPONENT_ID = "urn:portico:components:";

/** `#/components/schemas/X` → an id Ajv knows (each component is added as its own schema). */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === "$ref" && typeof v === "string" && v.startsWith(COMPONENT_REF) ? COMPONENT_ID + v.slice(COMPONENT_REF.length) : rewriteRefs(v)]),
    );
  }
  return value;
}

const mediaType = (contentType: string | null) => (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

export class ContractViolation extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly problems: string,
    readonly ajvErrors: ErrorObject[] = [],
  ) {
    super(`API response does not match the OpenAPI document: ${operation} answered ${status}: ${problems}${ajvErrors.length ? `\n${JSON.stringify(ajvErrors, null, 2)}` : ""}`);
    this.name = "ContractViolation";
  }
}

/**
 * A response validator driven only by the OpenAPI document: finds the operation of a method and
 * path, requires the status to be documented for it, the content type to be one documented for that
 * status, and the body to match its JSON Schema (Ajv, draft 2020-12, with formats and the
 * document's components). Throws a ContractViolation naming the operation, status and Ajv errors.
 */
export function responseValidator(doc: ApiDocument) {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    ajv.addSchema(rewriteRefs(schema) as Json, COMPONENT_ID + name);
  }
  const compiled = new Map<Json, ValidateFunction>();
  const compile = (schema: Json) => {
    let v = compiled.get(schema);
    if (!v) {
      v = ajv.compile(rewriteRefs(schema) as Json);
      compiled.set(schema, v);
    }
    return v;
  };
  const problemSchema = { $ref: `${COMPONENT_REF}Problem` };

  const routes = Object.entries(doc.paths)
    .flatMap(([template, item]) =>
      Object.entries(item).map(([method, op]) => {
        const names = [...template.matchAll(/\{(\w+)\}/g)].length;
        const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, "[^/]+");
        return { method: method.toUpperCase(), pattern: new RegExp(`^${source}$`), names, op, template };
      }),
    )
    // static paths win over templated ones, as in the router
    .sort((a, b) => a.names - b.names);

  /** The documented operation of a call (path relative to /api/v1, query string allowed). */
  function operationOf(method: string, path: string) {
    const pathname = new URL(path, "http://x").pathname.replace(/^\/api\/v1(?=\/)/, "");
    const onPath = routes.filter((r) => r.pattern.test(pathname));
    return { onPath, hit: onPath.find((r) => r.method === method.toUpperCase()) };
  }

  function validate(method: string, path: string, status: number, contentType: string | null, body: unknown) {
    // HEAD is answered as GET without a body (RFC 9110): the GET operation's statuses, no body
    const head = method.toUpperCase() === "HEAD";
    const { onPath, hit } = operationOf(head ? "GET" : method, path);
    const type = mediaType(contentType);
    if (head && (body !== undefined && body !== "")) throw new ContractViolation(`HEAD ${path}`, status, "a HEAD answer has a body");
    if (!hit) {
      // no operation here: only the router's own 404 / 405, as a problem
      const label = `${method.toUpperCase()} ${path} (no operation)`;
      if (!(status === 404 && onPath.length === 0) && !(status === 405 && onPath.length > 0) && status !== 503) throw new ContractViolation(label, status, "no documented operation has this method and path");
      if (head) return;
      if (type !== "application/problem+json") throw new ContractViolation(label, status, `content type ${type || "(none)"} is not application/problem+json`);
      const v = compile(problemSchema);
      if (!v(body)) throw new ContractViolation(label, status, "the body does not match Problem", v.errors ?? []);
      return;
    }
    const label = `${hit.op.operationId} (${hit.method} ${hit.template})`;
    const response = hit.op.responses[String(status)];
    if (!response) throw new ContractViolation(label, status, `status ${status} is not documented (documented: ${Object.keys(hit.op.responses).join(", ")})`);
    if (head) return;
    const content = response.content;
    const empty = body === undefined || body === "";
    if (!content || Object.keys(content).length === 0) {
      if (!empty) throw new ContractViolation(label, status, "a body was sent where the document declares none");
      return;
    }
    const media = content[type];
    if (!media) throw new ContractViolation(label, status, `content type ${type || "(none)"} is not documented (documented: ${Object.keys(content).join(", ")})`);
    if (!media.schema) return;
    const v = compile(media.schema);
    if (!v(body)) throw new ContractViolation(label, status, "the body does not match the response schema", v.errors ?? []);
  }

  return { validate, operationOf };
}
