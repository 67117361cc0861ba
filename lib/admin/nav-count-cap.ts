/**
 * The admin navigation counts its badges up to this many: past it a badge reads "99+". Counting
 * every pending request an owner may decide took about a second at 50,000 pending (1,000,000 in
 * all), on every admin page; a hundred are found in milliseconds.
 */
export const NAV_COUNT_CAP = 100;

/** A badge's text: the count, or "99+" once it reaches the cap. */
export function navCountText(count: number) {
  return count >= NAV_COUNT_CAP ? `${NAV_COUNT_CAP - 1}+` : String(count);
}
