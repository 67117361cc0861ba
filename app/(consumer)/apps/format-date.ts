// Rendered on the server, so the time zone is fixed rather than the server's own.
const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

export const formatDate = (date: Date) => dateFormat.format(date);
