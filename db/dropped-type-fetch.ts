/**
 * postgres.js (3.4.9) reads the server's array types as the first statement of every new connection
 * and drops that query's promise (`return fetchArrayTypes()` in connection.js; porsager/postgres#1192,
 * #1205 and #1223, open). When the connection dies during that read (the database restarting,
 * refusing, or cancelling it), the rejection has no handler: Node then ends the process, whatever
 * the application's own query does (it fails on its own terms, and the pool opens another
 * connection next time). Next's server logs such a rejection and lives on; the standalone worker
 * (scripts/worker.ts) and the test runner did not.
 */

// The library's own statement (connection.js, fetchArrayTypes), as the rejected error carries it.
const TYPE_FETCH = /^\s*select b\.oid, b\.typarray\s+from pg_catalog\.pg_type a\s+left join pg_catalog\.pg_type b on b\.oid = a\.typelem\b/;

/** Whether an unhandled rejection is postgres.js's dropped read of the array types, and nothing else. */
export function isDroppedTypeFetch(reason: unknown): boolean {
  const query = (reason as { query?: unknown } | null | undefined)?.query;
  return typeof query === "string" && TYPE_FETCH.test(query);
}

/**
 * For a process that Next does not run: that one rejection is logged, and the process lives on. Any
 * other unhandled rejection still ends it, as Node's default does (thrown as an uncaught exception).
 */
export function surviveDroppedTypeFetches() {
  process.on("unhandledRejection", (reason) => {
    if (!isDroppedTypeFetch(reason)) throw reason;
    const { code, message } = reason as { code?: unknown; message?: unknown };
    console.warn(`db: a new connection failed while postgres.js read the array types (${String(code ?? message)}); the next statement opens another`);
  });
}
