import type { QuotaUse } from "@/lib/usage/queries";

const number = new Intl.NumberFormat("en-GB");

/** "12,340 of 1,000,000 calls this month (1 %)" — the words carry it; the bar is a picture of them. */
export function quotaWords(q: QuotaUse) {
  if (q.quota === null)
    return `${number.format(q.used)} ${q.used === 1 ? "call" : "calls"} this month (no monthly quota)`;
  return `${number.format(q.used)} of ${number.format(q.quota)} calls this month (${percent(q)} %)`;
}

const percent = (q: QuotaUse) => {
  if (!q.quota) return 0;
  const p = (q.used / q.quota) * 100;
  // 0.4 % used is not "0 %": say "< 1" until a whole percent is reached
  return p > 0 && p < 1 ? "< 1" : Math.floor(p);
};

/** This month's quota used, as words and a bar (amber from 80 %, red when it is used up). */
export function QuotaBar({
  quota,
  className,
  testId,
}: {
  quota: QuotaUse;
  className?: string;
  testId?: string;
}) {
  const share = quota.quota ? Math.min(quota.used / quota.quota, 1) : 0;
  const tone =
    share >= 1 ? "bg-red-600" : share >= 0.8 ? "bg-amber-500" : "bg-indigo-600 dark:bg-indigo-400";
  return (
    <div className={className} data-testid={testId}>
      <p className="text-sm tabular-nums">{quotaWords(quota)}</p>
      {quota.quota !== null ? (
        <div
          className="mt-1 h-2 w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-700"
          aria-hidden="true"
        >
          <div className={`h-full rounded-full ${tone}`} style={{ width: `${share * 100}%` }} />
        </div>
      ) : null}
    </div>
  );
}
