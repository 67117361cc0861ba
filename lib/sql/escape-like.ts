/** Makes user text match literally inside an ILIKE pattern (`%`, `_` and `\` lose their meaning). */
export function escapeLike(value: string) {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
