import { env } from "@/lib/env";
import { discardReadyPool, readyPool } from "@/lib/health/ready-pool";
import { readiness, readinessResponse, sharedReadiness } from "@/lib/health/readiness";

export const dynamic = "force-dynamic";

/**
 * Readiness for orchestrators and load balancers (docs/deploy.md): 200 when PostgreSQL answers within
 * 2 s and every migration of this build is applied, else 503 with what is wrong. No sign-in needed;
 * answers may be up to a second old.
 */
export async function GET() {
  // One probe at a time and its answer reused for a second (lib/health/readiness.ts): a flood of
  // unauthenticated calls costs the database nothing more.
  const result = await sharedReadiness(async () => {
    const probe = await readiness(readyPool(env.DATABASE_URL));
    if (probe.checks.database.status !== "ok") discardReadyPool();
    return probe;
  });
  return readinessResponse(result);
}
