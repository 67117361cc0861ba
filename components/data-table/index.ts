export { DataTable, type DataTableProps } from "./data-table";
export type {
  DataTableColumn,
  DataTableColumnChooser,
  DataTablePaging,
  DataTableSelection,
  DataTableSort,
  PhonePriority,
  SortDirection,
} from "./types";
