"use client";

import dynamic from "next/dynamic";
import type { ApiReferenceSource } from "./scalar-reference";

// Scalar renders in the browser only (it mounts its own Vue app), so it is loaded after the page and
// the page around it (the static product page, /docs/api) stays a plain document.
const ApiReferenceReact = dynamic(() => import("./scalar-reference").then((m) => m.ScalarReference), {
  ssr: false,
  loading: () => <p className="text-sm text-zinc-500 dark:text-zinc-400">Loading the API reference…</p>,
});

export function ApiReference(source: ApiReferenceSource) {
  return <ApiReferenceReact {...source} />;
}
