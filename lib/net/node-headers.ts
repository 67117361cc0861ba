import type { IncomingHttpHeaders } from "node:http";

/**
 * A Node request's headers read by name, as web Headers' get() reads them, without building a
 * Headers object (verify's hot path). Node has lower-cased the names and trimmed the values; a
 * repeated header that Node keeps as a list (set-cookie) reads as absent, as in webHeaders.
 */
export function headerReader(incoming: IncomingHttpHeaders): { get(name: string): string | null } {
  return {
    get(name) {
      const value = incoming[name.toLowerCase()];
      return typeof value === "string" ? value : null;
    },
  };
}

/** A Node request's headers as web Headers; repeated headers (array values, e.g. set-cookie) are left out. */
export function webHeaders(incoming: IncomingHttpHeaders) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (typeof value === "string") headers.set(name, value);
  }
  return headers;
}
