import { processOAuthServer } from "@/lib/oauth/process-server";

export const dynamic = "force-dynamic";

/** The public keys access tokens are signed with (RFC 7517): active, next, and recently retired. */
export async function GET() {
  return processOAuthServer().jwks();
}
