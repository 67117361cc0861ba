// A second worker process for lib/keys/reminders.test.ts: runs one reminder pass against the given
// database at the given instant, after waiting for the go signal on stdin, and prints what it sent.
import { createDb } from "../db/connect";
import { sendReminderDigests } from "../lib/keys/reminders";

const [url, nowIso, baseUrl] = process.argv.slice(2);
if (!url || !nowIso || !baseUrl) throw new Error("usage: reminders-process.ts <database url> <now ISO> <base url>");
const { db, sql } = createDb(url, { max: 2 });
await sql`select 1`;
process.stdout.write("ready\n");
await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
process.stdin.destroy();
const result = await sendReminderDigests(db, baseUrl, new Date(nowIso));
process.stdout.write(`${JSON.stringify(result)}\n`);
await sql.end({ timeout: 5 });
