/**
 * How a catalogue tag reads on screen, wherever it shows (home categories, the catalogue's filter,
 * product cards and pages): a tag typed all in lower case starts with a capital ("finance" →
 * "Finance"); one the owner wrote with capitals of its own ("GraphQL", "iOS") is shown as written.
 * Only the display changes: links and filters keep the stored tag.
 */
export function tagLabel(tag: string) {
  if (tag !== tag.toLocaleLowerCase("en")) return tag;
  const [first = "", ...rest] = Array.from(tag);
  return first.toLocaleUpperCase("en") + rest.join("");
}
