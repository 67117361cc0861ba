import { index, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { plans } from "./plans";
import { products } from "./products";
import { users } from "./users";

// A signed-in user's cart, kept server-side so it follows them across devices and sign-ins.
export const cartItems = pgTable(
  "cart_items",
  {
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    productId: text()
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    planId: text()
      .notNull()
      .references(() => plans.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.productId, t.planId] }), index("cart_items_product_idx").on(t.productId)],
);
