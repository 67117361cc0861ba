"use client";

import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";

/**
 * Generate key shows the new key once and, by design, does not re-render the page (that would
 * unmount the one view of the key). The page around it said "Approved" and still offered Cancel
 * request and a new claim link, both refused once the key exists. This scope lets GenerateKey say
 * that its key was claimed, and the parts of the page that no longer hold switch to what a reload
 * would show.
 */
const KeyClaimed = createContext<{ claimed: boolean; markClaimed: () => void }>({ claimed: false, markClaimed: () => {} });

/** The request page's outer element, with the scope. */
export function KeyClaimedScope({ children, className }: { children: ReactNode; className?: string }) {
  const [claimed, setClaimed] = useState(false);
  const markClaimed = useCallback(() => setClaimed(true), []);
  const value = useMemo(() => ({ claimed, markClaimed }), [claimed, markClaimed]);
  return (
    <KeyClaimed.Provider value={value}>
      <div className={className}>{children}</div>
    </KeyClaimed.Provider>
  );
}

export const useKeyClaimed = () => useContext(KeyClaimed);

/** `before` until this page's key is claimed here, then `after` (nothing by default). */
export function OnceKeyClaimed({ before, after = null }: { before: ReactNode; after?: ReactNode }) {
  return <>{useKeyClaimed().claimed ? after : before}</>;
}
