import type { KeyEndReason } from "@/db/schema";
import { formatDateTime } from "@/lib/format";
import { REQUEST_STATES, type StatusTone } from "@/lib/requests/status-label";

export type KeyFacts = {
  validFrom: Date;
  expiresAt: Date | null;
  endsAt: Date | null;
  endReason: KeyEndReason | null;
  revokedReason?: string | null;
};

export type KeyState = "active" | "not-yet" | "grace" | "rolled" | "revoked" | "checked_in" | "expired";

export function keyState(k: KeyFacts, now = new Date()): KeyState {
  if (k.endReason === "rolled" && k.endsAt && k.endsAt > now) return "grace";
  if (k.endReason) return k.endReason;
  if (k.expiresAt && k.expiresAt <= now) return "expired";
  if (k.validFrom > now) return "not-yet";
  return "active";
}

/** The states a key shares with its request use the same words and colours (lib/requests/status-label.ts). */
export const keyStateLabel: Record<KeyState, string> = {
  active: REQUEST_STATES.active.label,
  "not-yet": "Not valid yet",
  grace: "Rolled, still working",
  rolled: "Rolled",
  revoked: REQUEST_STATES.revoked.label,
  checked_in: REQUEST_STATES.checked_in.label,
  expired: REQUEST_STATES.expired.label,
};

export const keyStateTone: Record<KeyState, StatusTone> = {
  active: REQUEST_STATES.active.tone,
  "not-yet": "amber",
  grace: "amber",
  rolled: "neutral",
  revoked: REQUEST_STATES.revoked.tone,
  checked_in: REQUEST_STATES.checked_in.tone,
  expired: REQUEST_STATES.expired.tone,
};

/** "25 Nov 2026, 09:00 UTC – 24 May 2027, 09:00 UTC" (the end is when it stopped or will stop). */
export function validityWindow(k: KeyFacts) {
  const { from, until } = validityEnds(k);
  return `${from} – ${until}`;
}

/** The window's two ends, for a table cell that puts each on a line of its own (ValidityCell). */
export function validityEnds(k: KeyFacts) {
  const end = [k.endsAt, k.expiresAt].filter((d): d is Date => d !== null).sort((a, b) => +a - +b)[0];
  return { from: formatDateTime(k.validFrom), until: end ? formatDateTime(end) : "no expiry" };
}

/** How the key ended, in a sentence, or null while it works. */
export function howItEnded(k: KeyFacts & { replacedByStart?: string | null }, now = new Date()) {
  switch (keyState(k, now)) {
    case "grace":
      return `Rolled; works until ${k.endsAt ? formatDateTime(k.endsAt) : "the grace period ends"}${k.replacedByStart ? `, replaced by ${k.replacedByStart}…` : ""}`;
    case "rolled":
      return `Rolled${k.replacedByStart ? `, replaced by ${k.replacedByStart}…` : ""}`;
    case "revoked":
      return `Revoked${k.revokedReason ? `: “${k.revokedReason}”` : ""}`;
    case "checked_in":
      return "Checked in by the requester";
    case "expired":
      return "Expired at the end of its lifetime";
    default:
      return null;
  }
}
