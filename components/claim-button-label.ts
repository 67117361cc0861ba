/**
 * The one-time claim's button, on the emailed link's page and the request page alike: what it
 * creates, an API key or (an OAuth 2.0 product's request) an OAuth client, and that it is at work.
 */
export function claimButtonLabel(credential: "key" | "client", pending: boolean) {
  if (credential === "client") return pending ? "Creating your client…" : "Create OAuth client";
  return pending ? "Generating your key…" : "Generate key";
}
