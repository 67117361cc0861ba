import { sql } from "drizzle-orm";
import type { Database } from "./connect";
import { plans, productPlans, products, users } from "./schema";
import { IDENTITY_OPENAPI } from "./seed-openapi/identity";
import { PAYMENTS_OPENAPI } from "./seed-openapi/payments";
import { WEATHER_OPENAPI } from "./seed-openapi/weather";

type PlanName = "Free" | "Standard" | "Enterprise";

export const DEMO_USERS = {
  admin: { email: "admin@portico.dev", name: "Ada Admin", role: "admin" },
  owner: { email: "owner@portico.dev", name: "Omar Owner", role: "owner" },
  consumer: { email: "consumer@portico.dev", name: "Cleo Consumer", role: "consumer" },
} as const;

const PLANS: (typeof plans.$inferInsert & { name: PlanName })[] = [
  {
    name: "Free",
    description: "Try the API. Approved automatically.",
    autoApprove: true,
    approvalsRequired: 1,
    keyLifetimeDays: 30,
    rateLimitPerMinute: 60,
    quotaPerMonth: 10_000,
  },
  {
    name: "Standard",
    description: "Production traffic for most apps. An owner reviews each request.",
    autoApprove: false,
    approvalsRequired: 1,
    keyLifetimeDays: 180,
    rateLimitPerMinute: 600,
    quotaPerMonth: 1_000_000,
    // Plans are shared by products; the scopes count only for the OAuth 2.0 ones (identity, accounts).
    oauthScopes: ["identity:read", "accounts:read"],
    requestFields: [{ key: "useCase", label: "Describe your use case", type: "textarea", required: false }],
  },
  {
    name: "Enterprise",
    description: "High limits and sensitive data. Two approvers must agree.",
    autoApprove: false,
    approvalsRequired: 2,
    keyLifetimeDays: 365,
    rateLimitPerMinute: 6000,
    quotaPerMonth: null,
    oauthScopes: ["identity:read", "identity:verify", "accounts:read"],
    reviewRequired: true,
    requestFields: [
      { key: "company", label: "Company", type: "text", required: true },
      { key: "environment", label: "Environment", type: "select", required: true, options: ["Sandbox", "Production"] },
    ],
  },
];

type DemoProduct = {
  slug: string;
  name: string;
  summary: string;
  tags: string[];
  authMethod: "api_key" | "oauth2";
  /** In the owner's order on the product page. */
  plans: PlanName[];
  recommended?: PlanName;
  featured?: boolean;
  openapi?: string;
  status?: "draft" | "published";
  /** The description's opening: more than the summary, which the product page already shows above it. */
  overview: string;
};

