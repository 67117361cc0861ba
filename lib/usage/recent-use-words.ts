import type { RecentCalls } from "./queries";

const number = new Intl.NumberFormat("en-GB");
const times = (n: number) => (n === 1 ? "once" : `${number.format(n)} times`);

export const usedLately = (calls: RecentCalls) => calls.today + calls.yesterday > 0;

/**
 * Said before something stops a key: "Used 340 times today and 1,020 times yesterday (UTC) — revoke
 * anyway?". Usage is counted per UTC day, so today and yesterday together cover the last 24 hours.
 */
export function recentUseWords(calls: RecentCalls, verb: "revoke" | "archive") {
  if (!usedLately(calls)) return "Not used today or yesterday (UTC).";
  return `Used ${times(calls.today)} today and ${times(calls.yesterday)} yesterday (UTC) — ${verb} anyway?`;
}
