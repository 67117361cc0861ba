import { processOAuthServer } from "@/lib/oauth/process-server";

export const dynamic = "force-dynamic";

/** Authorization server metadata (RFC 8414). */
export function GET() {
  return processOAuthServer().metadata();
}
