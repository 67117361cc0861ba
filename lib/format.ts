const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const date = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export const formatDateTime = (d: Date) => `${dateTime.format(d)} UTC`;
export const formatDate = (d: Date) => date.format(d);
export const formatDuration = (days: number | null) => (days === null ? "No expiry" : `${days} ${days === 1 ? "day" : "days"}`);

/** A count taken up to a cap (lib/admin/queue-query.ts: cappedTotal): "1,000+" past it. */
export const formatCappedCount = ({ total, capped }: { total: number; capped: boolean }) => `${total.toLocaleString("en")}${capped ? "+" : ""}`;
