"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";

/** Copies `value`; says so (or what to do instead) in a polite live region beside the button. */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const [status, setStatus] = useState("");
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setStatus(`Copied the ${what}.`);
    } catch {
      setStatus(`Could not copy: select the ${what} and copy it by hand.`);
    }
  }
  return (
    <span className="inline-flex items-center gap-2">
      <Button type="button" variant="secondary" size="sm" onClick={copy}>
        Copy<span className="sr-only"> the {what}</span>
      </Button>
      <span aria-live="polite" className="text-xs text-zinc-600 dark:text-zinc-400">
        {status}
      </span>
    </span>
  );
}
