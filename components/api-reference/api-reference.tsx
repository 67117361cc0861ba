"use client";

import dynamic from "next/dynamic";

// Scalar renders in the browser only (it mounts its own Vue app), so it is loaded after the page and
// the static product page stays a plain cached document.
const ApiReferenceReact = dynamic(() => import("./scalar-reference").then((m) => m.ScalarReference), {
  ssr: false,
  loading: () => <p className="text-sm text-zinc-500">Loading the API reference…</p>,
});

export function ApiReference({ document }: { document: string }) {
  return <ApiReferenceReact document={document} />;
}
