import { inArray } from "drizzle-orm";
import type { Queryable } from "@/db/connect";
import { users } from "@/db/schema";
import type { EmailBrand } from "@/emails/brand";
import { LOGO_PATH } from "@/lib/branding/defaults";
import { readBranding } from "@/lib/branding/read-branding";
import { env } from "@/lib/env";

/**
 * The brand an email is rendered with: read when it is sent, so a message waiting in the queue
 * carries the brand of the day it goes out. The logo only when it is a PNG: Gmail and Outlook
 * show no SVG, and the name stands beside it anyway.
 */
export async function emailBrand(db: Queryable): Promise<EmailBrand> {
  const brand = await readBranding(db);
  return {
    name: brand.name,
    accent: brand.accent,
    logoUrl: brand.logoType === "image/png" ? `${env.baseUrl}${LOGO_PATH}?v=${brand.version}` : null,
  };
}

/** The display names of the accounts these addresses belong to (for "Hello Ada,"). */
export async function recipientNames(db: Queryable, addresses: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(addresses.map((a) => a.toLowerCase()))];
  if (unique.length === 0) return new Map();
  const rows = await db.select({ email: users.email, name: users.name }).from(users).where(inArray(users.email, unique));
  return new Map(rows.filter((r) => r.name?.trim()).map((r) => [r.email.toLowerCase(), (r.name ?? "").trim()]));
}
