import { boolean, customType, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

export type FooterLink = { label: string; href: string };

/**
 * The portal's brand: one row (id true), absent until an admin first saves Admin → Branding; every
 * unset field falls back to Portico's defaults (lib/branding).
 */
export const portalBranding = pgTable("portal_branding", {
  id: boolean().primaryKey().default(true),
  name: text(),
  headline: text(),
  // #rrggbb, checked for AA contrast against white and the dark background when saved
  accent: text(),
  // The uploaded logo (SVG or PNG), served from its own route; null: the name is the logo.
  logo: bytea(),
  logoType: text(),
  footerLinks: jsonb().$type<FooterLink[]>().notNull().default([]),
  updatedBy: text().references(() => users.id),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
