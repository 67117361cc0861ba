const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const date = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export const formatDateTime = (d: Date) => `${dateTime.format(d)} UTC`;
export const formatDate = (d: Date) => date.format(d);
export const formatDuration = (days: number | null) => (days === null ? "No expiry" : `${days} ${days === 1 ? "day" : "days"}`);
