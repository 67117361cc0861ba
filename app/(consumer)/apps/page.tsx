import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { listApps } from "@/lib/apps/list-apps";
import { requireUser } from "@/lib/auth/guards";
import { CreateAppForm } from "./create-app-form";
import { formatDate } from "@/lib/format";

export const metadata: Metadata = { title: "Apps" };

export default async function AppsPage({ searchParams }: PageProps<"/apps">) {
  const user = await requireUser("/apps");
  const [apps, params] = await Promise.all([listApps(db, user.id), searchParams]);
  return (
    <>
      <PageHeader
        title="Your apps"
        description="An app stands for a program of yours that calls APIs. Access you request is granted to one of your apps, and its keys belong to it."
      />
      {params.deleted === "1" ? (
        <p role="status" className="mb-6 rounded-md bg-emerald-50 px-4 py-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300">
          App deleted.
        </p>
      ) : null}
      <div className="grid gap-10 lg:grid-cols-[1fr_22rem]">
        <section aria-labelledby="app-list-title">
          <h2 id="app-list-title" className="sr-only">
            Apps
          </h2>
          {apps.length === 0 ? (
            <EmptyState title="No apps yet">
              An app holds the credentials approved for it. Create one here, or while you request access from the cart.
            </EmptyState>
          ) : (
            <ul className="grid gap-3 sm:grid-cols-2">
              {apps.map((app) => (
                <li key={app.id}>
                  <Link
                    href={`/apps/${app.id}`}
                    className="block h-full rounded-lg focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
                  >
                    <Card className="h-full transition-colors hover:border-indigo-300 dark:hover:border-indigo-700">
                      <h3 className="font-semibold break-words text-zinc-900 dark:text-zinc-50">{app.name}</h3>
                      {app.description ? (
                        <p className="mt-1 line-clamp-2 text-sm break-words text-zinc-600 dark:text-zinc-400">{app.description}</p>
                      ) : null}
                      <p className="mt-3 text-xs text-zinc-500 dark:text-zinc-400">
                        Created <time dateTime={app.createdAt.toISOString()}>{formatDate(app.createdAt)}</time>
                      </p>
                    </Card>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
        <Card className="self-start">
          <CreateAppForm />
        </Card>
      </div>
    </>
  );
}
