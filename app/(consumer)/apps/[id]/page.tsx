import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { appIdSchema } from "@/lib/apps/app-schema";
import { getApp } from "@/lib/apps/get-app";
import { currentUser, requireUser } from "@/lib/auth/guards";
import { Badge } from "@/components/ui/badge";
import { Table } from "@/components/ui/table";
import { formatDate, formatDateTime } from "@/lib/format";
import { howItEnded, keyState, keyStateLabel, keyStateTone, validityWindow } from "@/lib/keys/key-state";
import { keysOfApp } from "@/lib/keys/queries";
import { CheckKeyForm } from "@/components/keys/check-key-form";
import { checkAppKeyAction } from "../actions";
import { DeleteApp } from "./delete-app";
import { EditAppForm } from "./edit-app-form";

// Shared by generateMetadata and the page, so one request reads the app once.
const loadApp = cache(async (ownerId: string, id: string) => getApp(db, ownerId, id));

export async function generateMetadata({ params }: PageProps<"/apps/[id]">): Promise<Metadata> {
  const { id } = await params;
  const user = await currentUser();
  const app = user && appIdSchema.safeParse(id).success ? await loadApp(user.id, id) : null;
  return { title: app ? app.name : "App" };
}

export default async function AppPage({ params }: PageProps<"/apps/[id]">) {
  const { id } = await params;
  // Anything that cannot be an app id is a 404 without a query.
  if (!appIdSchema.safeParse(id).success) notFound();
  const user = await requireUser(`/apps/${id}`);
  // Someone else's app and a missing one look the same.
  const app = await loadApp(user.id, id);
  if (!app) notFound();
  const keys = await keysOfApp(db, user.id, app.id);
  const now = new Date();

  return (
    <>
      <Breadcrumb parent={{ href: "/apps", label: "Your apps" }} current={app.name} />
      <PageHeader
        title={app.name}
        description={
          <>
            Created <time dateTime={app.createdAt.toISOString()}>{formatDate(app.createdAt)}</time>
          </>
        }
      />
      <div className="grid gap-10 lg:grid-cols-[1fr_22rem]">
        <section aria-labelledby="keys-title">
          <h2 id="keys-title" className="mb-3 text-lg font-semibold">
            Key archive
          </h2>
          {keys.length === 0 ? (
            <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
              No keys yet. Keys appear here once a request for this app is approved and claimed.
            </p>
          ) : (
            <Table caption="Every key of this app, newest first" columns={[{ label: "Key" }, { label: "Plan" }, { label: "Valid" }, { label: "Status" }]}>
              {keys.map((k) => {
                const state = keyState(k, now);
                const ended = howItEnded(k, now);
                return (
                  <tr key={k.id} data-testid="archive-key">
                    <td className="py-2 pr-4 align-top">
                      <Link href={`/requests/${k.requestId}`} className="font-mono text-indigo-600 hover:underline">
                        {k.start}…
                      </Link>
                      <p className="text-xs text-zinc-500">{k.lastUsedAt ? `Last used ${formatDateTime(k.lastUsedAt)}` : "Never used"}</p>
                    </td>
                    <td className="py-2 pr-4 align-top">{k.planName}</td>
                    <td className="py-2 pr-4 align-top">{validityWindow(k)}</td>
                    <td className="py-2 align-top">
                      <Badge tone={keyStateTone[state]}>{keyStateLabel[state]}</Badge>
                      {ended ? <p className="mt-1 text-xs text-zinc-500">{ended}</p> : null}
                    </td>
                  </tr>
                );
              })}
            </Table>
          )}
          <div className="mt-8">
            <CheckKeyForm
              action={checkAppKeyAction}
              appId={app.id}
              description={`Paste a key to learn whether it is ${app.name}'s current key, an older one, or no longer works. The key is sent only to check it and is never stored.`}
            />
          </div>
        </section>
        <div className="space-y-6 self-start">
          <Card>
            <EditAppForm id={app.id} name={app.name} description={app.description} />
          </Card>
          <Card>
            <DeleteApp id={app.id} name={app.name} />
          </Card>
        </div>
      </div>
    </>
  );
}
