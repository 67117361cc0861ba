/** RFC 8288 `Link: <…?cursor=…>; rel="next"` for a page that has a next one. */
export function linkHeader(request: Request, next: string | null): Record<string, string> | undefined {
  if (!next) return undefined;
  const url = new URL(request.url);
  url.searchParams.set("cursor", next);
  return { Link: `<${url.pathname}${url.search}>; rel="next"` };
}
