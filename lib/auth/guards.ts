import "server-only";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { NextResponse } from "next/server";
import type { UserRole } from "@/db/schema";
import { auth } from "./index";
import { REQUESTED_PATH_HEADER, safeCallbackPath } from "./links";
import type { Actor } from "./permissions";

/** The signed-in person: an Actor (lib/auth/permissions.ts) with the contact details pages show. */
export type SessionUser = Actor & { email: string; name: string | null };

export async function currentUser(): Promise<SessionUser | null> {
  const session = await auth();
  const u = session?.user;
  if (!u?.id || !u.email || u.disabled) return null;
  // The one place a session becomes an actor; a disabled user has no session at all.
  return { kind: "user", id: u.id, role: u.role, disabled: false, email: u.email, name: u.name ?? null };
}

/**
 * Pages and actions: signed-in user or a redirect to sign-in that comes back to the page asked for
 * (as proxy.ts passed it on), or to `returnTo` where no page URL is known.
 */
export async function requireUser(returnTo = "/"): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) {
    const requested = (await headers()).get(REQUESTED_PATH_HEADER);
    redirect(`/signin?callbackUrl=${encodeURIComponent(safeCallbackPath(requested ?? returnTo))}`);
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
  const user = await currentUser();
  if (!user) {
    return { user: null, error: NextResponse.json({ error: { code: "unauthenticated", message: "Sign in first." } }, { status: 401 }) };
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
