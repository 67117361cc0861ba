/** Postgres text cannot hold NUL; refuse it with a message instead of failing the insert. */
export const noNul = (s: string | undefined) => s === undefined || !s.includes("\u0000");
export const NUL_MESSAGE = "Remove the invisible control characters.";
