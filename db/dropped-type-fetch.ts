/**
 * postgres.js (3.4.9) reads the server's array types as the first statement of every new connection
 * and drops that query's promise (`return fetchArrayTypes()` in connection.js; porsager/postgres#1192,
 * #1205 and #1223, open). When the connection is lost during that read (the database reset or
 * terminating the backend, or refusing the reconnect that follows), the rejection has no handler:
 * Node then ends the process, whatever the application's own query does (it fails on its own
 * terms). Next's server logs such a rejection and lives on; the standalone worker
 * (scripts/worker.ts) and the test runner did not.
 */

// The library's own statement (connection.js, fetchArrayTypes), as the rejected error carries it.
const TYPE_FETCH = /^\s*select b\.oid, b\.typarray\s+from pg_catalog\.pg_type a\s+left join pg_catalog\.pg_type b on b\.oid = a\.typelem\b/;

/**
 * The connection is gone, and the pool's next one reads the types again (connection.js resets
 * needsTypes on connect): socket errors, postgres.js's own, and the server ending the backend.
 * Not a cancelled read (57014): that connection lives on without the array types, as it did
 * before, so the process still ends and starts clean.
 */
const CONNECTION_LOST = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown: the backend terminated (pg_terminate_backend, a fast shutdown)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: the server is starting or stopping
]);

/**
 * Whether an unhandled rejection is postgres.js's read of the array types on a connection that was
 * lost. The application's own query on that connection is rejected with the same error object (it
 * carries the library's statement too): Drizzle's errors carry their own query instead, and
 * surviveDroppedTypeFetches tells the two apart by their promise.
 */
export function isLostTypeFetch(reason: unknown): boolean {
  const { query, code } = (reason ?? {}) as { query?: unknown; code?: unknown };
  return typeof query === "string" && TYPE_FETCH.test(query) && typeof code === "string" && CONNECTION_LOST.has(code);
}

/**
 * For a process that Next does not run and that has no other unhandled-rejection listener: that one
 * rejection is logged, and the process lives on. Any other still ends it, thrown as an uncaught
 * exception, as Node's default does. The library's dropped promise is an async function's (a plain
 * Promise); a raw query left unhandled is postgres.js's own Query, and is not taken for it.
 */
export function surviveDroppedTypeFetches() {
  process.on("unhandledRejection", (reason, promise) => {
    if (!isLostTypeFetch(reason) || Object.getPrototypeOf(promise) !== Promise.prototype) throw reason;
    console.warn(`db: a connection was lost while postgres.js read the array types (${String((reason as { code: string }).code)}); the next statement opens another`);
  });
}
