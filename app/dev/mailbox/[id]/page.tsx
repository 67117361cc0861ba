import { eq } from "drizzle-orm";
import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { z } from "zod";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { db } from "@/db/client";
import { emailMessages } from "@/db/schema";
import { unseal } from "@/lib/mail/sealed";
import { devMailboxAnswers } from "@/lib/mail/dev-mailbox-access";
import { statusTone } from "../page";

// Lists live data and depends on run-time env: never prerendered.
export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Message" };

function linksIn(html: string | null) {
  if (!html) return [];
  const found = new Set<string>();
  for (const match of html.matchAll(/href="([^"]+)"/g)) {
    if (match[1]) found.add(match[1].replaceAll("&amp;", "&"));
  }
  return [...found];
}

export default async function MessagePage({ params }: PageProps<"/dev/mailbox/[id]">) {
  if (!devMailboxAnswers(await headers())) notFound();
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  const [message] = await db.select().from(emailMessages).where(eq(emailMessages.id, id.data)).limit(1);
  if (!message) notFound();
  const html = await unseal(message.html);
  const links = linksIn(html);
  return (
    <div className="space-y-6">
      <Link href="/dev/mailbox" className="text-sm text-indigo-600 dark:text-indigo-400 underline">
        ← All messages
      </Link>
      <div>
        <h1 className="text-2xl font-semibold">{message.subject}</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          To {message.to} · template {message.template} · <Badge tone={statusTone[message.status]}>{message.status}</Badge>{" "}
          · {message.attempts} {message.attempts === 1 ? "attempt" : "attempts"}
        </p>
        {message.lastError ? <p className="mt-1 text-sm text-red-600 dark:text-red-400">Last error: {message.lastError}</p> : null}
      </div>
      {message.status !== "sent" ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">This message has not been delivered to the outbox yet. Refresh in a moment.</p>
      ) : null}
      {links.length > 0 ? (
        <Card>
          <h2 className="mb-2 text-sm font-semibold">Links in this message</h2>
          <ul className="space-y-1 text-sm">
            {links.map((href) => (
              <li key={href}>
                <a href={href} className="break-all text-indigo-600 dark:text-indigo-400 underline" data-testid="mail-link">
                  {href}
                </a>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      {html ? (
        <iframe
          title="Message body"
          sandbox=""
          srcDoc={html}
          className="h-[32rem] w-full rounded-lg border border-zinc-200 bg-white dark:border-zinc-800"
        />
      ) : null}
    </div>
  );
}
