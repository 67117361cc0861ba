import type { Sql } from "postgres";
import type { UsageOutcome } from "@/db/schema";
import { describeError } from "@/lib/describe-error";

const MINUTE_MS = 60_000;
const SECOND_MS = 1000;

/** A plan's limits as verify sees them (from the request's plan snapshot). */
export type Limits = { ratePerMinute: number | null; quotaPerMonth: number | null; enforce: boolean };

export type Decision =
  | { allowed: true; minute: WindowState | null; month: WindowState | null }
  | { allowed: false; limit: "rate" | "quota"; retryAfterSeconds: number; minute: WindowState | null; month: WindowState | null };

/** For the RateLimit header fields: the limit, what is left and when the window resets (seconds). */
export type WindowState = { limit: number; remaining: number; resetSeconds: number };

type Counts = { known: number; pending: number };
type Subject = {
  minutes: Map<number, Counts>; // window start (ms) → counts, the current minute and the one before
  month: { start: number; counts: Counts };
  seenAt: number;
  // What this instance admitted per second over the last minute, oldest first: the weighted
  // estimate assumes the previous minute's calls were spread evenly; these catch a burst at its end.
  recent: { start: number; n: number }[];
};

/**
 * The UTC day and calendar month a moment falls in, recomputed only when the day changes: verify
 * asks on every call, and building Dates there costs more than the counting itself.
 */
let calendarCache = { from: 0, to: 0, day: "", monthStart: 0, nextMonthStart: 0 };
function calendar(t: number) {
  if (t < calendarCache.from || t >= calendarCache.to) {
    const d = new Date(t);
    const [y, m] = [d.getUTCFullYear(), d.getUTCMonth()];
    const from = Date.UTC(y, m, d.getUTCDate());
    calendarCache = { from, to: from + 86_400_000, day: d.toISOString().slice(0, 10), monthStart: Date.UTC(y, m, 1), nextMonthStart: Date.UTC(y, m + 1, 1) };
  }
  return calendarCache;
}
/** The first millisecond of the calendar month (UTC) a moment falls in. */
export const monthStart = (now: number) => calendar(now).monthStart;
const nextMonthStart = (now: number) => calendar(now).nextMonthStart;
const total = (c: Counts | undefined) => (c ? c.known + c.pending : 0);

/**
 * Most distinct (key, day, outcome, product) counts held between two flushes: past it a new
 * product is counted under '' so that forged product names cannot grow memory without bound
 * (e.g. while the database is down).
 */
export const MAX_PENDING_OUTCOMES = 50_000;

/**
 * Rate limits and quotas counted in memory, shared through Postgres (table usage_counters):
 * - the rate limit is a sliding window over the current and the previous minute (the previous
 *   one weighted by how much of it still lies within the last 60 s);
 * - the quota counts the calendar month (UTC);
 * - each instance adds what it admitted to Postgres and reads everyone's totals at every flush
 *   (at least once a second), so N instances together admit at most what N admit in one flush
 *   interval beyond a limit (README "Rate limits and quotas").
 * Outcomes per key per day (allowed, rate limited, …) are added in the same flush. Nothing per call
 * touches the database.
 */
