import type { ReactNode } from "react";

/**
 * Where a column goes on a phone (< 640 px), where each row is a card:
 * - "title": the card's first line, no label (one per table, usually the link that opens the row);
 * - "detail": a labelled line of the card;
 * - "hidden": left out of the card (still in the column chooser on wider screens);
 * - "menu": the row's menu, without a label: the card keeps room for a button in its top right,
 *   beside the title's first line, which the cell places there itself (app/admin/users/
 *   user-row-menu.tsx); anything else in the cell comes at the card's end. Not with row selection,
 *   whose box takes the same corner.
 */
export type PhonePriority = "title" | "detail" | "hidden" | "menu";

/** One column of a DataTable, declared by the page: what it shows and how it may be used. */
export type DataTableColumn<Row> = {
  id: string;
  /** The header, the column chooser's entry and the phone card's label. */
  label: string;
  cell: (row: Row) => ReactNode;
  /** The server can order by it: the header becomes a link to the sorted view. */
  sortable?: boolean;
  /** May be hidden in the column chooser (default true). */
  hideable?: boolean;
  /** Default "detail". */
  phone?: PhonePriority;
  /** Extra classes for the column's cells (e.g. a max width). */
  className?: string;
  /**
   * "end": the cells' content sits at the right edge on wider screens (a row's menu button), and the
   * header with it, so the two line up; a className on the cells alone left the header at the left.
   */
  align?: "start" | "end";
};

export type SortDirection = "asc" | "desc";

/** Server-driven sorting: the current order, and the URL of any other. */
export type DataTableSort = {
  id: string;
  dir: SortDirection;
  href: (id: string, dir: SortDirection) => string;
};

/** Keyset paging: links to the page before and after this one (null at either end). */
export type DataTablePaging = {
  previousHref: string | null;
  nextHref: string | null;
  /** Said beside the links, e.g. "Showing 25 of 1,000+". */
  summary?: ReactNode;
  pageSize?: { value: number; options: readonly number[]; href: (size: number) => string };
};

export type DataTableSelection<Row> = {
  selected: Record<string, boolean>;
  onChange: (selected: Record<string, boolean>) => void;
  canSelect?: (row: Row) => boolean;
  /** The checkbox's accessible name, e.g. "Select request from a@b.c". */
  rowLabel: (row: Row) => string;
  allLabel: string;
  /** Shown instead of the checkbox when a row cannot be selected (why not), or a tooltip when it is disabled. */
  whyNot?: (row: Row) => string | null;
  /** "hide": an unselectable row shows whyNot instead of a checkbox; "disable" (default): a disabled checkbox. */
  unselectable?: "hide" | "disable";
  /** data-testid of the why-not text (default "why-not-selectable"). */
  whyNotTestId?: string;
};

export type DataTableColumnChooser = {
  /** Columns hidden by the viewer (e.g. saved preferences). */
  hidden: readonly string[];
  /** Called with the new hidden list after every change (to save it). */
  onChange?: (hidden: string[]) => void;
};
