import { type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, createDocument } from "zod-openapi";
import { ROLE_HELP, ROLE_LABELS } from "@/lib/api-access/grants";
import { WEBHOOKS_DESCRIPTION, WEBHOOKS_TAG, webhooksDocument } from "@/lib/webhooks/webhooks-document";
import type { Operation } from "./operation";
import { problemSchema } from "./problem";
import { API_PREFIX } from "./router";

const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: problemSchema } },
});

/**
 * The OpenAPI 3.1 document, generated from the operations' own zod schemas (never written by
 * hand), with the webhook events' payloads as `webhooks` (lib/webhooks/webhooks-document.ts);
 * served at /api/v1/openapi.json and rendered at /docs/api.
 */
export function apiDocument(operations: readonly Operation[], serverUrl: string) {
  const paths: ZodOpenApiPathsObject = {};
  for (const op of operations) {
    const roles = op.roles.map((r) => ROLE_LABELS[r]).join(", ");
    const entry: ZodOpenApiOperationObject = {
      operationId: op.operationId,
      summary: op.summary,
      description: `${op.description ? `${op.description}\n\n` : ""}**Roles:** ${roles}.`,
      tags: [op.tag],
      "x-roles": [...op.roles],
      security: [{ bearer: [] }],
      // zod-openapi reads every key it is given: an operation without path or query parameters leaves it out
      requestParams: { ...(op.params ? { path: op.params } : {}), ...(op.query ? { query: op.query } : {}) },
      ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: op.body } } } } : {}),
      ...(op.method === "POST"
        ? {
            parameters: [
              {
                name: "Idempotency-Key",
                in: "header",
                required: false,
                description: "Replays the first successful answer for 24 h when sent again with the same body (422 with another body, 409 while the first is in flight); a refusal is not kept, so a retry runs again.",
                schema: { type: "string", maxLength: 255 },
              },
            ],
          }
        : {}),
      responses: {
        ...Object.fromEntries(
          Object.entries(op.responses).map(([status, r]) => [
            status,
            {
              description: r.description,
              ...(r.schema ? { content: { [r.contentType ?? "application/json"]: { schema: r.schema } } } : {}),
              ...(r.headers
                ? { headers: Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: "string" } }])) }
                : {}),
            },
          ]),
        ),
        "400": problemResponse("The body is not JSON."),
        "401": problemResponse("No token, or one that is expired, removed, forged or not from this portal."),
        "403": problemResponse("The token's roles do not allow this call; `requiredRoles` names those that would."),
        "404": problemResponse("No such operation or resource (or one outside the token's product scope)."),
        "409": problemResponse("A conflict: already decided, a duplicate, or an Idempotency-Key in flight."),
        "413": problemResponse("The body is larger than 64 KiB."),
        "415": problemResponse("The body is not sent as application/json."),
        "422": problemResponse("Invalid input; `errors` lists each field's problem."),
        "500": problemResponse("A fault on the portal's side; nothing was changed."),
        "503": problemResponse("The portal cannot reach its database. `detail` says whether nothing was changed or the change may have been saved (then read it back, or retry with the same Idempotency-Key). Retry after `Retry-After` seconds."),
      },
    };
    const path = (paths[op.path] ??= {}) as Record<string, ZodOpenApiOperationObject>;
    path[op.method.toLowerCase()] = entry;
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Portico portal API",
      version: "1.0.0",
      description: [
        "Drive the portal from other applications: products and plans, access requests and their decisions, keys, apps, users and the audit log.",
        "Authenticate with an API access key (`Authorization: Bearer <token>`), created by an admin at /admin/api-keys. Roles:",
        ...Object.entries(ROLE_LABELS).map(([r, label]) => `- **${label}**: ${ROLE_HELP[r as keyof typeof ROLE_HELP]}`),
        "Errors are RFC 9457 problem details. Lists use cursor pagination (`cursor`, `limit` ≤ 200) with the next cursor in the body and a `Link` header.",
        `The portal also calls you: the events it posts to webhook endpoints are described under \`webhooks\` (tag **${WEBHOOKS_TAG}**).`,
      ].join("\n"),
    },
    servers: [{ url: `${serverUrl}${API_PREFIX}` }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    paths,
    webhooks: webhooksDocument(),
    // Every tag, in the operations' order: a renderer given a tag list shows only the tags in it.
    tags: [...[...new Set(operations.map((op) => op.tag))].map((name) => ({ name })), { name: WEBHOOKS_TAG, description: WEBHOOKS_DESCRIPTION }],
  });
}
