/**
 * npm run db:seed:scale [-- N] — adds N (default 1,000,000) access requests across 2,000 consumers
 * to the demo data, for benchmarks. Idempotent: tops up to N. Run through scripts/with-db.ts.
 */
import { createDb } from "../db/connect";
import { seedDemo } from "../db/seed";

const target = Number(process.argv[2] ?? 1_000_000);
const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is not set (npm run db:seed:scale sets it for the embedded database).");
const { db, sql } = createDb(url, { max: 1 });
await seedDemo(db);
const [{ n: existing } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from access_requests`;
if (existing >= target) {
  console.log(`${existing.toLocaleString("en")} requests already present.`);
} else {
  const started = Date.now();
  const missing = target - existing;
  console.log(`Adding ${missing.toLocaleString("en")} requests …`);
  await sql`insert into users (id, email, name, role)
    select 'scale-user-' || g, 'scale-' || g || '@example.com', 'Scale user ' || g, 'consumer'
    from generate_series(1, 2000) g on conflict do nothing`;
  await sql`insert into apps (id, owner_id, name)
    select 'scale-app-' || g, 'scale-user-' || g, 'Scale app ' || g
    from generate_series(1, 2000) g on conflict do nothing`;
  const batch = 100_000;
  for (let done = 0; done < missing; done += batch) {
    const size = Math.min(batch, missing - done);
    await sql.begin(async (tx) => {
      await tx`
        with plan as (select * from plans where name = 'Standard'),
        picked as (
          select gen_random_uuid()::text as id, (1 + (random() * 1999)::int) as u, random() as r,
                 now() - (random() * interval '365 days') as created
          from generate_series(1, ${size})
        ),
        ins as (
          insert into access_requests (id, requester_id, app_id, plan_id, status, reason, fields, plan, starts_at, duration_days, created_at, updated_at, decided_at)
          select p.id, 'scale-user-' || p.u, 'scale-app-' || p.u, plan.id,
                 -- An approved request whose 180-day window has ended is seeded as the minute sweep
                 -- (lib/requests/expire-unclaimed.ts) leaves it: expired, not a backlog it works through.
                 (case when p.r < 0.05 then 'pending'
                       when p.r < 0.6 then (case when p.created + interval '180 days' <= now() then 'expired' else 'approved' end)
                       when p.r < 0.8 then 'available'
                       when p.r < 0.9 then 'denied' else 'cancelled' end)::request_status,
                 'Load test request', '{}'::jsonb,
                 jsonb_build_object('name', plan.name, 'autoApprove', plan.auto_approve, 'approvalsRequired', plan.approvals_required,
                   'keyLifetimeDays', plan.key_lifetime_days, 'claimLinkLifetimeHours', plan.claim_link_lifetime_hours,
                   'rateLimitPerMinute', plan.rate_limit_per_minute, 'quotaPerMonth', plan.quota_per_month,
                   'reviewRequired', plan.review_required, 'requestFields', plan.request_fields),
                 p.created, 180, p.created, p.created, case when p.r >= 0.05 then p.created + interval '1 hour' end
          from picked p cross join plan
          returning id
        )
        insert into access_request_products (request_id, product_id)
        select ins.id, (select id from products where status = 'published' order by md5(ins.id || id) limit 1) from ins`;
    });
    process.stdout.write(`  ${(existing + done + size).toLocaleString("en")}\n`);
  }
  await sql`analyze`;
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
await sql.end();
