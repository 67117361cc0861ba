import "server-only";
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { NextResponse } from "next/server";
import { cache } from "react";
import { db } from "@/db/client";
import { databaseUnavailableIn } from "@/db/unavailable";
import { env } from "@/lib/env";
import type { UserRole } from "@/db/schema";
import { authWithSecondFactor } from "./index";
import { REQUESTED_PATH_HEADER, safeCallbackPath, sessionCookieName } from "./links";
import type { UserActor } from "./permissions";
import { readSecondFactorState, secondFactorState, type SecondFactorState } from "@/lib/second-factor/step-up";

/**
 * The signed-in person: an Actor (lib/auth/permissions.ts) with the contact details pages show and
 * their session's second-factor standing. Never the session token itself: a SessionUser handed to
 * a client component would put it in the page (currentSessionToken() is for the step-up actions).
 */
export type SessionUser = UserActor & {
  email: string;
  name: string | null;
  secondFactor: SecondFactorState;
};

/** Auth.js's database-session cookie (`__Secure-` when AUTH_URL is https): the session a step-up is marked on. */
export async function currentSessionToken() {
  return (await cookies()).get(sessionCookieName(env.baseUrl))?.value ?? null;
}

export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const { session, secondFactor: read } = await authWithSecondFactor();
  const u = session?.user;
  if (!u?.id || !u.email || u.disabled) return null;
  const token = await currentSessionToken();
  // Read with the session when Auth.js looked it up by this request's cookie; else on its own.
  const secondFactor =
    read && read.token === token
      ? secondFactorState(read, u.role)
      : await readSecondFactorState(db, { id: u.id, role: u.role }, token);
  // The one place a session becomes an actor; a disabled user has no session at all.
  return { kind: "user", id: u.id, role: u.role, disabled: false, email: u.email, name: u.name ?? null, secondFactor };
});

export const SECOND_FACTOR_SETUP_PATH = "/account/security";

/**
 * Pages and actions: signed-in user or a redirect to sign-in that comes back to the page asked for
 * (as proxy.ts passed it on), or to `returnTo` where no page URL is known. A user the second-factor
 * policy covers who has no authenticator is sent to set one up first (`beforeSecondFactor`: the
 * pages that setup itself needs).
 */
export async function requireUser(returnTo = "/", options: { beforeSecondFactor?: boolean } = {}): Promise<SessionUser> {
  const user = await currentUser();
  const requested = async () => safeCallbackPath((await headers()).get(REQUESTED_PATH_HEADER) ?? returnTo);
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(await requested())}`);
  if (user.secondFactor.mustEnrol && !options.beforeSecondFactor) {
    redirect(`${SECOND_FACTOR_SETUP_PATH}?required=1&callbackUrl=${encodeURIComponent(await requested())}`);
  }
  return user;
}

/** Pages and actions: the user must hold one of `roles`, else the 403 page. */
export async function requireRole(roles: readonly UserRole[], returnTo = "/"): Promise<SessionUser> {
  const user = await requireUser(returnTo);
  if (!roles.includes(user.role)) forbidden();
  return user;
}

export const APPROVER_ROLES = ["owner", "admin"] as const satisfies readonly UserRole[];

/** Route handlers under /api: JSON 401/403 instead of redirects. */
export async function apiUser(
  roles?: readonly UserRole[],
): Promise<{ user: SessionUser; error: null } | { user: null; error: NextResponse }> {
  let user: SessionUser | null;
  try {
    user = await currentUser();
  } catch (error) {
    // Not knowing who asks is not "unauthenticated": a 503 the client may retry.
    if (!databaseUnavailableIn(error)) throw error;
    return {
      user: null,
      error: NextResponse.json(
        { error: { code: "unavailable", message: "The portal cannot look up your session right now. Try again in a moment." } },
        { status: 503, headers: { "Retry-After": "2" } },
      ),
    };
  }
  if (!user) {
    return { user: null, error: NextResponse.json({ error: { code: "unauthenticated", message: "Sign in first." } }, { status: 401 }) };
  }
  if (user.secondFactor.mustEnrol) {
    return {
      user: null,
      error: NextResponse.json(
        { error: { code: "second_factor_required", message: "Set up an authenticator first, in Account security (/account/security)." } },
        { status: 403 },
      ),
    };
  }
  if (roles && !roles.includes(user.role)) {
    return {
      user: null,
      error: NextResponse.json(
        { error: { code: "forbidden", message: "Your role does not allow this." } },
        { status: 403 },
      ),
    };
  }
  return { user, error: null };
}
