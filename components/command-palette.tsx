"use client";

import * as Dialog from "@radix-ui/react-dialog";
import { Command } from "cmdk";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { SearchGroup, SearchHit } from "@/lib/search/search-everything";

const GROUP_LABELS: Record<SearchGroup, string> = {
  products: "APIs",
  apps: "Your apps",
  "my-requests": "Your requests",
  // Every status (each hit says its own): the queue's requests, opened in the approval queue.
  requests: "Approval queue",
  keys: "Keys",
  users: "People",
};
const GROUP_ORDER = Object.keys(GROUP_LABELS) as SearchGroup[];

type Answer = { q: string; hits: SearchHit[] } | { q: string; error: string };

/**
 * Search everything (⌘K / Ctrl-K, or the Search button): what GET /api/search lets this person open.
 * Arrows move, Enter opens, Escape closes and gives focus back to where it was.
 */
export function CommandPalette() {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const [answer, setAnswer] = useState<Answer | null>(null);
  const router = useRouter();

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() === "k" && (event.metaKey || event.ctrlKey) && !event.altKey && !event.shiftKey) {
        event.preventDefault();
        setOpen((o) => !o);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const q = query.trim();
  useEffect(() => {
    if (!q) return;
    const controller = new AbortController();
    // Ask once typing pauses, and only for the latest words.
    const timer = setTimeout(() => {
      fetch(`/api/search?q=${encodeURIComponent(q)}`, { signal: controller.signal, cache: "no-store" })
        .then(async (r) => {
          const body = (await r.json()) as { hits?: SearchHit[]; error?: { message: string } };
          setAnswer(body.hits ? { q, hits: body.hits } : { q, error: body.error?.message ?? "Search did not answer. Try again." });
        })
        .catch((error: unknown) => {
          if ((error as Error).name !== "AbortError") setAnswer({ q, error: "Search is unavailable right now. Try again in a moment." });
        });
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);

  const current = answer && answer.q === q ? answer : null;
  const go = (href: string) => {
    setOpen(false);
    setQuery("");
    router.push(href);
  };

  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger
        className="order-1 inline-flex h-8 items-center gap-2 rounded-md border border-zinc-300 px-2.5 text-sm text-zinc-600 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-600 lg:order-none dark:border-zinc-700 dark:text-zinc-300 dark:hover:bg-zinc-900"
        data-testid="search-button"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" className="size-4 shrink-0">
          <circle cx="8.5" cy="8.5" r="5.5" />
          <path d="m13 13 4.5 4.5" />
        </svg>
        <span className="sr-only sm:not-sr-only">Search</span>
        <kbd aria-hidden="true" className="hidden rounded border border-zinc-300 px-1 font-sans text-xs text-zinc-500 sm:inline dark:border-zinc-600 dark:text-zinc-400">
          Ctrl K
        </kbd>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-zinc-950/40" />
        <Dialog.Content
          className="fixed inset-x-3 top-16 z-50 mx-auto max-w-xl overflow-hidden rounded-lg border border-zinc-200 bg-white text-zinc-900 shadow-xl dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
          aria-describedby={undefined}
        >
          <Dialog.Title className="sr-only">Search Portico</Dialog.Title>
          <Command shouldFilter={false} label="Search Portico" loop>
            <Command.Input
              value={query}
              onValueChange={setQuery}
              placeholder="Search APIs, apps, requests, keys…"
              aria-label="Search"
              className="h-12 w-full border-b border-zinc-200 bg-transparent px-4 text-base outline-none placeholder:text-zinc-500 dark:border-zinc-700 dark:placeholder:text-zinc-400"
            />
            <Command.List className="max-h-[60vh] overflow-y-auto p-2" label="Results">
              {!q ? (
                <p className="px-2 py-3 text-sm text-zinc-600 dark:text-zinc-400">
                  Type a product, an app, a person&apos;s email or the start of a key.
                </p>
              ) : current && "error" in current ? (
                <p role="alert" className="px-2 py-3 text-sm text-red-700 dark:text-red-300">
                  {current.error}
                </p>
              ) : current ? (
                <Command.Empty className="px-2 py-3 text-sm text-zinc-600 dark:text-zinc-400">
                  Nothing found for “{q}”. Try fewer or other words.
                </Command.Empty>
              ) : (
                <Command.Loading label="Searching" className="px-2 py-3 text-sm text-zinc-600 dark:text-zinc-400">
                  Searching…
                </Command.Loading>
              )}
              {current && "hits" in current
                ? GROUP_ORDER.map((group) => {
                    const hits = current.hits.filter((h) => h.group === group);
                    if (hits.length === 0) return null;
                    return (
                      <Command.Group
                        key={group}
                        heading={GROUP_LABELS[group]}
                        className="mb-1 [&_[cmdk-group-heading]]:px-2 [&_[cmdk-group-heading]]:py-1 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-semibold [&_[cmdk-group-heading]]:text-zinc-600 dark:[&_[cmdk-group-heading]]:text-zinc-400"
                      >
                        {hits.map((hit) => (
                          <Command.Item
                            key={`${group}:${hit.id}`}
                            value={`${group}:${hit.id}`}
                            onSelect={() => go(hit.href)}
                            className="flex cursor-pointer flex-col rounded-md px-2 py-2 text-sm data-[selected=true]:bg-indigo-50 dark:data-[selected=true]:bg-indigo-950"
                          >
                            <span className="font-medium [overflow-wrap:anywhere]">{hit.title}</span>
                            {hit.detail ? <span className="text-xs text-zinc-600 [overflow-wrap:anywhere] dark:text-zinc-400">{hit.detail}</span> : null}
                          </Command.Item>
                        ))}
                      </Command.Group>
                    );
                  })
                : null}
            </Command.List>
          </Command>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
