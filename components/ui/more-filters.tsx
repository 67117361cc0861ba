"use client";

import { type ReactNode, useId, useState } from "react";

/**
 * On a phone a filter bar's less-used filters (the approval queue's, the audit log's) fold behind a
 * button, so the list starts on the first screen; they open by themselves when one of them is set.
 * From the sm breakpoint up they always show. `active` is how many of them are set.
 */
export function MoreFilters({ active, children }: { active: number; children: ReactNode }) {
  const [open, setOpen] = useState(active > 0);
  const id = useId();
  return (
    <>
      <button
        type="button"
        className="justify-self-start text-sm text-indigo-600 dark:text-indigo-400 underline sm:hidden"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((o) => !o)}
      >
        {open ? "Fewer filters" : active > 0 ? `More filters (${active} set)` : "More filters"}
      </button>
      <div id={id} className={`${open ? "contents" : "hidden"} sm:contents`}>
        {children}
      </div>
    </>
  );
}
