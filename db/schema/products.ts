import { sql } from "drizzle-orm";
import { boolean, index, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./users";

export const authMethod = pgEnum("auth_method", ["api_key", "oauth2"]);
export const productStatus = pgEnum("product_status", ["draft", "published", "archived"]);
export type AuthMethod = (typeof authMethod.enumValues)[number];

export const products = pgTable(
  "products",
  {
    id: text()
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    slug: text().notNull(),
    name: text().notNull(),
    summary: text().notNull().default(""),
    // Markdown, rendered without raw HTML on the product page.
    description: text().notNull().default(""),
    tags: text().array().notNull().default(sql`'{}'::text[]`),
    authMethod: authMethod().notNull().default("api_key"),
    ownerId: text()
      .notNull()
      .references(() => users.id),
    // OpenAPI document as uploaded (JSON or YAML), validated on save; null = none.
    openapi: text(),
    status: productStatus().notNull().default("draft"),
    // Shown among the home page's featured products (chosen by the product's owner or an admin).
    featured: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("products_slug_key").on(t.slug),
    // The catalogue filters by tag; GIN makes `tags @> ARRAY[...]` an index lookup.
    index("products_tags_gin").using("gin", t.tags),
    index("products_owner_idx").on(t.ownerId),
  ],
);
