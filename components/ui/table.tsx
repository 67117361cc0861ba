import type { ReactNode } from "react";

export type Column = {
  label: string;
  /** Announced to screen readers only (an actions column, say). */
  srOnly?: boolean;
  /** Extra classes, e.g. "hidden sm:table-cell" to drop a column on phones. */
  className?: string;
};

/**
 * The admin and app list tables: scrolls sideways on a phone instead of overflowing the page, a
 * caption for screen readers, column headers with scope. Rows are the children (<tr> elements).
 */
export function Table({
  caption,
  columns,
  className,
  children,
}: {
  caption: string;
  columns: Column[];
  className?: string;
  children: ReactNode;
}) {
  return (
    // relative: the sr-only labels (absolutely positioned) stay inside the scroll box on a phone,
    // instead of widening the whole page.
    <div className="relative overflow-x-auto">
      <table className={`w-full text-left text-sm ${className ?? ""}`}>
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-zinc-200 text-zinc-500 dark:text-zinc-400 dark:border-zinc-800">
          <tr>
            {columns.map((c) => (
              <th
                key={c.label}
                scope="col"
                className={`py-2 pr-4 font-medium last:pr-0 ${c.className ?? ""}`}
              >
                {c.srOnly ? <span className="sr-only">{c.label}</span> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">{children}</tbody>
      </table>
    </div>
  );
}
