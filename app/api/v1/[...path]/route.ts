import { db } from "@/db/client";
import { operations } from "@/lib/api/operations";
import { createApiRouter } from "@/lib/api/router";
import { env } from "@/lib/env";
import { clientIp } from "@/lib/net/client-ip";

export const dynamic = "force-dynamic";

/** The portal REST API (README "API"); each operation lives in lib/api/operations. */
const handle = createApiRouter(operations, () => ({
  db,
  baseUrl: env.baseUrl,
  clientIp: (request) => clientIp(request.headers, env.trustedProxies),
}));

export const GET = handle;
export const POST = handle;
export const PATCH = handle;
export const DELETE = handle;
export const PUT = handle;
