import { apiDocument } from "@/lib/api/document";
import { operations } from "@/lib/api/operations";
import { env } from "@/lib/env";
import { apiSecurityHeaders } from "@/lib/http/security-headers";

export const dynamic = "force-dynamic";

/** The OpenAPI 3.1 document of /api/v1, generated from the routes' zod schemas. */
export function GET() {
  return Response.json(apiDocument(operations, env.baseUrl), {
    headers: { ...apiSecurityHeaders(env.baseUrl), "Cache-Control": "public, max-age=300" },
  });
}
