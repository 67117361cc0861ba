"use client";

import { Link } from "@/components/ui/link";
import { usePathname } from "next/navigation";
import { type KeyboardEvent, type ReactNode, Suspense, use, useId, useRef, useState } from "react";
import { ChevronDown } from "@/components/ui/chevron-down";
import { cn } from "@/components/ui/cn";
import { navCountText } from "@/lib/admin/nav-count-cap";
import type { NavCounts } from "@/lib/admin/nav-counts";

type NavLink = { href: string; label: string; count?: keyof NavCounts; countWord?: string };
type NavGroup = { label: string; links: NavLink[] };

/** What an owner works with: their requests and keys, their products and plans. */
const APPROVER_GROUPS: NavGroup[] = [
  {
    label: "Access",
    links: [
      { href: "/admin", label: "Overview" },
      { href: "/admin/requests", label: "Approval queue", count: "queue", countWord: "pending" },
      { href: "/admin/reviews", label: "Reviews", count: "reviews", countWord: "to review" },
      { href: "/admin/keys", label: "Keys" },
    ],
  },
  {
    label: "Catalogue",
    links: [
      { href: "/admin/products", label: "Products" },
      { href: "/admin/plans", label: "Plans" },
    ],
  },
];

/** The portal as a whole, for admins only (each page checks the role again). */
const ADMIN_GROUPS: NavGroup[] = [
  {
    label: "People & security",
    links: [
      { href: "/admin/users", label: "Users" },
      // Who must use an authenticator app: the portal's policy, not the person's own security
      // (the header's account menu has that).
      { href: "/admin/security", label: "Sign-in policy" },
      { href: "/admin/audit", label: "Audit log" },
    ],
  },
  {
    label: "Integrations",
    links: [
      { href: "/admin/api-keys", label: "API access keys" },
      { href: "/admin/webhooks", label: "Webhooks" },
    ],
  },
  {
    label: "Portal",
    links: [
      { href: "/admin/branding", label: "Branding" },
      { href: "/admin/settings/emails", label: "Email subjects" },
      { href: "/admin/emails", label: "Email delivery" },
    ],
  },
];

/**
 * The admin sections, in small labelled groups (each a list named by its heading). From 1024 px a
 * column beside the page; below it a disclosure ("Admin menu") that opens every group, so a phone
 * reaches all of them. The approval queue and reviews carry the viewer's pending counts, read by a
 * screen reader as "Approval queue 3 pending"; the closed menu on a phone shows them as "3 pending",
 * "1 to review". The counts stream in after the links (`counts` is
 * still being counted when the page renders): a count that is slow to answer holds back no admin
 * page, only its own badge.
 */
