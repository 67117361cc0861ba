/**
 * A piece of a label: the portal's own words as a string, or `{ typed }`, what someone typed (a
 * name, an address), which the page isolates for bidi (components/label-parts.tsx) so a
 * right-to-left name cannot reorder the words around it.
 */
export type LabelPart = string | { typed: string };

/** Typed names in a list, each a part of its own: "A, B". */
export const typedList = (names: readonly string[]): LabelPart[] => names.flatMap((typed, i) => (i ? [", ", { typed }] : [{ typed }]));
