/**
 * The database did not answer in time, refused the connection or dropped it. Pages, actions, the
 * API and verify answer "temporarily unavailable" for it (never "signed out", never a 500).
 *
 * No imports: the error boundary (a client component) reads DATABASE_UNAVAILABLE_DIGEST from here.
 */
export const DATABASE_UNAVAILABLE_DIGEST = "PORTICO_DATABASE_UNAVAILABLE";

export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
  /** Next keeps an error's own digest, so the browser's error boundary can tell this fault apart. */
  readonly digest = DATABASE_UNAVAILABLE_DIGEST;
  /**
   * true: the statement that failed could have changed data on its own (a COMMIT, or a write
   * outside a transaction that was already sent), so whether it took effect is unknown.
   */
  readonly outcomeUnknown: boolean;

  constructor(reason: string, opts: { outcomeUnknown?: boolean; cause?: unknown } = {}) {
    super(`The database is unavailable (${reason}).`, { cause: opts.cause });
    this.outcomeUnknown = opts.outcomeUnknown ?? false;
  }
}

/** Driver and server errors that mean "cannot reach the database", not "the query is wrong". */
const UNREACHABLE_CODES = new Set([
  // postgres.js
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  // node:net
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  // Postgres: shutting down, starting up, out of connection slots, statement_timeout
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "57014",
]);

export function isUnreachableError(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const code = (error as { code?: unknown }).code;
  // class 08: connection exception
  return typeof code === "string" && (UNREACHABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code));
}

/** The DatabaseUnavailableError thrown directly or as the cause of drizzle's DrizzleQueryError. */
export function databaseUnavailableIn(error: unknown): DatabaseUnavailableError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    // by name as well as class: the proxy and the app are bundled apart, each with its own copy
    // (an Error: Auth.js spreads a cause's own fields, name included, into a plain object)
    if (current instanceof DatabaseUnavailableError || (current instanceof Error && current.name === "DatabaseUnavailableError")) {
      return current as DatabaseUnavailableError;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
