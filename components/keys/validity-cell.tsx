/**
 * A key's validity window in a table: each end on a line of its own, neither broken inside ("25 Nov
 * 2026, 09:00 UTC" / "– 24 May 2027, 09:00 UTC"), instead of the one long phrase wrapping wherever
 * the column ends.
 */
export function ValidityCell({ ends }: { ends: { from: string; until: string } }) {
  return (
    <>
      <span className="block whitespace-nowrap">{ends.from}</span>
      <span className="block whitespace-nowrap">– {ends.until}</span>
    </>
  );
}
