/**
 * A filter bar's Reset link beside its Apply filters button (components/ui/filter-bar.tsx): as tall as
 * the button, its text centred, so the two sit on one line (a bare link sat lower than the button).
 */
export const filterResetClass = "h-10 content-center text-sm text-indigo-600 underline dark:text-indigo-400";
