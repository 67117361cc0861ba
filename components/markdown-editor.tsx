"use client";

import { useId, useState } from "react";
import { Markdown } from "./markdown";
import { cn } from "./ui/cn";
import { Textarea } from "./ui/textarea";

const tabClass = (active: boolean) =>
  cn(
    "rounded-t-md border-b-2 px-3 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-indigo-500",
    active ? "border-indigo-600 font-medium text-indigo-700 dark:text-indigo-300" : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400",
  );

/**
 * A Markdown textarea with a Preview tab that renders exactly as the public page does (no raw HTML).
 * The textarea stays in the form while previewing, so its value is always submitted.
 */
export function MarkdownEditor({
  id,
  name,
  defaultValue,
  invalid,
  describedBy,
  rows = 12,
}: {
  id: string;
  name: string;
  defaultValue: string;
  invalid?: boolean;
  describedBy?: string;
  rows?: number;
}) {
  const [value, setValue] = useState(defaultValue);
  const [tab, setTab] = useState<"write" | "preview">("write");
  const base = useId();
  return (
    <div>
      <div role="tablist" aria-label="Description editor" className="mb-2 flex gap-1 border-b border-zinc-200 dark:border-zinc-800">
        {(["write", "preview"] as const).map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`${base}-${t}-tab`}
            aria-selected={tab === t}
            aria-controls={`${base}-${t}`}
            className={tabClass(tab === t)}
            onClick={() => setTab(t)}
          >
            {t === "write" ? "Write" : "Preview"}
          </button>
        ))}
      </div>
      <div id={`${base}-write`} role="tabpanel" aria-labelledby={`${base}-write-tab`} hidden={tab !== "write"}>
        <Textarea
          id={id}
          name={name}
          rows={rows}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          className="inline-block font-mono"
        />
      </div>
      <div
        id={`${base}-preview`}
        role="tabpanel"
        aria-labelledby={`${base}-preview-tab`}
        hidden={tab !== "preview"}
        className="min-h-32 rounded-md border border-zinc-200 p-4 dark:border-zinc-800"
        data-testid="markdown-preview"
      >
        {value.trim() ? <Markdown>{value}</Markdown> : <p className="text-sm text-zinc-500 dark:text-zinc-400">Nothing to preview yet.</p>}
      </div>
    </div>
  );
}
