import { scaleBand, scaleLinear } from "d3-scale";
import type { DailySeries } from "@/lib/usage/queries";

/** How each series of a chart is named and coloured (components/charts/palettes.ts). */
export type SeriesStyle<K extends string> = Record<K, { label: string; color: string }>;

const number = new Intl.NumberFormat("en-GB");
const shortDay = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});
const longDay = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const asDate = (day: string) => new Date(`${day}T00:00:00Z`);

// The bars are drawn in this box and stretched to the container; labels are HTML so they stay
// legible at 390 px wide instead of shrinking with the drawing.
const W = 300;
const H = 100;

/**
 * Stacked bars per day, rendered on the server as SVG (no client JavaScript). For assistive
 * technology the drawing is one image with a summary (role="img" + aria-label), and "Show as
 * table" (a <details>) gives the same numbers for every day. Colours come with a legend, and a
 * gap between stacked segments keeps neighbouring colours apart. With nothing counted it is a
 * panel with the `empty` sentence alone.
 */
export function DailyBarChart<K extends string>({
  title,
  series,
  styles,
  unit,
  empty,
  testId,
}: {
  title: string;
  series: DailySeries<K>;
  styles: SeriesStyle<K>;
  /** Singular and plural noun of what is counted ("call", "calls"). */
  unit: [string, string];
  /** Said in place of the bars when every day is zero. */
  empty: string;
  testId?: string;
}) {
  const { days, keys, totals, total } = series;
  const shown = keys.filter((k) => totals[k] > 0);
  const columns = shown.length > 0 ? shown : keys.slice(0, 1);
  const peak = Math.max(0, ...days.map((d) => d.total));
  const y = scaleLinear()
    .domain([0, Math.max(peak, 4)])
    .nice(4)
    .range([H, 0]);
  const ticks = y.ticks(4);
  const x = scaleBand<string>()
    .domain(days.map((d) => d.day))
    .range([0, W])
    .paddingInner(0.25)
    .paddingOuter(0.1);
  const busiest = days.reduce<(typeof days)[number] | undefined>(
    (best, d) => (d.total > (best?.total ?? 0) ? d : best),
    undefined,
  );
  const noun = (n: number) => `${number.format(n)} ${n === 1 ? unit[0] : unit[1]}`;
  const first = days[0];
  const last = days[days.length - 1];
  const summary =
    `${title}: ${noun(total)} in ${days.length} days — ${columns.map((k) => `${number.format(totals[k])} ${styles[k].label.toLowerCase()}`).join(", ")}.` +
    (busiest ? ` Busiest day ${longDay.format(asDate(busiest.day))} with ${noun(busiest.total)}.` : "");
  const middle = days[Math.floor(days.length / 2)];
  const caption = (
    <figcaption className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
      <span className="font-semibold">{title}</span>
      <span
        className="text-sm text-zinc-600 dark:text-zinc-400"
        data-testid={testId ? `${testId}-total` : undefined}
      >
        {noun(total)}
      </span>
    </figcaption>
  );

  // Nothing counted: a quiet panel that says so, not an axis from 0 to 4 with no bars, a legend
  // of zeros and a table of empty days.
  if (total === 0) {
    return (
      <figure className="space-y-3" data-testid={testId}>
        {caption}
        <p
          className="flex h-40 items-center justify-center rounded-md border border-dashed border-zinc-300 px-4 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400"
          data-testid={testId ? `${testId}-empty` : undefined}
        >
          {empty}
        </p>
      </figure>
    );
  }

  return (
    <figure className="space-y-3" data-testid={testId}>
      {caption}
      <div role="img" aria-label={summary} className="grid grid-cols-[auto_1fr] gap-x-2">
        <div
          className="relative h-40 w-10 text-right text-xs text-zinc-600 dark:text-zinc-400"
          aria-hidden="true"
        >
          {ticks.map((t) => (
            <span
              key={t}
              className="absolute right-0 -translate-y-1/2 tabular-nums"
              style={{ top: `${(y(t) / H) * 100}%` }}
            >
              {compact(t)}
            </span>
          ))}
        </div>
        <div className="relative h-40">
          <svg
            viewBox={`0 0 ${W} ${H}`}
            preserveAspectRatio="none"
            className="absolute inset-0 h-full w-full overflow-visible"
            aria-hidden="true"
            focusable="false"
          >
            {ticks.map((t) => (
              <line
                key={t}
                x1={0}
                x2={W}
                y1={y(t)}
                y2={y(t)}
                className="stroke-zinc-200 dark:stroke-zinc-700"
                strokeWidth={1}
                vectorEffect="non-scaling-stroke"
              />
            ))}
            {days.map((d) => {
              let base = 0;
              const left = x(d.day) ?? 0;
              return (
                <g key={d.day}>
                  <title>{`${longDay.format(asDate(d.day))}: ${noun(d.total)}${
                    d.total > 0
                      ? ` (${columns
                          .filter((k) => d.counts[k] > 0)
                          .map(
                            (k) => `${number.format(d.counts[k])} ${styles[k].label.toLowerCase()}`,
                          )
                          .join(", ")})`
                      : ""
                  }`}</title>
                  <rect x={left} y={0} width={x.bandwidth()} height={H} fill="transparent" />
                  {keys.map((k) => {
                    const n = d.counts[k];
                    if (n <= 0) return null;
                    const top = y(base + n);
                    const bottom = y(base);
                    base += n;
                    return (
                      <rect
                        key={k}
                        x={left}
                        y={top}
                        width={x.bandwidth()}
                        height={Math.max(bottom - top, 0.6)}
                        fill={styles[k].color}
                        className="stroke-white dark:stroke-zinc-900"
                        strokeWidth={1}
                        vectorEffect="non-scaling-stroke"
                      />
                    );
                  })}
                </g>
              );
            })}
          </svg>
        </div>
        <div />
        <div
          className="flex justify-between pt-1 text-xs text-zinc-600 dark:text-zinc-400"
          aria-hidden="true"
        >
          {[first, middle, last].map((d, i) =>
            d ? <span key={`${d.day}-${i}`}>{shortDay.format(asDate(d.day))}</span> : null,
          )}
        </div>
      </div>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-label="Legend">
        {columns.map((k) => (
          <li key={k} className="flex items-center gap-1.5">
            <span
              className="inline-block size-3 rounded-sm"
              style={{ backgroundColor: styles[k].color }}
              aria-hidden="true"
            />
            {styles[k].label}{" "}
            <span className="tabular-nums text-zinc-600 dark:text-zinc-400">
              {number.format(totals[k])}
            </span>
          </li>
        ))}
      </ul>
      <details className="text-sm">
        <summary className="cursor-pointer text-indigo-700 underline dark:text-indigo-400">
          Show as table
        </summary>
        {/* focusable: a keyboard user can scroll the 30 days */}
        <div
          className="relative mt-2 max-h-80 overflow-auto"
          tabIndex={0}
          role="region"
          aria-label={`${title}, per day`}
        >
          <table
            className="w-full text-left text-sm tabular-nums"
            data-testid={testId ? `${testId}-table` : undefined}
          >
            <caption className="sr-only">{title}, per day</caption>
            <thead className="sticky top-0 border-b border-zinc-200 bg-white text-zinc-500 dark:text-zinc-400 dark:border-zinc-800 dark:bg-zinc-900">
              <tr>
                <th scope="col" className="py-1 pr-4 font-medium">
                  Day
                </th>
                {columns.map((k) => (
                  <th key={k} scope="col" className="py-1 pr-4 text-right font-medium">
                    {styles[k].label}
                  </th>
                ))}
                <th scope="col" className="py-1 text-right font-medium">
                  Total
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {[...days].reverse().map((d) => (
                <tr key={d.day}>
                  <th scope="row" className="py-1 pr-4 font-normal">
                    <time dateTime={d.day}>{longDay.format(asDate(d.day))}</time>
                  </th>
                  {columns.map((k) => (
                    <td key={k} className="py-1 pr-4 text-right">
                      {number.format(d.counts[k])}
                    </td>
                  ))}
                  <td className="py-1 text-right">{number.format(d.total)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot className="border-t border-zinc-200 font-medium dark:border-zinc-800">
              <tr>
                <th scope="row" className="py-1 pr-4">
                  All {days.length} days
                </th>
                {columns.map((k) => (
                  <td key={k} className="py-1 pr-4 text-right">
                    {number.format(totals[k])}
                  </td>
                ))}
                <td className="py-1 text-right">{number.format(total)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** Axis labels: 1,200 → 1.2k, 3,400,000 → 3.4M. */
function compact(n: number) {
  return new Intl.NumberFormat("en-GB", { notation: "compact", maximumFractionDigits: 1 }).format(
    n,
  );
}
