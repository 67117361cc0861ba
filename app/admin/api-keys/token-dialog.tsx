"use client";

import { CopyField, ShownOnceDialog } from "@/components/shown-once-dialog";
import { formatDateTime } from "@/lib/format";

/** The new key's token, shown once (components/shown-once-dialog.tsx). */
export function TokenDialog({ name, token, expiresAt, onClosed }: { name: string; token: string; expiresAt: string; onClosed: () => void }) {
  return (
    <ShownOnceDialog
      testId="token-dialog"
      title="API access key added"
      warning="Copy the token now and keep it somewhere safe. It cannot be shown again: Portico keeps only a fingerprint of it. If it is lost, remove this key and add a new one."
      what="token"
      onClosed={onClosed}
    >
      <CopyField id="new-api-key-name" label="Name" value={name} />
      <CopyField id="new-api-key-token" label="Token" value={token} mono />
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Expires {formatDateTime(new Date(expiresAt))}. Send it as <code className="font-mono">Authorization: Bearer &lt;token&gt;</code>.
      </p>
    </ShownOnceDialog>
  );
}
