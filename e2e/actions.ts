import { randomBytes } from "node:crypto";
import fs from "node:fs";
import type { APIRequestContext } from "@playwright/test";
import { sessions } from "../db/schema";
import type { e2eDb } from "./db";

type Manifest = { node: Record<string, { filename: string; exportedName: string }> };

/** The id Next gave a server action in this build (what a browser sends in the Next-Action header). */
export function actionId(filename: string, exportedName: string) {
  const manifest = JSON.parse(fs.readFileSync(".next/server/server-reference-manifest.json", "utf8")) as Manifest;
  const found = Object.entries(manifest.node).find(([, v]) => v.filename === filename && v.exportedName === exportedName);
  if (!found) throw new Error(`no server action ${filename}#${exportedName}`);
  return found[0];
}

/**
 * Calls a `(prevState, formData)` server action over HTTP exactly as React does (the FormData
 * argument is sent as reference 1), and returns the raw response text.
 */
export async function callAction(
  request: APIRequestContext,
  opts: { page: string; file: string; name: string; fields: Record<string, string>; cookie?: string; headers?: Record<string, string> },
) {
  // Same order as React's encodeReply: the FormData's fields (prefixed "_1_"), then the root "0".
  const multipart = new FormData();
  for (const [k, v] of Object.entries(opts.fields)) multipart.append(`_1_${k}`, v);
  multipart.append("0", JSON.stringify(["$undefined", "$K1"]));
  const response = await request.post(opts.page, {
    headers: {
      "Next-Action": actionId(opts.file, opts.name),
      Accept: "text/x-component",
      ...(opts.cookie ? { Cookie: opts.cookie } : {}),
      ...opts.headers,
    },
    multipart,
    maxRedirects: 0,
  });
  return { status: response.status(), text: await response.text() };
}

/** A real database session for a user (an hour unless told), as the session cookie a browser would carry. */
export async function sessionCookie(conn: ReturnType<typeof e2eDb>, userId: string, lifetimeMs = 3600_000) {
  const token = randomBytes(32).toString("hex");
  await conn.db.insert(sessions).values({ sessionToken: token, userId, expires: new Date(Date.now() + lifetimeMs) });
  return `authjs.session-token=${token}`;
}
