import { z } from "zod";
import { DEFAULT_MAX_GRACE_HOURS } from "@/lib/plans/plan-schema";

/** What a consumer may choose for the old key when rolling (issue 16): none, 1 h, 24 h, 7 days. */
export const GRACE_CHOICES = [
  { hours: 0, label: "None: the current key stops at once" },
  { hours: 1, label: "1 hour" },
  { hours: 24, label: "24 hours" },
  { hours: 168, label: "7 days" },
] as const;

export const GRACE_CHOICE_MESSAGE = "Choose how long the current key keeps working: none, 1 hour, 24 hours or 7 days.";

/** The choice as a form posts it ("24"); the plan's cap is checked by rollKey, on the server. */
export const graceChoiceSchema = z
  .enum(
    GRACE_CHOICES.map((c) => String(c.hours)) as [string, ...string[]],
    { error: GRACE_CHOICE_MESSAGE },
  )
  .transform(Number);

/** The plan snapshot's cap; requests from before the setting get the default (db/schema/access-requests.ts). */
export const maxGraceOf = (plan: { maxGraceHours?: number }) => plan.maxGraceHours ?? DEFAULT_MAX_GRACE_HOURS;

/** The preselected choice: the deployment's default grace (PORTICO_KEY_ROLL_GRACE_HOURS), lowered to a choice the plan allows. */
export function defaultGraceChoice(preferredHours: number, maxHours: number) {
  const allowed = GRACE_CHOICES.filter((c) => c.hours <= Math.min(preferredHours, maxHours));
  return allowed.at(-1)?.hours ?? 0;
}

/** "24 hours", "7 days", "1 hour", "no grace". */
export function graceWords(hours: number) {
  if (hours === 0) return "no grace";
  if (hours % 24 === 0) return hours === 24 ? "24 hours" : `${hours / 24} days`;
  return hours === 1 ? "1 hour" : `${hours} hours`;
}
