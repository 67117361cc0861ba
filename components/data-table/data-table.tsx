"use client";

import {
  type ColumnVisibilityState,
  columnVisibilityFeature,
  createColumnHelper,
  type RowData,
  type RowSelectionState,
  rowSelectionFeature,
  tableFeatures,
  useTable,
} from "@tanstack/react-table";
import { Link } from "@/components/ui/link";
import { useRouter } from "next/navigation";
import { type MouseEvent, type ReactNode, useMemo, useRef, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { Select } from "@/components/ui/select";
import type {
  DataTableColumn,
  DataTableColumnChooser,
  DataTablePaging,
  DataTableSelection,
  DataTableSort,
  SortDirection,
} from "./types";

export type {
  DataTableColumn,
  DataTableColumnChooser,
  DataTablePaging,
  DataTableSelection,
  DataTableSort,
  PhonePriority,
  SortDirection,
} from "./types";

const features = tableFeatures({ columnVisibilityFeature, rowSelectionFeature });

export type DataTableProps<Row extends RowData> = {
  rows: Row[];
  columns: DataTableColumn<Row>[];
  getRowId: (row: Row) => string;
  /** Read by screen readers: what the rows are. */
  caption: string;
  sort?: DataTableSort;
  paging?: DataTablePaging;
  selection?: DataTableSelection<Row>;
  columnChooser?: DataTableColumnChooser;
  /** Columns left out for the layout's sake (e.g. while a side panel is open), without touching the viewer's choice. */
  layoutHidden?: readonly string[];
  /** Shown instead of the table when there are no rows. */
  empty: { title: string; body?: ReactNode };
  /** Said before the table (left of the column chooser), e.g. the number of rows. */
  toolbar?: ReactNode;
  /** The row shown in a detail panel: highlighted, aria-current. */
  activeRowId?: string;
  rowTestId?: string;
  /** The server is fetching another view (besides the table's own links, which it tracks itself). */
  loading?: boolean;
  /** The table's minimum width from 640 px up (it scrolls inside its frame below that). */
  minWidth?: string;
  /** Tighter cells and wrapping headers, for a table sharing the width with a side panel. */
  dense?: boolean;
};

/**
 * The one data table of the portal (queue, reviews, keys, users, products, audit). The server owns
 * the data: sorting and paging are links (shareable, survive reload; keyset paging has no page
 * numbers), while column visibility and selection live here. On a phone each row becomes a card of
 * its key fields (columns' `phone` priority), so the page never scrolls sideways.
 */
export function DataTable<Row extends RowData>(props: DataTableProps<Row>) {
  const {
    rows,
    columns,
    getRowId,
    caption,
    sort,
    paging,
    selection,
    columnChooser,
    empty,
    toolbar,
    activeRowId,
    rowTestId,
  } = props;
  const router = useRouter();
  const [navigating, startNavigation] = useTransition();
  const loading = navigating || Boolean(props.loading);
  const [hidden, setHidden] = useState<string[]>(() => [...(columnChooser?.hidden ?? [])]);

  // Our own links navigate inside a transition so the table can say it is loading the next view.
  const go = (href: string) => (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    startNavigation(() => router.push(href));
  };

  const canSelectRow = (row: Row) => (selection?.canSelect ? selection.canSelect(row) : true);

  const columnKey = columns.map((c) => `${c.id}:${c.hideable !== false}`).join(",");
  const selectable = Boolean(selection);
  const tableColumns = useMemo(() => {
    const helper = createColumnHelper<typeof features, Row>();
    return helper.columns([
      ...(selectable
        ? [helper.display({ id: "__select", enableHiding: false, header: "", cell: () => null })]
        : []),
      ...columnKey.split(",").map((key) => {
        const [id = "", hideable] = key.split(":");
        return helper.display({
          id,
          enableHiding: hideable === "true",
          header: id,
          cell: () => null,
        });
      }),
    ]);
  }, [columnKey, selectable]);
  const byId = new Map(columns.map((c) => [c.id, c]));
  const columnVisibility: ColumnVisibilityState = Object.fromEntries(
    [...hidden, ...(props.layoutHidden ?? [])].map((id) => [id, false]),
  );
  const rowSelection: RowSelectionState = Object.fromEntries(
    Object.entries(selection?.selected ?? {})
      .filter(([, v]) => v)
      .map(([k]) => [k, true as const]),
  );

  const table = useTable({
    features,
    columns: tableColumns,
    data: rows,
    getRowId: (r) => getRowId(r),
    enableRowSelection: (row) => canSelectRow(row.original),
    state: { columnVisibility, rowSelection },
    onRowSelectionChange: (updater) => {
      if (!selection) return;
      selection.onChange(typeof updater === "function" ? updater(rowSelection) : updater);
    },
    onColumnVisibilityChange: (updater) => {
      const next =
        typeof updater === "function"
          ? updater(Object.fromEntries(hidden.map((id) => [id, false])))
          : updater;
      const nextHidden = Object.entries(next)
        .filter(([, visible]) => !visible)
        .map(([id]) => id);
      setHidden(nextHidden);
      columnChooser?.onChange?.(nextHidden);
    },
  });

  // The rows are drawn from the visible columns, asked once, and the selection state, rather than
  // through a cell object per row and column: TanStack's per-row and per-cell APIs cost about 2 ms
  // of server CPU per 25-row queue page (an A/B of two builds of next start).
  const visibleColumns = table.getVisibleLeafColumns();
  const chooserIds = columns.filter((c) => c.hideable !== false).map((c) => c.id);
  const visibleCount = columns.filter((c) => !hidden.includes(c.id)).length;
  // A row menu's button sits in the card's top right corner on a phone (PhonePriority "menu"): the
  // title keeps clear of it (the 44 px button at 8 px from the edge, and a gap). Only while the
  // column is shown: a hidden menu leaves the title its whole line. The cell places its own button
  // (app/admin/users/user-row-menu.tsx); no table has both a menu and row selection, whose box sits
  // in the same corner.
  const hasMenu = columns.some((c) => c.phone === "menu" && !hidden.includes(c.id));

  return (
    <div className="min-w-0 space-y-3" data-slot="data-table">
      {toolbar || columnChooser || sort ? (
        <div className="flex flex-wrap items-center justify-between gap-3">
          <div className="text-sm text-zinc-600 dark:text-zinc-400" aria-live="polite">
            {toolbar}
          </div>
          <div className="flex items-center gap-2">
            {sort ? (
              <PhoneSort
                columns={columns}
                sort={sort}
                onNavigate={(href) => startNavigation(() => router.push(href))}
              />
            ) : null}
            {columnChooser ? (
              <ColumnChooser
                entries={chooserIds.map((id) => ({ id, label: byId.get(id)?.label ?? id }))}
                isVisible={(id) => !hidden.includes(id)}
                lastVisible={(id) => !hidden.includes(id) && visibleCount === 1}
                toggle={(id, visible) => table.getColumn(id)?.toggleVisibility(visible)}
              />
            ) : null}
          </div>
        </div>
      ) : null}

      {loading ? (
        <p role="status" className="sr-only">
          Loading…
        </p>
      ) : null}

      {rows.length === 0 ? (
        <EmptyState title={empty.title}>{empty.body}</EmptyState>
      ) : (
        <div
          aria-busy={loading || undefined}
          className={cn(
            "rounded-lg border border-zinc-200 bg-white transition-opacity sm:overflow-x-auto dark:border-zinc-800 dark:bg-zinc-900",
            loading && "opacity-60",
          )}
        >
          <table
            className={cn("w-full text-left max-sm:block sm:min-w-(--dt-min)", props.dense ? "text-[13px]" : "text-sm")}
            style={{ "--dt-min": props.minWidth ?? "40rem" } as React.CSSProperties}
          >
            <caption className="sr-only">
              {caption}
              {sort
                ? `, sorted by ${byId.get(sort.id)?.label ?? sort.id}, ${sort.dir === "asc" ? "ascending" : "descending"}`
                : ""}
            </caption>
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-500 max-sm:hidden dark:border-zinc-800 dark:text-zinc-400">
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => {
                    const id = header.column.id;
                    if (id === "__select" && selection) {
                      const selectable = rows.filter(canSelectRow);
                      return (
                        <th key={header.id} scope="col" className={cn("w-8 py-3", props.dense ? "px-1.5" : "px-3")}>
                          <input
                            type="checkbox"
                            aria-label={selection.allLabel}
                            disabled={selectable.length === 0}
                            checked={selectable.length > 0 && table.getIsAllPageRowsSelected()}
                            onChange={(e) => table.toggleAllPageRowsSelected(e.target.checked)}
                          />
                        </th>
                      );
                    }
                    const column = byId.get(id);
                    const sorted = sort?.id === id ? sort.dir : undefined;
                    return (
                      <th
                        key={header.id}
                        scope="col"
                        // Dense (a panel open beside the table): sentence-case labels and less padding, so the
                        // key columns fit beside the panel and the admin sidebar at 1280 px.
                        className={cn("py-3", props.dense ? "px-1.5 normal-case" : "px-3 whitespace-nowrap", column?.align === "end" && "text-right")}
                        aria-sort={
                          sorted === "asc"
                            ? "ascending"
                            : sorted === "desc"
                              ? "descending"
                              : undefined
                        }
                      >
                        {sort && column?.sortable ? (
                          <SortLink
                            label={column.label}
                            sorted={sorted}
                            href={sort.href(id, sorted === "asc" ? "desc" : "asc")}
                            onClick={go}
                          />
                        ) : (
                          column?.label
                        )}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody className={cn("divide-y divide-zinc-100 max-sm:block dark:divide-zinc-800", props.dense && "dt-dense")}>
              {rows.map((row) => {
                const rowId = getRowId(row);
                const active = activeRowId === rowId;
                const selected = rowSelection[rowId] === true;
                return (
                  <tr
                    key={rowId}
                    data-testid={rowTestId}
                    data-row-id={rowId}
                    aria-current={active ? "true" : undefined}
                    className={cn(
                      "dt-row",
                      selection && "max-sm:pr-12",
                      selected
                        ? "bg-indigo-50/60 dark:bg-indigo-950/40"
                        : active
                          ? "bg-zinc-100 dark:bg-zinc-800/70"
                          : "hover:bg-zinc-50 dark:hover:bg-zinc-800/50",
                    )}
                  >
                    {visibleColumns.map(({ id }) => {
                      if (id === "__select" && selection) {
                        return (
                          <td key={id} className="dt-select">
                            <SelectCell
                              row={row}
                              selection={selection}
                              selected={selected}
                              canSelect={canSelectRow(row)}
                              toggle={(v) => table.getRow(rowId).toggleSelected(v)}
                            />
                          </td>
                        );
                      }
                      const column = byId.get(id);
                      if (!column) return null;
                      const phone = column.phone ?? "detail";
                      const content = column.cell(row);
                      // A card's labelled line with nothing after it (an audit event without a comment,
                      // a revoked key without actions) is left out on a phone; the table keeps the cell.
                      const blank = phone === "detail" && (content === null || content === undefined || content === false || content === "");
                      return (
                        <td key={id} className={cn("dt-cell", `dt-phone-${phone}`, blank && "max-sm:hidden", hasMenu && phone === "title" && "max-sm:pr-12", column.align === "end" && "sm:text-right", column.className)}>
                          {phone === "detail" ? <span className="dt-label">{column.label}</span> : null}
                          {/* On a phone a detail cell is a grid of its label and one item: text is one
                              (anonymous) item by itself, anything else is wrapped into one. Elsewhere
                              the cell holds its content directly. */}
                          {phone === "detail" && !isText(content) ? <div className="min-w-0">{content}</div> : content}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {paging ? <Pager paging={paging} onClick={go} /> : null}
    </div>
  );
}

/** A cell's content that is a single run of text (no element to wrap). */
function isText(node: ReactNode) {
  return typeof node === "string" || typeof node === "number";
}

function SortLink({
  label,
  sorted,
  href,
  onClick,
}: {
  label: string;
  sorted: SortDirection | undefined;
  href: string;
  onClick: (href: string) => (e: MouseEvent<HTMLAnchorElement>) => void;
}) {
  return (
    <Link
      href={href}
      onClick={onClick(href)}
      // The case comes from the header row (uppercase, or sentence case when dense). The arrow may
      // wrap under the label rather than widen a narrow column.
      className="inline-flex flex-wrap items-center gap-x-1 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:hover:text-zinc-100"
    >
      {label}
      {sorted ? <span aria-hidden="true">{sorted === "asc" ? "▲" : "▼"}</span> : null}
    </Link>
  );
}

function SelectCell<Row>({
  row,
  selection,
  selected,
  canSelect,
  toggle,
}: {
  row: Row;
  selection: DataTableSelection<Row>;
  selected: boolean;
  canSelect: boolean;
  toggle: (v: boolean) => void;
}) {
  const why = canSelect ? null : (selection.whyNot?.(row) ?? null);
  if (!canSelect && selection.unselectable === "hide") {
    return why ? (
      <span
        className="block max-w-48 text-xs text-zinc-600 max-sm:static dark:text-zinc-400"
        data-testid={selection.whyNotTestId ?? "why-not-selectable"}
      >
        {why}
      </span>
    ) : null;
  }
  return (
    <input
      type="checkbox"
      aria-label={selection.rowLabel(row)}
      title={why ?? undefined}
      checked={selected}
      disabled={!canSelect}
      onChange={(e) => toggle(e.target.checked)}
      className="size-4"
    />
  );
}

/** Which columns show; the last visible one stays (a table of bare checkboxes says nothing). */
function ColumnChooser({
  entries,
  isVisible,
  lastVisible,
  toggle,
}: {
  entries: { id: string; label: string }[];
  isVisible: (id: string) => boolean;
  lastVisible: (id: string) => boolean;
  toggle: (id: string, visible: boolean) => void;
}) {
  const ref = useRef<HTMLDetailsElement>(null);
  return (
    <details
      ref={ref}
      className="relative text-sm max-sm:hidden"
      onKeyDown={(e) => {
        if (e.key === "Escape" && ref.current?.open) {
          ref.current.open = false;
          ref.current.querySelector("summary")?.focus();
        }
      }}
    >
      <summary className="cursor-pointer list-none rounded-md border border-zinc-300 bg-white px-3 py-1.5 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800">
        Columns
      </summary>
      <fieldset className="absolute right-0 z-20 mt-1 w-56 space-y-1 rounded-md border border-zinc-200 bg-white p-3 shadow-lg dark:border-zinc-700 dark:bg-zinc-900">
        <legend className="sr-only">Visible columns</legend>
        {entries.map(({ id, label }) => {
          const last = lastVisible(id);
          return (
            <label
              key={id}
              className="flex items-center gap-2"
              title={last ? "At least one column stays visible." : undefined}
            >
              <input
                type="checkbox"
                checked={isVisible(id)}
                disabled={last}
                onChange={(e) => toggle(id, e.target.checked)}
              />
              {label}
            </label>
          );
        })}
        <p className="pt-1 text-xs text-zinc-500 dark:text-zinc-400">
          At least one column stays visible.
        </p>
      </fieldset>
    </details>
  );
}

/** On a phone the headers are gone (rows are cards): the order is chosen here instead. */
function PhoneSort<Row>({
  columns,
  sort,
  onNavigate,
}: {
  columns: DataTableColumn<Row>[];
  sort: DataTableSort;
  onNavigate: (href: string) => void;
}) {
  const sortable = columns.filter((c) => c.sortable);
  if (sortable.length === 0) return null;
  return (
    <label className="flex items-center gap-2 text-sm sm:hidden">
      <span className="text-zinc-600 dark:text-zinc-400">Sort</span>
      <Select
        density="compact"
        value={`${sort.id}:${sort.dir}`}
        onChange={(e) => {
          const [id = sort.id, dir = "asc"] = e.target.value.split(":");
          onNavigate(sort.href(id, dir as SortDirection));
        }}
        className="h-9"
      >
        {sortable.flatMap((c) => [
          <option key={`${c.id}:asc`} value={`${c.id}:asc`}>
            {c.label} ↑
          </option>,
          <option key={`${c.id}:desc`} value={`${c.id}:desc`}>
            {c.label} ↓
          </option>,
        ])}
      </Select>
    </label>
  );
}

function Pager({
  paging,
  onClick,
}: {
  paging: DataTablePaging;
  onClick: (href: string) => (e: MouseEvent<HTMLAnchorElement>) => void;
}) {
  const router = useRouter();
  return (
    <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <span className="text-zinc-600 dark:text-zinc-400">{paging.summary}</span>
      <div className="flex items-center gap-2">
        {paging.pageSize ? (
          <label className="flex items-center gap-1">
            Rows
            <Select
              density="compact"
              value={paging.pageSize.value}
              onChange={(e) => router.push(paging.pageSize?.href(Number(e.target.value)) ?? "")}
            >
              {paging.pageSize.options.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
          </label>
        ) : null}
        {/* One page in all: no page links (two greyed buttons said nothing). At either end of more, the
            end's link is a disabled button. */}
        {paging.previousHref || paging.nextHref ? (
          <>
            <PageLink label="Previous" href={paging.previousHref} onClick={onClick} />
            <PageLink label="Next" href={paging.nextHref} onClick={onClick} />
          </>
        ) : null}
      </div>
    </nav>
  );
}

/** A paging link; at either end (no href) a disabled button, not a link that still goes somewhere. */
function PageLink({
  label,
  href,
  onClick,
}: {
  label: string;
  href: string | null;
  onClick: (href: string) => (e: MouseEvent<HTMLAnchorElement>) => void;
}) {
  return href ? (
    <Button asChild variant="secondary" size="sm">
      <Link href={href} onClick={onClick(href)} rel={label === "Next" ? "next" : "prev"}>
        {label}
      </Link>
    </Button>
  ) : (
    <Button variant="secondary" size="sm" disabled>
      {label}
    </Button>
  );
}
