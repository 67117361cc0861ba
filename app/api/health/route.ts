export const dynamic = "force-dynamic";

const startedAt = Date.now();

/**
 * Liveness (docs/deploy.md): the process answers. Never touches the database, so an outage there
 * does not get every instance restarted; /api/ready is the check that asks it.
 */
export function GET() {
  return Response.json(
    { status: "ok", checks: { process: { status: "ok", uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000) } } },
    { headers: { "Cache-Control": "no-store" } },
  );
}
