"use client";

import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import { APP_PLACEHOLDER, type SnippetLanguage, type SnippetTarget, snippets } from "@/lib/catalogue/snippets";

const TABS: { id: SnippetLanguage; label: string }[] = [
  { id: "curl", label: "curl" },
  { id: "javascript", label: "JavaScript" },
  { id: "python", label: "Python" },
];

/**
 * curl, JavaScript and Python in tabs (arrow keys move between them), each with Copy. The page is
 * cached for everyone, so a signed-in reader's own app names are fetched here, in their browser.
 */
export function CodeSnippets({ target }: { target: SnippetTarget }) {
  const base = useId();
  const [active, setActive] = useState<SnippetLanguage>("curl");
  const [apps, setApps] = useState<string[]>([]);
  // Known once /api/me/apps answers (null until then, or when it fails): a signed-out reader is asked
  // to sign in, a signed-in one without apps only to create one.
  const [signedIn, setSignedIn] = useState<boolean | null>(null);
  const [app, setApp] = useState<string>("");
  const [copied, setCopied] = useState<string>("");
  const tabs = useRef(new Map<SnippetLanguage, HTMLButtonElement | null>());

  useEffect(() => {
    let live = true;
    fetch("/api/me/apps", { credentials: "same-origin" })
      .then((r) => (r.ok ? (r.json() as Promise<{ apps: string[]; signedIn?: boolean }>) : { apps: [] as string[], signedIn: undefined }))
      .then((body) => {
        if (!live) return;
        setSignedIn(typeof body.signedIn === "boolean" ? body.signedIn : null);
        setApps(body.apps);
        setApp(body.apps[0] ?? "");
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);

  const code = snippets(target, app || APP_PLACEHOLDER);
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = TABS.findIndex((t) => t.id === active);
    const next = e.key === "ArrowRight" ? (i + 1) % TABS.length : e.key === "ArrowLeft" ? (i + TABS.length - 1) % TABS.length : e.key === "Home" ? 0 : e.key === "End" ? TABS.length - 1 : -1;
    const tab = TABS[next];
    if (!tab) return;
    e.preventDefault();
    setActive(tab.id);
    tabs.current.get(tab.id)?.focus();
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code[active]);
      setCopied(`Copied the ${TABS.find((t) => t.id === active)?.label} snippet.`);
    } catch {
      setCopied("Your browser did not allow copying. Select the code and copy it yourself.");
    }
    window.setTimeout(() => setCopied(""), 4000);
  };

  return (
    <div className="rounded-lg border border-zinc-200 dark:border-zinc-800" data-testid="code-snippets">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-zinc-200 px-2 dark:border-zinc-800">
        <div role="tablist" aria-label="Code language" className="flex">
          {TABS.map((t) => (
            <button
              key={t.id}
              ref={(el) => {
                tabs.current.set(t.id, el);
              }}
              id={`${base}-${t.id}-tab`}
              type="button"
              role="tab"
              aria-selected={active === t.id}
              aria-controls={`${base}-${t.id}-panel`}
              tabIndex={active === t.id ? 0 : -1}
              onClick={() => setActive(t.id)}
              onKeyDown={onKeyDown}
              className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-500 ${active === t.id ? "border-indigo-600 text-indigo-700 dark:border-indigo-400 dark:text-indigo-300" : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"}`}
            >
              {t.label}
            </button>
          ))}
        </div>
        {/* min-w-0 down to the select: a long app name (up to 80 characters) is cut, never wider than a phone. */}
        <div className="flex min-w-0 max-w-full items-center gap-2 py-1.5">
          {apps.length > 1 ? (
            <label className="flex min-w-0 items-center gap-1.5 text-sm text-zinc-600 dark:text-zinc-400">
              App
              <Select density="compact" value={app} onChange={(e) => setApp(e.target.value)} className="h-auto min-w-0 max-w-44 truncate py-1 sm:max-w-xs">
                {apps.map((a) => (
                  <option key={a}>{a}</option>
                ))}
              </Select>
            </label>
          ) : null}
          <Button type="button" variant="secondary" size="sm" onClick={() => void copy()}>
            Copy <span className="sr-only">the {TABS.find((t) => t.id === active)?.label} snippet</span>
          </Button>
        </div>
      </div>
      {TABS.map((t) => (
        <div key={t.id} id={`${base}-${t.id}-panel`} role="tabpanel" aria-labelledby={`${base}-${t.id}-tab`} hidden={active !== t.id} tabIndex={0} className="overflow-x-auto bg-zinc-50 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:bg-zinc-900">
          {/* The focusable panel scrolls (not the pre), so a keyboard reaches the whole of a long line. */}
          <pre className="w-max min-w-full p-4 text-sm leading-relaxed text-zinc-800 dark:text-zinc-200">
            <code>{code[t.id]}</code>
          </pre>
        </div>
      ))}
      <p className="px-4 py-2 text-xs text-zinc-600 dark:text-zinc-400">
        Replace the capitalised placeholders with your own values.{" "}
        {apps.length > 0 || signedIn === null
          ? null
          : signedIn
            ? "Create an app (Apps, or with your first request) to see its name here."
            : "Sign in and create an app to see its name here."}
      </p>
      <p role="status" aria-live="polite" className="sr-only">
        {copied}
      </p>
      {copied ? (
        <p aria-hidden="true" className="px-4 pb-2 text-xs font-medium text-emerald-700 dark:text-emerald-400">
          {copied.startsWith("Copied") ? "Copied" : copied}
        </p>
      ) : null}
    </div>
  );
}
