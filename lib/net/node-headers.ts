import type { IncomingHttpHeaders } from "node:http";

/** A Node request's headers as web Headers; repeated headers (array values, e.g. set-cookie) are left out. */
export function webHeaders(incoming: IncomingHttpHeaders) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (typeof value === "string") headers.set(name, value);
  }
  return headers;
}
