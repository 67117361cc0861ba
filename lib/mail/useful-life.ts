import type { TemplateName } from "@/emails";
import { SIGN_IN_LINK_MINUTES } from "@/lib/auth/links";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Retry schedules: the wait after attempt n failed is delays[n-1].
 * - "short": mail that is useless within minutes (a sign-in link) is tried again soon, every
 *   4 minutes after the fifth attempt, until its useful life ends.
 * - "long": the rest backs off to 8 hours; after the last delay it fails (an admin may retry it).
 *   The whole schedule spans about 16 hours, inside the provider's 24-hour idempotency window, so
 *   a retry after an attempt whose answer never came (a timeout, a killed worker) cannot be sent
 *   twice (README, "Email delivery").
 */
export const RETRY_SCHEDULES = {
  short: { delays: [10 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 4 * MINUTE], repeatLast: true },
  long: {
    delays: [10 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR],
    repeatLast: false,
  },
} as const;

export type RetrySchedule = { readonly delays: readonly number[]; readonly repeatLast: boolean };

type UsefulLife = {
  /** How long after it was queued the message is still worth sending; the sender may set an earlier or later end (a claim link's own expiry). */
  lifeMs: number;
  retry: keyof typeof RETRY_SCHEDULES;
  /** What the admin's Email delivery page says about a message that outlived it. */
  expiredReason: string;
};

const notice = (days: number, what: string): UsefulLife => ({
  lifeMs: days * DAY,
  retry: "long",
  expiredReason: `Not sent: ${what} was more than ${days === 1 ? "a day" : `${days} days`} old, no longer worth sending.`,
});
const CLAIM: UsefulLife = {
  // A claim link's own lifetime (the plan's, default 72 h) is given by the sender; this is the fallback.
  lifeMs: 72 * HOUR,
  retry: "long",
  expiredReason: "Not sent: its claim link had expired. The requester can send themselves a new one from the request page.",
};

/** Every template's useful life, in one place. */
export const USEFUL_LIFE: Record<TemplateName, UsefulLife> = {
  "sign-in": {
    lifeMs: SIGN_IN_LINK_MINUTES * MINUTE,
    retry: "short",
    expiredReason: "Not sent: its sign-in link had expired. The person can ask for a new one on the sign-in page.",
  },
  approved: CLAIM,
  "claim-link": CLAIM,
  "new-request": notice(3, "the request notice"),
  "request-received": notice(3, "the receipt"),
  reject: notice(3, "the decision"),
  "extension-approved": notice(3, "the decision"),
  "extension-denied": notice(3, "the decision"),
  cancelled: notice(3, "the notice"),
  revoked: notice(3, "the notice"),
  expired: notice(3, "the notice"),
  "key-expiring": notice(1, "the reminder"),
  // tomorrow's digest lists the same keys again
  "key-reminder-digest": notice(1, "the digest"),
  "key-rolled": notice(3, "the notice"),
  "account-disabled": notice(3, "the notice"),
  "api-access-key-expiring": notice(3, "the warning"),
  // it announces the disabling within a day
  "webhook-failing": notice(1, "the warning"),
  "webhook-disabled": notice(3, "the notice"),
  "second-factor-locked": notice(3, "the security notice"),
  "second-factor-changed": notice(3, "the security notice"),
  "second-factor-reset": notice(3, "the security notice"),
};

/** When a message queued now stops being worth sending; `until` (a link's own expiry) wins when given. */
export function usefulUntil(template: TemplateName, queuedAt: Date, until?: Date): Date {
  return until ?? new Date(queuedAt.getTime() + USEFUL_LIFE[template].lifeMs);
}

/** The wait before the attempt after `attempts` failed ones, or null when the schedule is over. */
export function nextDelay(schedule: RetrySchedule, attempts: number): number | null {
  const { delays, repeatLast } = schedule;
  if (attempts < 1) return 0;
  if (attempts <= delays.length) return delays[attempts - 1] ?? null;
  return repeatLast ? (delays.at(-1) ?? null) : null;
}

export function expiredReason(template: string): string {
  return (USEFUL_LIFE as Record<string, UsefulLife | undefined>)[template]?.expiredReason ?? "Not sent: it was past its useful life.";
}

export function retrySchedule(template: string): RetrySchedule {
  const life = (USEFUL_LIFE as Record<string, UsefulLife | undefined>)[template];
  return RETRY_SCHEDULES[life?.retry ?? "long"];
}
