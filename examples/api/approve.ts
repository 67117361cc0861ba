/**
 * Approve access requests through the portal REST API with a client generated from its OpenAPI
 * document (openapi-typescript + openapi-fetch; regenerate the types with `npm run api:client`).
 *
 *   PORTICO_URL=https://portal.example.com PORTICO_TOKEN=… npx tsx examples/api/approve.ts <request id>…
 *
 * Prints one JSON line per request ({ requestId, status, … } or the problem) and exits 1 when any
 * was refused. Each approval carries an Idempotency-Key, so running it again after a network error
 * cannot approve twice.
 */
import createClient from "openapi-fetch";
import type { paths } from "../../tests/generated/portal-api";

const baseUrl = process.env.PORTICO_URL;
const token = process.env.PORTICO_TOKEN;
const ids = process.argv.slice(2);
if (!baseUrl || !token || ids.length === 0) {
  console.error("Usage: PORTICO_URL=… PORTICO_TOKEN=… npx tsx examples/api/approve.ts <request id>…");
  process.exit(2);
}

const client = createClient<paths>({ baseUrl: `${baseUrl.replace(/\/$/, "")}/api/v1`, headers: { Authorization: `Bearer ${token}` } });

let refused = 0;
for (const requestId of ids) {
  const { data, error, response } = await client.POST("/access-requests/{requestId}/approve", {
    params: { path: { requestId }, header: { "Idempotency-Key": `approve-${requestId}` } },
    body: { comment: "Approved by the billing system" },
  });
  if (data) {
    console.log(JSON.stringify({ requestId, status: data.status, httpStatus: response.status }));
  } else {
    refused++;
    console.log(JSON.stringify({ requestId, httpStatus: response.status, problem: error }));
  }
}
process.exit(refused > 0 ? 1 : 0);
