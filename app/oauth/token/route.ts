import { processOAuthServer } from "@/lib/oauth/process-server";

export const dynamic = "force-dynamic";

/** lib/oauth/server.ts. Not a page: no session, no CSRF token; the client authenticates itself. */
export async function POST(request: Request) {
  return processOAuthServer().token(request);
}

export const GET = POST;
