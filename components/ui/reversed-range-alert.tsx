/**
 * A date-range filter entered the wrong way round matches nothing; this says so and what to do,
 * instead of an empty list with no reason. Renders nothing for a sound (or half-empty) range.
 */
export function ReversedRangeAlert({ from, to, fromLabel, toLabel }: { from?: string; to?: string; fromLabel: string; toLabel: string }) {
  if (!from || !to || from <= to) return null;
  return (
    <p role="alert" className="mb-3 rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
      “{fromLabel}” ({from}) is after “{toLabel}” ({to}), so no day is in the range. Swap the two dates.
    </p>
  );
}
