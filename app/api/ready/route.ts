import { env } from "@/lib/env";
import { discardReadyPool, readyPool } from "@/lib/health/ready-pool";
import { readiness, readinessResponse } from "@/lib/health/readiness";

export const dynamic = "force-dynamic";

/**
 * Readiness for orchestrators and load balancers (docs/deploy.md): 200 when PostgreSQL answers within
 * 2 s and every migration of this build is applied, else 503 with what is wrong. No sign-in needed.
 */
export async function GET() {
  const result = await readiness(readyPool(env.DATABASE_URL));
  if (result.checks.database.status !== "ok") discardReadyPool();
  return readinessResponse(result);
}
