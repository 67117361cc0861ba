import { desc } from "drizzle-orm";
import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { emailMessages } from "@/db/schema";
import { devMailboxAnswers } from "@/lib/mail/dev-mailbox-access";
import { AutoRefresh } from "./auto-refresh";

// Lists live data and depends on run-time env: never prerendered.
export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Dev mailbox" };

const time = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
export const statusTone = { queued: "amber", sending: "amber", sent: "green", failed: "red", expired: "neutral" } as const;

export default async function MailboxPage() {
  if (!devMailboxAnswers(await headers())) notFound();
  const messages = await db
    .select({
      id: emailMessages.id,
      to: emailMessages.to,
      template: emailMessages.template,
      subject: emailMessages.subject,
      status: emailMessages.status,
      createdAt: emailMessages.createdAt,
    })
    .from(emailMessages)
    .orderBy(desc(emailMessages.createdAt))
    .limit(100);
  return (
    <>
      <PageHeader
        title="Dev mailbox"
        description="No email provider is configured, so Portico keeps outgoing mail here. Open a message to follow its links."
        actions={<AutoRefresh />}
      />
      {messages.length === 0 ? (
        <EmptyState title="No messages yet">Sign in with any address and the link will show up here.</EmptyState>
      ) : (
        <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
          {messages.map((m) => (
            <li key={m.id} data-template={m.template} data-to={m.to} data-status={m.status} data-message={m.id} className="relative flex flex-col gap-1 px-4 py-3 hover:bg-zinc-50 sm:flex-row sm:items-center sm:gap-4 dark:hover:bg-zinc-800">
              <span className="w-56 truncate text-sm text-zinc-600 dark:text-zinc-400">{m.to}</span>
              <Link href={`/dev/mailbox/${m.id}`} className="flex-1 font-medium after:absolute after:inset-0">
                {m.subject}
              </Link>
              <Badge tone={statusTone[m.status]}>{m.status}</Badge>
              <time className="text-xs text-zinc-500 dark:text-zinc-400" dateTime={m.createdAt.toISOString()}>
                {time.format(m.createdAt)} UTC
              </time>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
