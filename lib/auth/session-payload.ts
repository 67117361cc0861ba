import type { Session } from "next-auth";
import type { UserRole } from "@/db/schema";

type SessionCallbackInput = {
  session: { expires: Date | string };
  user: { id: string; name?: string | null; email?: string | null; image?: string | null; role?: UserRole; disabledAt?: Date | null };
};

/**
 * Auth.js's `session` callback (lib/auth/index.ts): what auth() and GET /api/auth/session return.
 * With database sessions Auth.js hands it the whole sessions row (the token itself, the step-up
 * time) and the whole users row; returning them would put the httpOnly cookie's value within reach
 * of any script on the page. Only what lib/auth/guards.ts currentUser reads goes out.
 */
export function sessionPayload({ session, user }: SessionCallbackInput): Session {
  const expires = session.expires instanceof Date ? session.expires.toISOString() : session.expires;
  return {
    expires,
    user: {
      id: user.id,
      name: user.name ?? null,
      email: user.email ?? null,
      image: user.image ?? null,
      role: user.role ?? "consumer",
      disabled: Boolean(user.disabledAt),
    },
  };
}