export function AdminNav({ isAdmin, counts }: { isAdmin: boolean; counts: Promise<NavCounts> }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const listId = useId();
  const toggleRef = useRef<HTMLButtonElement>(null);
  const groups = isAdmin ? [...APPROVER_GROUPS, ...ADMIN_GROUPS] : APPROVER_GROUPS;
  const links = groups.flatMap((g) => g.links);
  const isActive = (href: string) => (href === "/admin" ? pathname === "/admin" : pathname.startsWith(href));
  // The longest matching link, so /admin/settings/emails is not also "Email delivery"'s page.
  const current = links.filter((l) => isActive(l.href)).sort((a, b) => b.href.length - a.href.length)[0];
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape" && open) {
      setOpen(false);
      toggleRef.current?.focus();
    }
  };
  return (
    <nav aria-label="Admin" className="min-w-0" onKeyDown={onKeyDown}>
      <button
        ref={toggleRef}
        type="button"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen((o) => !o)}
        className="flex min-h-11 w-full items-center justify-between gap-2 rounded-md border border-zinc-300 bg-white px-3 text-sm font-medium text-zinc-800 hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-indigo-500 lg:hidden dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800"
      >
        {/* Wraps rather than cut off: beside two counts ("11 pending", "3 to review") a phone has no
            room for "Admin menu · Email delivery" on one line, and the page's name is the point. */}
        <span className="min-w-0 py-1.5 text-left">
          Admin menu<span className="text-zinc-500 dark:text-zinc-400">{current ? ` · ${current.label}` : ""}</span>
        </span>
        {/* The counts in the sidebar's words, shown ("3 pending", "1 to review"): a bare number beside
            "Admin menu" left a sighted reader to guess what it counted. Part of the button's name. */}
        <span className="flex shrink-0 items-center gap-2">
          {links.map((l) =>
            l.count ? (
              <Suspense key={l.href} fallback={null}>
                <LinkCount counts={counts} which={l.count} word={l.countWord} wordShown />
              </Suspense>
            ) : null,
          )}
          <ChevronDown className={cn("size-4 transition-transform", open && "rotate-180")} />
        </span>
      </button>
      {/* Closed on a phone, the groups are hidden; open, two columns from 640 px. In the sidebar the
          groups stand apart by more than their links do, so each reads as a block under its heading. */}
      <div id={listId} className={cn("mt-3 gap-x-4 gap-y-4 sm:grid-cols-2 lg:mt-0 lg:flex lg:flex-col lg:gap-y-6", open ? "grid" : "hidden")}>
        {groups.map((group) => (
          <NavSection key={group.label} label={group.label}>
            {group.links.map((l) => {
              const active = current?.href === l.href;
              return (
                <li key={l.href}>
                  <Link
                    href={l.href}
                    aria-current={active ? "page" : undefined}
                    // A link followed on a phone closes the menu: the page it opens is what the person wants.
                    onClick={() => setOpen(false)}
                    className={cn(
                      // 40 px tall for a thumb; shorter with a mouse in the sidebar (lg).
                      "flex min-h-10 items-center justify-between gap-2 rounded-md px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-indigo-500 lg:min-h-8 lg:py-1.5",
                      active
                        ? "bg-indigo-50 font-medium text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300"
                        : "text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800",
                    )}
                  >
                    <span>{l.label}</span>
                    {/* Named from what it shows, with the word a screen reader needs after the number:
                        "Approval queue 3 pending". A name of its own ("Approval queue, 3 pending") would
                        not contain the visible "Approval queue 3", which a speech-input user says. */}
                    {l.count ? (
                      <Suspense fallback={null}>
                        <LinkCount counts={counts} which={l.count} word={l.countWord} />
                      </Suspense>
                    ) : null}
                  </Link>
                </li>
              );
            })}
          </NavSection>
        ))}
      </div>
    </nav>
  );
}

/**
 * One group: a small heading and the list it names, so a screen reader announces "Catalogue, list,
 * 2 items" on entering it. An h2: each admin page's own title is its h1.
 */
function NavSection({ label, children }: { label: string; children: ReactNode }) {
  const headingId = useId();
  return (
    <div>
      <h2 id={headingId} className="px-3 pb-1 text-xs font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400">
        {label}
      </h2>
      <ul aria-labelledby={headingId} className="flex flex-col gap-0.5">
        {children}
      </ul>
    </div>
  );
}

/** A link's own count, once counted; nothing for none. */
function LinkCount({ counts, which, word, wordShown }: { counts: Promise<NavCounts>; which: keyof NavCounts; word?: string; wordShown?: boolean }) {
  const count = use(counts)[which];
  return count > 0 ? <CountBadge count={count} word={word} wordShown={wordShown} /> : null;
}

/**
 * A number in a pill, part of its link's or button's name. In the sidebar the word after it is for
 * screen readers only ("3", then " pending"), beside the link that says what is counted; on the
 * phone's menu button, which names no section, the word shows too ("3 pending").
 */
function CountBadge({ count, word, wordShown = false }: { count: number; word?: string; wordShown?: boolean }) {
  return (
    <span
      data-testid="nav-count"
      className="min-w-6 rounded-full bg-indigo-600 px-1.5 py-0.5 text-center text-xs font-semibold whitespace-nowrap text-white tabular-nums"
    >
      {navCountText(count)}
      {word ? <span className={wordShown ? undefined : "sr-only"}>{` ${word}`}</span> : null}
    </span>
  );
}
