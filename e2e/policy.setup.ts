import { test as setup } from "@playwright/test";
import { securitySettings } from "../db/schema";
import { e2eDb } from "./db";

/**
 * Portico's default second-factor policy covers admins and owners: every owner and admin the specs
 * sign in would first be sent to set up an authenticator. The specs of earlier issues test other
 * things, so the suite starts with the policy off; the second-factor specs turn it on themselves,
 * in the project that runs after all the others (playwright.config.ts).
 */
setup("second-factor policy: no one (the second-factor specs change it)", async () => {
  const { db, sql } = e2eDb();
  await db
    .insert(securitySettings)
    .values({ id: true, secondFactorPolicy: "no_one" })
    .onConflictDoUpdate({ target: securitySettings.id, set: { secondFactorPolicy: "no_one" } });
  await sql.end();
});
