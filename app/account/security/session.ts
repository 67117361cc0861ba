import "server-only";
import { cookies } from "next/headers";
import { env } from "@/lib/env";

/**
 * This request's Auth.js session cookie (`__Secure-` when AUTH_URL is https): the session a setup
 * belongs to and a confirmed setup marks as stepped up. Read here, on the server only, and never put
 * in a prop: a value handed to a client component ends up in the page.
 * (Main's lib/auth/guards.ts now exports the same as currentSessionToken(): use it once merged.)
 */
export async function sessionTokenOfRequest() {
  const secure = new URL(env.baseUrl).protocol === "https:";
  return (await cookies()).get(`${secure ? "__Secure-" : ""}authjs.session-token`)?.value ?? null;
}