export function usageLimiter(sql: Sql, opts: { flushMs?: number; now?: () => number } = {}) {
  const now = opts.now ?? Date.now;
  const subjects = new Map<string, Subject>();
  let outcomes = new Map<string, number>(); // `${keyId}|${day}|${outcome}|${product}` → count
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;
  let again: Promise<void> | null = null;
  // What a forgotten subject had used this month (known to Postgres), so that it starts from there
  // when it calls again instead of from 0 until the next read-back: no fresh burst after idling.
  const forgotten = new Map<string, { start: number; known: number }>();

  function subjectOf(id: string, t: number): Subject {
    let s = subjects.get(id);
    const month = monthStart(t);
    if (!s) {
      const was = forgotten.get(id);
      forgotten.delete(id);
      s = { minutes: new Map(), month: { start: month, counts: { known: was?.start === month ? was.known : 0, pending: 0 } }, seenAt: t, recent: [] };
      subjects.set(id, s);
    }
    if (s.month.start !== month) s.month = { start: month, counts: { known: 0, pending: 0 } };
    const current = Math.floor(t / MINUTE_MS) * MINUTE_MS;
    for (const start of s.minutes.keys()) if (start < current - MINUTE_MS) s.minutes.delete(start);
    s.seenAt = t;
    return s;
  }

  function schedule() {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, opts.flushMs ?? 1000);
    timer.unref();
  }

  /** Counts one call against `subjectId`'s limits: allowed (and counted) or refused (not counted). */
  function check(subjectId: string, limits: Limits): Decision {
    const t = now();
    const s = subjectOf(subjectId, t);
    const current = Math.floor(t / MINUTE_MS) * MINUTE_MS;
    const cur = s.minutes.get(current) ?? { known: 0, pending: 0 };
    s.minutes.set(current, cur);
    const weight = 1 - (t - current) / MINUTE_MS;
    // A second counts while any part of it lies within the last 60 s.
    while (s.recent.length > 0 && (s.recent[0]?.start ?? 0) + SECOND_MS <= t - MINUTE_MS) s.recent.shift();
    const own = s.recent.reduce((n, b) => n + b.n, 0);
    const estimate = total(s.minutes.get(current - MINUTE_MS)) * weight + total(cur);
    // Never less than what this instance itself admitted in the last 60 s: no twice the limit
    // across a minute boundary.
    const used = Math.max(estimate, own);
    const monthUsed = total(s.month.counts);
    const minuteState = (admitted: number): WindowState | null =>
      limits.ratePerMinute === null
        ? null
        : { limit: limits.ratePerMinute, remaining: Math.max(0, Math.floor(limits.ratePerMinute - used - admitted)), resetSeconds: Math.ceil((current + MINUTE_MS - t) / 1000) };
    const monthState = (admitted: number): WindowState | null =>
      limits.quotaPerMonth === null
        ? null
        : { limit: limits.quotaPerMonth, remaining: Math.max(0, limits.quotaPerMonth - monthUsed - admitted), resetSeconds: Math.ceil((nextMonthStart(t) - t) / 1000) };

    if (limits.enforce) {
      if (limits.quotaPerMonth !== null && monthUsed >= limits.quotaPerMonth) {
        return { allowed: false, limit: "quota", retryAfterSeconds: Math.ceil((nextMonthStart(t) - t) / 1000), minute: minuteState(0), month: monthState(0) };
      }
      if (limits.ratePerMinute !== null && used + 1 > limits.ratePerMinute) {
        // When enough of the previous minute has slid out for one more call: within this minute, or
        // else in the next one, where this minute's calls become the previous minute's.
        const prev = total(s.minutes.get(current - MINUTE_MS));
        const over = estimate + 1 - limits.ratePerMinute;
        const thisMinute = total(cur);
        const inNext = thisMinute > 0 ? Math.min(1, Math.max(0, 1 - (limits.ratePerMinute - 1) / thisMinute)) * MINUTE_MS : 0;
        let wait = estimate + 1 > limits.ratePerMinute ? (prev > 0 && over < prev * weight ? (over / prev) * MINUTE_MS : current + MINUTE_MS - t + inNext) : 0;
        // …and enough of this instance's own calls have left the last 60 s.
        let left = own;
        for (const b of s.recent) {
          if (left + 1 <= limits.ratePerMinute) break;
          left -= b.n;
          wait = Math.max(wait, b.start + SECOND_MS + MINUTE_MS - t);
        }
        return { allowed: false, limit: "rate", retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)), minute: minuteState(0), month: monthState(0) };
      }
    }
    cur.pending += 1;
    s.month.counts.pending += 1;
    const second = Math.floor(t / SECOND_MS) * SECOND_MS;
    const last = s.recent.at(-1);
    if (last?.start === second) last.n += 1;
    else s.recent.push({ start: second, n: 1 });
    schedule();
    return { allowed: true, minute: minuteState(1), month: monthState(1) };
  }

  /** Counts what verify answered a key (per UTC day, per product: '' when none applies), for the usage charts. */
  function record(keyId: string, outcome: UsageOutcome, product = "") {
    const day = calendar(now()).day;
    let k = `${keyId}|${day}|${outcome}|${product}`;
    if (product !== "" && outcomes.size >= MAX_PENDING_OUTCOMES && !outcomes.has(k)) k = `${keyId}|${day}|${outcome}|`;
    outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    schedule();
  }

  async function flushOnce() {
    if (timer) clearTimeout(timer);
    timer = null;
    const t = now();
    const month = monthStart(t);
    for (const [id, f] of forgotten) if (f.start !== month) forgotten.delete(id);
    const rows: { subject_id: string; window: "minute" | "month"; window_start: string; count: number }[] = [];
    const taken: { counts: Counts; n: number }[] = [];
    for (const [id, s] of subjects) {
      // Subjects idle for 2 minutes are forgotten once their counts are in Postgres (what they used
      // this month is remembered); until then their counts are added like everyone's.
      if (t - s.seenAt > 2 * MINUTE_MS && s.month.counts.pending === 0 && [...s.minutes.values()].every((c) => c.pending === 0)) {
        subjects.delete(id);
        if (s.month.start === month && s.month.counts.known > 0) forgotten.set(id, { start: s.month.start, known: s.month.counts.known });
        continue;
      }
      for (const [start, c] of s.minutes) {
        if (c.pending > 0) {
          rows.push({ subject_id: id, window: "minute", window_start: new Date(start).toISOString(), count: c.pending });
          taken.push({ counts: c, n: c.pending });
        }
      }
      if (s.month.counts.pending > 0) {
        rows.push({ subject_id: id, window: "month", window_start: new Date(s.month.start).toISOString(), count: s.month.counts.pending });
        taken.push({ counts: s.month.counts, n: s.month.counts.pending });
      }
    }
    const outcomeRows = [...outcomes].map(([k, count]) => {
      const [key_id, day, outcome, product] = k.split("|");
      return { key_id, day, outcome, product, count };
    });
    const takenOutcomes = outcomes;
    outcomes = new Map();
    // What is counted from here on waits for the next flush.
    for (const x of taken) {
      x.counts.pending -= x.n;
      x.counts.known += x.n;
    }
    try {
      // Both or neither: counts put back after a failure must not have been added already.
      if (rows.length > 0 || outcomeRows.length > 0) {
        await sql.begin(async (tx) => {
          if (rows.length > 0) {
            await tx`insert into usage_counters ${tx(rows, "subject_id", "window", "window_start", "count")}
              on conflict (subject_id, "window", window_start) do update set count = usage_counters.count + excluded.count`;
          }
          if (outcomeRows.length > 0) {
            // The product comes from the caller (a 403 names what it asked for): a name that is no
            // product is counted under '', so forged names cannot fill the table.
            await tx`insert into key_usage_daily (key_id, day, outcome, product, count)
              select r.key_id, r.day::date, r.outcome::usage_outcome,
                case when r.product = '' or exists (select 1 from products p where p.slug = r.product) then r.product else '' end,
                sum(r.count)::bigint
              from jsonb_to_recordset(${JSON.stringify(outcomeRows)}::jsonb) as r(key_id text, day text, outcome text, product text, count bigint)
              group by 1, 2, 3, 4
              on conflict (key_id, day, outcome, product) do update set count = key_usage_daily.count + excluded.count`;
          }
        });
      }
    } catch (error) {
      // Not lost: put back to be added at the next flush.
      for (const x of taken) {
        x.counts.pending += x.n;
        x.counts.known -= x.n;
      }
      for (const [k, n] of takenOutcomes) outcomes.set(k, (outcomes.get(k) ?? 0) + n);
      console.error(`usage flush failed: ${describeError(error)}`);
      schedule();
      return;
    }
    try {
      await refresh(t);
    } catch (error) {
      // The counts are in; only everyone's totals are stale until the next flush.
      console.error(`usage read-back failed: ${describeError(error)}`);
      schedule();
    }
  }

  /** Everyone's totals for the subjects this instance has seen lately. */
  async function refresh(t: number) {
    const ids = [...subjects.keys()];
    if (ids.length === 0) return;
    const current = Math.floor(t / MINUTE_MS) * MINUTE_MS;
    const found = await sql<{ subject_id: string; window: "minute" | "month"; start_ms: number; count: number }[]>`
      select subject_id, "window", (extract(epoch from window_start) * 1000)::float8 as start_ms, count::float8 as count
      from usage_counters
      where subject_id = any(${ids}) and (
        ("window" = 'minute' and window_start >= ${new Date(current - MINUTE_MS).toISOString()}::timestamptz)
          or ("window" = 'month' and window_start = ${new Date(monthStart(t)).toISOString()}::timestamptz))`;
    for (const r of found) {
      const s = subjects.get(r.subject_id);
      if (!s) continue;
      if (r.window === "month") {
        if (s.month.start === r.start_ms) s.month.counts.known = Math.max(s.month.counts.known, r.count);
      } else {
        const c = s.minutes.get(r.start_ms);
        if (c) c.known = Math.max(c.known, r.count);
        else s.minutes.set(r.start_ms, { known: r.count, pending: 0 });
      }
    }
  }

  /**
   * One flush at a time. Called while one is in progress (the timer, tests, shutdown), it runs one
   * more after it, so that what was counted meanwhile is written too; further callers share that one.
   */
  function flush(): Promise<void> {
    if (!flushing) {
      flushing = flushOnce().finally(() => {
        flushing = null;
      });
      return flushing;
    }
    again ??= flushing.then(() => {
      again = null;
      return flush();
    });
    return again;
  }

  return { check, record, flush, refresh: () => refresh(now()), pendingOutcomes: () => outcomes.size };
}

export type UsageLimiter = ReturnType<typeof usageLimiter>;
