import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { appIdSchema } from "@/lib/apps/app-schema";
import { getApp } from "@/lib/apps/get-app";
import { currentUser, requireUser } from "@/lib/auth/guards";
import { formatDate } from "../format-date";
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

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-4 text-sm text-zinc-500">
        <Link href="/apps" className="hover:underline">
          Your apps
        </Link>{" "}
        / <span aria-current="page">{app.name}</span>
      </nav>
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
            Keys
          </h2>
          <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
            No keys yet. Keys appear here once a request for this app is approved and claimed.
          </p>
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
