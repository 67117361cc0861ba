/**
 * Webhooks: (a) how long from a decision's commit to the receiver getting the first delivery attempt,
 * with the real worker (graphile-worker, default concurrency) and a local node:http receiver; (b) what
 * a decision costs with 10 endpoints subscribed beside the same decision with none, in one run,
 * alternating blocks so drift hits both (the decision only writes the events and enqueues).
 *
 * Part of `npm run bench`; on its own, against a fresh embedded database:
 *   npx tsx scripts/with-db.ts --data .data/bench-wh --fresh -- npx tsx bench/webhooks.ts
 * Env: BENCH_WEBHOOK_DECISIONS (default 200).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { eq, inArray, sql } from "drizzle-orm";
import { createDb } from "../db/connect";
import { plans, products, users, webhookDeliveries, webhookEndpoints } from "../db/schema";
import type { Actor } from "../lib/auth/permissions";
import { addToCart } from "../lib/cart/cart-store";
import { startWorker } from "../lib/jobs/start-worker";
import { outboxTransport } from "../lib/mail/transport";
import { decideRequests } from "../lib/requests/decide-requests";
import { submitRequest } from "../lib/requests/submit-request";
import { createWebhookEndpoint } from "../lib/webhooks/manage";

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)}  p95 ${pct(xs, 95).toFixed(1)}  p99 ${pct(xs, 99).toFixed(1)} ms`;
const open = { allowHttp: true, allowPrivate: true };

export async function benchWebhooks(databaseUrl: string, opts: { decisions?: number } = {}) {
  const decisions = opts.decisions ?? Number(process.env.BENCH_WEBHOOK_DECISIONS ?? 200);
  const { db, sql: raw } = createDb(databaseUrl, { max: 4 });
  const baseUrl = "http://portal.bench";
  // The receiver notes when each approval's first attempt arrives (keyed by the request it is about).
  const firstArrival = new Map<string, number>();
  const server = createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { type: string; data?: { request?: { id: string } } };
        const id = body.data?.request?.id;
        if (body.type === "access_request.approved" && id && !firstArrival.has(id)) firstArrival.set(id, at);
      } catch {
        // not ours
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  const endpointIds: string[] = [];
  try {
    const [adminRow] = await db.select().from(users).where(eq(users.email, "admin@portico.dev"));
    if (!adminRow) throw new Error("demo admin missing (seed the database)");
    const admin: Actor = { kind: "user", id: adminRow.id, role: "admin", disabled: false };
    const [product] = await db.select().from(products).where(eq(products.slug, "payments"));
    const [plan] = await db.select().from(plans).where(eq(plans.name, "Standard"));
    if (!product || !plan) throw new Error("demo catalogue missing (payments / Standard)");

    // Webhook endpoints this bench did not make would receive its events too: switch them off meanwhile.
    const othersOn = (await db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.enabled, true))).map((e) => e.id);
    if (othersOn.length) await db.update(webhookEndpoints).set({ enabled: false }).where(inArray(webhookEndpoints.id, othersOn));

    const tag = `${Date.now().toString(36)}`;
    const pending = async (n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const [u] = await db.insert(users).values({ email: `bench-wh-${tag}-${ids.length}-${Math.random().toString(36).slice(2, 8)}@example.com`, name: "Webhook bench", role: "consumer" }).returning();
        if (!u) throw new Error("user insert");
        await addToCart(db, u.id, { productId: product.id, planId: plan.id });
        const r = await submitRequest(db, { userId: u.id, baseUrl }, { newAppName: "Webhook bench app", reason: "bench" }, {});
        ids.push(r.id);
      }
      return ids;
    };
    const warmUp = 10;
    console.log(`\nWebhooks — preparing ${decisions + warmUp} + ${Math.ceil((decisions * 3) / 2 / 30) * 30} pending requests …`);
    const forWarmUp = await pending(warmUp);
    const forLatency = await pending(decisions);
    const forCost = await pending(Math.ceil((decisions * 3) / 2 / 30) * 30);

    // (a) commit → first attempt received, real worker.
    const { endpoint } = await createWebhookEndpoint(db, admin, { name: `Bench latency ${tag}`, url: hookUrl, eventTypes: ["access_request.approved"], productIds: "all" }, open);
    endpointIds.push(endpoint.id);
    const worker = await startWorker({ connectionString: databaseUrl, transport: outboxTransport, from: "bench@example.com", baseUrl, webhooks: { policy: open } });
    const committed = new Map<string, number>();
    try {
      // not measured: the first jobs, connections and JIT
      for (const id of forWarmUp) await decideRequests(db, admin, { requestIds: [id], decision: "approve", baseUrl });
      for (const id of forLatency) {
        await decideRequests(db, admin, { requestIds: [id], decision: "approve", baseUrl });
        committed.set(id, performance.now());
      }
      const until = Date.now() + 60_000;
      const arrived = () => forLatency.filter((id) => firstArrival.has(id)).length;
      while (arrived() < forLatency.length && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await worker.stop();
    }
    const latencies = forLatency.flatMap((id) => {
      const a = firstArrival.get(id);
      const c = committed.get(id);
      return a !== undefined && c !== undefined ? [a - c] : [];
    });
    console.log(`\n(a) decision commit → first delivery attempt at a local receiver, real worker, ${latencies.length}/${forLatency.length} received`);
    console.log(`    ${fmt(latencies)}   (goal: p95 < 2000 ms)`);

    // (b) a decision's cost: no endpoint subscribed vs 10, alternating blocks of 10.
    for (let i = 0; i < 10; i++) {
      const { endpoint: e } = await createWebhookEndpoint(db, admin, { name: `Bench cost ${tag} ${i}`, url: hookUrl, eventTypes: "all", productIds: "all" }, open);
      endpointIds.push(e.id);
    }
    const costEndpoints = endpointIds.slice(1);
    await db.update(webhookEndpoints).set({ enabled: false }).where(inArray(webhookEndpoints.id, endpointIds));
    // Blocks of 10 decisions: none, 1, 10 endpoints subscribed, in turn.
    const series = { none: [] as number[], one: [] as number[], ten: [] as number[] };
    const turns = ["none", "one", "ten"] as const;
    for (let i = 0; i < forCost.length; i += 10) {
      const turn = turns[(i / 10) % 3] ?? "none";
      const on = turn === "ten" ? costEndpoints : turn === "one" ? costEndpoints.slice(0, 1) : [];
      await db.update(webhookEndpoints).set({ enabled: on.length ? sql`${webhookEndpoints.id} in (${sql.join(on.map((id) => sql`${id}`), sql`, `)})` : false }).where(inArray(webhookEndpoints.id, costEndpoints));
      for (const id of forCost.slice(i, i + 10)) {
        const t0 = performance.now();
        await decideRequests(db, admin, { requestIds: [id], decision: "approve", baseUrl });
        series[turn].push(performance.now() - t0);
      }
    }
    const [{ n: deliveries } = { n: 0 }] = await raw<{ n: number }[]>`select count(*)::int as n from webhook_deliveries where endpoint_id in ${raw(costEndpoints)}`;
    const { none, one, ten } = series;
    const row = (label: string, xs: number[], extra = "") =>
      console.log(`    ${label.padEnd(20)}${pct(xs, 50).toFixed(1).padStart(7)}  ${pct(xs, 95).toFixed(1).padStart(7)}   ${(pct(xs, 50) / pct(none, 50)).toFixed(2).padStart(5)}  ${(pct(xs, 95) / pct(none, 95)).toFixed(2).padStart(5)}${extra}`);
    console.log(`\n(b) one decision (decideRequests, 1 request, approve), ${none.length} / ${one.length} / ${ten.length} decisions in turns of 10`);
    console.log("                          p50 ms   p95 ms   ratio to none (p50, p95)");
    row("no endpoint", none);
    row("1 endpoint", one);
    row("10 endpoints", ten, `   (${deliveries} deliveries enqueued in all)`);
    if (othersOn.length) await db.update(webhookEndpoints).set({ enabled: true }).where(inArray(webhookEndpoints.id, othersOn));
  } finally {
    // The bench's endpoints go with their deliveries and the jobs that would send them.
    if (endpointIds.length) {
      await db.execute(sql`delete from graphile_worker._private_jobs where key in (select 'webhook:' || id from ${webhookDeliveries} where ${inArray(webhookDeliveries.endpointId, endpointIds)})`);
      await db.delete(webhookEndpoints).where(inArray(webhookEndpoints.id, endpointIds));
    }
    server.close();
    await raw.end();
  }
}

if (process.argv[1]?.endsWith("bench/webhooks.ts")) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: run through scripts/with-db.ts (see the comment at the top).");
  benchWebhooks(url).then(
    () => setTimeout(() => process.exit(0), 500),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
