import type { ReactNode } from "react";
import { Button } from "./button";

/**
 * A filter bar's grid (a GET form above a list): columns at least 15rem wide, as many as fit, so the
 * bar wraps by itself beside the admin sidebar or in a narrower column, and on a phone each control
 * takes the full width. No column is narrower than 15rem (unless the bar itself is), so a search
 * box's placeholder, kept under 200 px of text, shows whole; e2e/filter-bars.spec.ts measures it.
 */
export const filterBarClass = "grid grid-cols-[repeat(auto-fill,minmax(min(15rem,100%),1fr))] gap-3";

/**
 * The Reset link beside Apply filters: as tall as the button, its text centred, so the two sit on
 * one line (a bare link sat lower than the button).
 */
const filterResetClass = "h-10 content-center text-sm text-indigo-600 underline dark:text-indigo-400";

/**
 * One filter of a bar: its name in medium weight above its control (an Input or a Select), the same
 * on every bar. The control goes back to normal weight, since it inherits the label's font and what
 * is typed or chosen should not read as a label. The control's wrapper is a grid so the control is
 * not set on a line of text, which would add the line's descender space under it.
 */
export function FilterField({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="text-sm font-medium">
      <span data-slot="filter-label" className="mb-1 block">{label}</span>
      <span className="grid font-normal">{children}</span>
    </label>
  );
}

/**
 * Every filter bar ends with the same two controls: Apply filters, and Reset back to the page's
 * unfiltered URL (always shown, so it sits in the same place on every page). Reset is a plain link,
 * not next/link: a full load shows every field at its default again, while a client-side
 * navigation would keep a select's old choice (React does not reapply a changed defaultValue).
 * Apply filters is a secondary button on every bar: narrowing a list is never a page's main action,
 * and the page's own primary (New product, Approve in the queue's panel) stays the one accent.
 */
export function FilterActions({ resetHref }: { resetHref: string }) {
  return (
    <div className="flex items-end gap-2">
      <Button type="submit" variant="secondary">
        Apply filters
      </Button>
      {/* As tall as the button (h-10, text centred in it), so the two share a middle line. */}
      <a href={resetHref} className={filterResetClass}>
        Reset
      </a>
    </div>
  );
}

/**
 * An empty list's way back, "Reset the filters to see everyone.": a plain link, as the bar's Reset
 * is, for the same reason (a full load shows every filter at its default again).
 */
export function ResetFiltersHint({ href, toSee }: { href: string; toSee: string }) {
  return (
    <>
      <a href={href} className="font-medium text-indigo-600 underline dark:text-indigo-400">
        Reset the filters
      </a>{" "}
      to see {toSee}.
    </>
  );
}
