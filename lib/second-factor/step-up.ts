import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import type { UserRole } from "@/db/schema";
import { describeError } from "@/lib/describe-error";
import { DEFAULT_POLICY, policyCovers } from "./policy";

/** A code entered in a session counts for this long (the 15 minutes). */
export const STEP_UP_MS = 15 * 60_000;

/** A session's second-factor standing, read with the session (lib/auth/guards.ts currentUser). */
export type SecondFactorState = {
  /** The person has a confirmed authenticator: privileged actions ask for its code. */
  enrolled: boolean;
  /** The policy covers their role and they have none: they set one up before anything else. */
  mustEnrol: boolean;
  /** When a code was last entered in this session. */
  steppedUpAt: Date | null;
};

/** No second factor at all (scripts, jobs, tests acting as a user). */
export const NO_SECOND_FACTOR: SecondFactorState = { enrolled: false, mustEnrol: false, steppedUpAt: null };

/** One query: the authenticator, this session's step-up time and the policy. */
export async function readSecondFactorState(
  db: Queryable,
  user: { id: string; role: UserRole },
  sessionToken: string | null,
): Promise<SecondFactorState> {
  const rows = await db
    .execute<{ enrolled: boolean; stepped_up_at: string | null; policy: string | null }>(
      sql`
    select
      exists (select 1 from second_factors where user_id = ${user.id} and confirmed_at is not null) as enrolled,
      (select stepped_up_at from sessions where session_token = ${sessionToken ?? ""} and user_id = ${user.id}) as stepped_up_at,
      (select second_factor_policy::text from security_settings where id) as policy`,
    )
    .catch((error: unknown) => {
      // Runs on every request (currentUser), outside any wrapper that tidies errors: drizzle's
      // message lists the query's parameters, the session token among them, and Next logs it whole.
      throw new Error(`reading the second-factor state failed: ${describeError(error)}`);
    });
  const row = rows[0];
  return secondFactorState(
    { enrolled: Boolean(row?.enrolled), policy: row?.policy ?? null, steppedUpAt: row?.stepped_up_at ? new Date(row.stepped_up_at) : null },
    user.role,
  );
}

/** What a session's second-factor standing is read from (here, or with the session: lib/auth/index.ts). */
export type SecondFactorFacts = { enrolled: boolean; policy: string | null; steppedUpAt: Date | null };

/** The standing of a person with `role` given the facts read about their authenticator and session. */
export function secondFactorState(facts: SecondFactorFacts, role: UserRole): SecondFactorState {
  const policy = (facts.policy ?? DEFAULT_POLICY) as Parameters<typeof policyCovers>[0];
  return {
    enrolled: facts.enrolled,
    mustEnrol: !facts.enrolled && policyCovers(policy, role),
    steppedUpAt: facts.steppedUpAt,
  };
}

/** A code was entered in this session within the last 15 minutes. */
export const steppedUpRecently = (state: SecondFactorState, now = new Date()) =>
  state.steppedUpAt !== null && now.getTime() - state.steppedUpAt.getTime() < STEP_UP_MS;

/** A privileged action may go ahead: no authenticator to ask (and none required), or a recent code. */
export const stepUpSatisfied = (state: SecondFactorState, now = new Date()) =>
  !state.mustEnrol && (!state.enrolled || steppedUpRecently(state, now));

/**
 * For proxy.ts, before any page: the session named by this cookie belongs to a person the policy
 * covers who has no authenticator yet (they are sent to set one up). False for no or a lapsed session.
 */
export async function sessionMustEnrol(db: Queryable, sessionToken: string): Promise<boolean> {
  const rows = await db.execute<{ role: UserRole; enrolled: boolean; policy: string | null }>(sql`
    select u.role,
      exists (select 1 from second_factors f where f.user_id = u.id and f.confirmed_at is not null) as enrolled,
      (select second_factor_policy::text from security_settings where id) as policy
    from sessions s join users u on u.id = s.user_id
    where s.session_token = ${sessionToken} and s.expires > now() and u.disabled_at is null`);
  const row = rows[0];
  if (!row || row.enrolled) return false;
  return policyCovers((row.policy ?? DEFAULT_POLICY) as Parameters<typeof policyCovers>[0], row.role);
}
