import type { Queryable } from "@/db/connect";
import { apps } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { assertAppNameFree } from "./app-name";
import { type AppInput, parseAppFields } from "./app-schema";
import type { App } from "./get-app";

/** Creates an app owned by `ownerId`, audited in the same transaction. Its name is new among the owner's apps. */
export async function createApp(tx: Queryable, ownerId: string, input: AppInput): Promise<App> {
  const fields = parseAppFields(input);
  return tx.transaction(async (trx) => {
    await assertAppNameFree(trx, ownerId, fields.name, "name");
    const [app] = await trx.insert(apps).values({ ownerId, ...fields }).returning();
    if (!app) throw new Error("insert into apps returned no row");
    await recordEvent(trx, {
      actorId: ownerId,
      action: "app.created",
      subjectType: "app",
      subjectId: app.id,
      data: { name: app.name },
    });
    return app;
  });
}
