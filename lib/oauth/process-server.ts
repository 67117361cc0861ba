import "server-only";
import { db, sql } from "@/db/client";
import { env } from "@/lib/env";
import { type OAuthServer, createOAuthServer } from "./server";

/** One authorization server per process (its rate-limit counts and signing-key memory are one set). */
export function processOAuthServer(): OAuthServer {
  const g = globalThis as unknown as { porticoOAuth?: OAuthServer };
  g.porticoOAuth ??= createOAuthServer({
    db,
    sql,
    baseUrl: env.baseUrl,
    // The bench lifts the per-client limit to measure the endpoint itself.
    tokenRatePerMinute: Number(process.env.PORTICO_OAUTH_TOKEN_RATE_PER_MINUTE) || undefined,
  });
  return g.porticoOAuth;
}
