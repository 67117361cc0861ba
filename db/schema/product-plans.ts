import { boolean, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { plans } from "./plans";
import { products } from "./products";

// Which plans a product offers.
export const productPlans = pgTable(
  "product_plans",
  {
    productId: text()
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    planId: text()
      .notNull()
      .references(() => plans.id, { onDelete: "cascade" }),
    // The owner's order of the product's plans on its page (ascending), and the one it recommends.
    position: integer().notNull().default(0),
    recommended: boolean().notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.productId, t.planId] }),
    index("product_plans_plan_idx").on(t.planId),
  ],
);
