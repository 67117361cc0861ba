import { relations } from "drizzle-orm";
import { plans } from "./plans";
import { productPlans } from "./product-plans";
import { products } from "./products";
import { users } from "./users";

export const productsRelations = relations(products, ({ one, many }) => ({
  owner: one(users, { fields: [products.ownerId], references: [users.id] }),
  productPlans: many(productPlans),
}));

export const plansRelations = relations(plans, ({ many }) => ({
  productPlans: many(productPlans),
}));

export const productPlansRelations = relations(productPlans, ({ one }) => ({
  product: one(products, { fields: [productPlans.productId], references: [products.id] }),
  plan: one(plans, { fields: [productPlans.planId], references: [plans.id] }),
}));