const PRODUCTS: DemoProduct[] = [
  { slug: "payments", name: "Payments API", summary: "Charge cards, issue refunds and reconcile payouts.", tags: ["payments", "finance"], authMethod: "api_key", plans: ["Free", "Standard", "Enterprise"], recommended: "Standard", featured: true, openapi: PAYMENTS_OPENAPI, overview: "Take card payments in 40 currencies with one call, refund all or part of a charge, and match every payout to the charges it settles. Webhooks tell your app when a charge succeeds, fails or is disputed." },
  { slug: "invoices", name: "Invoices API", summary: "Create, send and track invoices in 30 currencies.", tags: ["finance"], authMethod: "api_key", plans: ["Free", "Standard"], overview: "Draft an invoice, send it by email with a payment link, and follow it from sent to paid or overdue. Reminders go out on the schedule you set, and every invoice keeps a PDF you can download." },
  { slug: "fx-rates", name: "FX Rates API", summary: "Live and historical foreign-exchange rates.", tags: ["finance", "data"], authMethod: "api_key", plans: ["Free", "Standard", "Enterprise"], overview: "Mid-market rates for 170 currencies, updated every minute, and daily closing rates back to 1999. Ask for one pair, a whole base currency, or a time series for charts and reports." },
  { slug: "geocoding", name: "Geocoding API", summary: "Turn addresses into coordinates and back.", tags: ["maps", "data"], authMethod: "api_key", plans: ["Free", "Standard"], overview: "Send an address in any format and get back coordinates with a confidence score; send coordinates and get the nearest address. Batch requests take up to 1,000 addresses at a time." },
  { slug: "routing", name: "Routing API", summary: "Fastest routes for cars, bikes and trucks.", tags: ["maps"], authMethod: "api_key", plans: ["Standard", "Enterprise"], overview: "Plan a route between two points or through up to 25 stops, by car, bike or truck, with live traffic. Truck routes respect height, weight and hazardous-goods restrictions." },
  { slug: "weather", name: "Weather API", summary: "Forecasts and observations for any point on Earth.", tags: ["data"], authMethod: "api_key", plans: ["Free", "Standard"], recommended: "Free", featured: true, openapi: WEATHER_OPENAPI, overview: "Current conditions, hourly forecasts for 48 hours and daily forecasts for 14 days, for any latitude and longitude. Observations come from 40,000 stations, with historical data back to 1979." },
  { slug: "identity", name: "Identity API", summary: "Verify users' identity documents with OAuth 2.0 scopes.", tags: ["identity", "security"], authMethod: "oauth2", plans: ["Standard", "Enterprise"], openapi: IDENTITY_OPENAPI, overview: "Check a passport, ID card or driving licence against its issuer's security features, and match the photo to a selfie. Your app asks only for the scopes it needs, and the user sees them before they agree." },
  { slug: "accounts", name: "Accounts API", summary: "Read account balances and transactions with the holder's consent.", tags: ["finance", "identity"], authMethod: "oauth2", plans: ["Standard", "Enterprise"], overview: "With the account holder's consent, read their balances and up to 24 months of transactions from over 2,000 banks. Consent lasts 90 days and the holder can withdraw it at any time." },
  { slug: "notifications", name: "Notifications API", summary: "Send SMS, push and email from one endpoint.", tags: ["messaging"], authMethod: "api_key", plans: ["Free", "Standard"], overview: "One request sends a message by SMS, push or email, or by whichever channel reaches the person first. Delivery receipts come back by webhook, and opt-outs are honoured automatically." },
  { slug: "ledger-beta", name: "Ledger API (beta)", summary: "Double-entry ledger as a service. Not yet public.", tags: ["finance"], authMethod: "api_key", plans: ["Standard"], status: "draft", overview: "Record money movements as balanced double entries, read any account's balance at any moment, and never lose an entry: corrections are new entries, not edits." },
];

function description(p: DemoProduct) {
  return `## Overview

${p.overview}

## Getting started

1. Choose a plan under **Plans** and put **${p.name}** in your cart, then send an access request for one of your apps.
2. Once approved, generate your ${p.authMethod === "api_key" ? "key" : "client credentials"} from the request page or the one-time link in your email. ${p.authMethod === "api_key" ? "It is" : "They are"} shown to you once.
3. ${p.authMethod === "api_key" ? "Send the key with every call" : "Get an access token with them and send it with every call"}; **Call the API** has ready-made snippets.

## Limits

Rate limits and quotas depend on the plan: each plan under **Plans** lists its own.
`;
}

/** Demo data for the embedded default. Idempotent: does nothing once any product exists. */
export async function seedDemo(db: Database): Promise<{ seeded: boolean }> {
  return db.transaction(async (tx) => {
    // Two starts racing on a fresh database must not both seed.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('portico-seed'))`);
    const existing = await tx.execute(sql`select 1 from products limit 1`);
    if (existing.length > 0) return { seeded: false };

    const userRows = await tx
      .insert(users)
      .values(Object.values(DEMO_USERS).map((u) => ({ ...u, emailVerified: new Date() })))
      .onConflictDoUpdate({ target: users.email, set: { role: sql`excluded.role` } })
      .returning();
    const owner = userRows.find((u) => u.email === DEMO_USERS.owner.email);
    if (!owner) throw new Error("seed: owner missing");

    const planRows = await tx
      .insert(plans)
      .values(PLANS)
      .returning();
    const planId = new Map(planRows.map((p) => [p.name, p.id]));

    const productRows = await tx
      .insert(products)
      .values(
        PRODUCTS.map((p) => ({
          slug: p.slug,
          name: p.name,
          summary: p.summary,
          description: description(p),
          tags: p.tags,
          authMethod: p.authMethod,
          ownerId: owner.id,
          status: p.status ?? ("published" as const),
          featured: p.featured ?? false,
          openapi: p.openapi ?? null,
        })),
      )
      .returning();
    const links = productRows.flatMap((row) => {
      const spec = PRODUCTS.find((p) => p.slug === row.slug);
      return (spec?.plans ?? []).map((name, position) => {
        const id = planId.get(name);
        if (!id) throw new Error(`seed: plan ${name} missing`);
        return { productId: row.id, planId: id, position, recommended: spec?.recommended === name };
      });
    });
    await tx.insert(productPlans).values(links);
    return { seeded: true };
  });
}
