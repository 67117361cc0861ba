// Run by dropped-type-fetch.test.ts in a process of its own: `dropped-type-fetch.fixture.ts URL
// guarded|unguarded [other|unawaited]`. The first connection is reset as the driver reads the array
// types (tests/type-fetch-proxy.ts). The application's own query is caught, or with `unawaited`
// left without a handler (an application bug the guard must not hide).
import postgres from "postgres";
import { resetFirstTypeFetch } from "../tests/type-fetch-proxy";
import { surviveDroppedTypeFetches } from "./dropped-type-fetch";

const [url = "", mode = "unguarded", extra] = process.argv.slice(2);
if (mode === "guarded") surviveDroppedTypeFetches();
const proxy = await resetFirstTypeFetch(url);
const sql = postgres(proxy.url, { max: 1, onnotice: () => {} });
if (extra === "unawaited") {
  sql`select 1 as one`.execute();
  await new Promise((resolve) => setTimeout(resolve, 300));
}
try {
  await sql`select 1 as one`;
  console.log("query: answered");
} catch (error) {
  console.log(`query: failed (${(error as { code?: string }).code})`);
}
// The pool opens another connection for the next statement.
console.log(`next query: ${(await sql`select 2 as two`)[0]?.two === 2 ? "answered" : "wrong answer"}`);
if (extra === "other") void Promise.reject(new Error("some other unhandled rejection"));
await new Promise((resolve) => setTimeout(resolve, 300));
console.log("alive");
await sql.end({ timeout: 1 });
await proxy.close();
