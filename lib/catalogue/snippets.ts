import { parse as parseYaml } from "yaml";
import { oauthEndpoints } from "@/lib/oauth/endpoints";

/** What a product's code snippets need: where to call and how to authenticate. */
export type SnippetTarget = {
  authMethod: "api_key" | "oauth2";
  /** The first server in the document, or an example host. */
  baseUrl: string;
  method: string;
  path: string;
  /** OAuth products: where an app asks for its token (Portico is the authorization server: its /oauth/token). */
  tokenUrl?: string;
};

/** The placeholder a reader replaces: it can never be mistaken for a real Portico key (those start ptk_). */
export const KEY_PLACEHOLDER = "YOUR_API_KEY";
export const APP_PLACEHOLDER = "your-app";

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/**
 * The first operation of the product's OpenAPI document (a GET if it has one), so the snippet calls
 * something real; without a document, `GET /v1/<slug>` on an example host.
 */
export function snippetTarget(product: { slug: string; authMethod: "api_key" | "oauth2" }, openapi: string | null, portalUrl: string): SnippetTarget {
  const fallback: SnippetTarget = { authMethod: product.authMethod, baseUrl: "https://api.example.com", method: "GET", path: `/v1/${product.slug}` };
  if (product.authMethod === "oauth2") fallback.tokenUrl = oauthEndpoints(portalUrl).tokenEndpoint;
  if (!openapi) return fallback;
  let doc: unknown;
  try {
    doc = parseYaml(openapi, { maxAliasCount: 100 });
  } catch {
    return fallback;
  }
  if (!doc || typeof doc !== "object") return fallback;
  const d = doc as { servers?: { url?: unknown }[]; paths?: Record<string, Record<string, unknown>> };
  const server = d.servers?.find((s) => typeof s.url === "string" && /^https?:\/\//.test(s.url))?.url;
  const baseUrl = typeof server === "string" ? server.replace(/\/$/, "") : fallback.baseUrl;
  const paths = Object.entries(d.paths ?? {}).filter(([p]) => p.startsWith("/"));
  const withGet = paths.find(([, ops]) => ops && typeof ops === "object" && "get" in ops);
  const first = withGet ?? paths[0];
  const method = first ? (withGet ? "get" : (METHODS.find((m) => first[1] && m in first[1]) ?? "get")) : undefined;
  return {
    ...fallback,
    baseUrl,
    ...(first && method ? { method: method.toUpperCase(), path: first[0] } : {}),
  };
}

export type SnippetLanguage = "curl" | "javascript" | "python";

/** A shell word: single quotes, each ' inside written as '\'' — nothing in it is expanded or run. */
const shellQuoted = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
/** A JavaScript or Python string literal (a JSON string is both), whatever the text holds. */
const stringLiteral = (s: string) => JSON.stringify(s);

/**
 * The three snippets for an app name (the reader's own when they have an app, else a placeholder).
 * The URL comes from the product owner's OpenAPI document and readers paste these into a terminal or
 * a program, so it is always quoted for the language: a document can never make a snippet run anything.
 */
export function snippets(t: SnippetTarget, appName: string): Record<SnippetLanguage, string> {
  const rawUrl = `${t.baseUrl}${t.path}`;
  const url = { sh: shellQuoted(rawUrl), lit: stringLiteral(rawUrl) };
  const token = { sh: shellQuoted(t.tokenUrl ?? "https://portal.example.com/oauth/token"), lit: stringLiteral(t.tokenUrl ?? "https://portal.example.com/oauth/token") };
  const hasBody = t.method !== "GET" && t.method !== "DELETE";
  const ua = `${appName.replace(/[^\w .-]/g, "").trim() || APP_PLACEHOLDER}`;
  if (t.authMethod === "oauth2") {
    return {
      curl: `# 1. Get an access token for ${ua} (client credentials)
curl -X POST ${token.sh} \\
  -u "YOUR_CLIENT_ID:YOUR_CLIENT_SECRET" \\
  -d grant_type=client_credentials \\
  -d scope="YOUR_SCOPES"

# 2. Call the API with it
curl -X ${t.method} ${url.sh} \\
  -H "Authorization: Bearer YOUR_ACCESS_TOKEN" \\
  -H "User-Agent: ${ua}"${hasBody ? ` \\\n  -H "Content-Type: application/json" \\\n  -d '{}'` : ""}`,
      javascript: `// ${ua}: get an access token (client credentials), then call the API
const tokenResponse = await fetch(${token.lit}, {
  method: "POST",
  headers: {
    Authorization: "Basic " + btoa("YOUR_CLIENT_ID:YOUR_CLIENT_SECRET"),
    "Content-Type": "application/x-www-form-urlencoded",
  },
  body: new URLSearchParams({ grant_type: "client_credentials", scope: "YOUR_SCOPES" }),
});
const { access_token } = await tokenResponse.json();

const response = await fetch(${url.lit}, {
  method: "${t.method}",
  headers: { Authorization: \`Bearer \${access_token}\`, "User-Agent": "${ua}" },${hasBody ? `\n  body: JSON.stringify({}),` : ""}
});
console.log(response.status, await response.json());`,
      python: `# ${ua}: get an access token (client credentials), then call the API
import requests

token = requests.post(
    ${token.lit},
    auth=("YOUR_CLIENT_ID", "YOUR_CLIENT_SECRET"),
    data={"grant_type": "client_credentials", "scope": "YOUR_SCOPES"},
).json()["access_token"]

response = requests.request(
    "${t.method}",
    ${url.lit},
    headers={"Authorization": f"Bearer {token}", "User-Agent": "${ua}"},${hasBody ? `\n    json={},` : ""}
)
print(response.status_code, response.json())`,
    };
  }
  return {
    curl: `curl -X ${t.method} ${url.sh} \\
  -H "X-API-Key: ${KEY_PLACEHOLDER}" \\
  -H "User-Agent: ${ua}"${hasBody ? ` \\\n  -H "Content-Type: application/json" \\\n  -d '{}'` : ""}`,
    javascript: `// ${ua}: keep the key out of your code, e.g. in an environment variable
const response = await fetch(${url.lit}, {
  method: "${t.method}",
  headers: { "X-API-Key": process.env.API_KEY ?? "${KEY_PLACEHOLDER}", "User-Agent": "${ua}" },${hasBody ? `\n  body: JSON.stringify({}),` : ""}
});
console.log(response.status, await response.json());`,
    python: `# ${ua}: keep the key out of your code, e.g. in an environment variable
import os
import requests

response = requests.request(
    "${t.method}",
    ${url.lit},
    headers={"X-API-Key": os.environ.get("API_KEY", "${KEY_PLACEHOLDER}"), "User-Agent": "${ua}"},${hasBody ? `\n    json={},` : ""}
)
print(response.status_code, response.json())`,
  };
}
