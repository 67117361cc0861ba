/**
 * Rows per statement. A bulk decision (1,000 requests) times the webhook endpoints subscribed can
 * be tens of thousands of rows; one statement for all of them passes Postgres' 65,534-parameter
 * limit and the decision itself fails.
 */
const BATCH = 2_000;

/** `rows` in slices of at most 2,000, one statement each. */
export function* batches<T>(rows: readonly T[]) {
  for (let i = 0; i < rows.length; i += BATCH) yield rows.slice(i, i + BATCH);
}
