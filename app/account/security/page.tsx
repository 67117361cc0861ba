import type { Metadata } from "next";
import QRCode from "qrcode";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { requireUser } from "@/lib/auth/guards";
import { safeCallbackPath } from "@/lib/auth/links";
import { pendingSetup, SETUP_EXPIRED, secondFactorStatus } from "@/lib/second-factor/factor";
import { SecurityPanel, type PanelStatus } from "./security-panel";
import { currentSessionToken } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Account security" };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function SecurityPage({ searchParams }: PageProps<"/account/security">) {
  const user = await requireUser("/account/security", { beforeSecondFactor: true });
  const params = await searchParams;
  const now = new Date();
  const status = await secondFactorStatus(db, user.id, { now });

  let panel: PanelStatus;
  if (status.state === "pending") {
    // Shown again only in the session that began it (and while it lasts).
    const inSession = { now, sessionToken: await currentSessionToken() };
    const setup = await pendingSetup(db, user, inSession);
    if (setup) {
      // Drawn on the server from the otpauth URI; the secret never leaves this page's HTML.
      const qrSvg = await QRCode.toString(setup.uri, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
      panel = {
        state: "pending",
        secret: setup.secret,
        uri: setup.uri,
        qrSvg,
        secondsLeft: Math.max(0, Math.floor((setup.expiresAt.getTime() - now.getTime()) / 1000)),
      };
    } else {
      panel = { state: "elsewhere" };
    }
  } else if (status.state === "active") {
    panel = {
      state: "active",
      confirmedAt: status.confirmedAt.toISOString(),
      lastUsedAt: status.lastUsedAt?.toISOString() ?? null,
      lockedUntil: status.lockedUntil?.toISOString() ?? null,
      recoveryCodesLeft: status.recoveryCodesLeft,
    };
  } else {
    panel = { state: "none" };
  }

  const callback = first(params.callbackUrl);
  // Where "I saved them" goes once a setup is confirmed; without a (safe) callback, it stays here.
  const next = callback ? safeCallbackPath(callback) : null;
  const required = first(params.required) === "1" || user.secondFactor.mustEnrol;

  return (
    <>
      <PageHeader
        title="Account security"
        description="An authenticator app on your phone adds a second step to sensitive actions: Portico asks for one of its 6-digit codes before you approve access, revoke keys or change roles (at most every 15 minutes)."
      />
      <SecurityPanel
        status={panel}
        required={required}
        next={next === "/account/security" ? null : next}
        expiredMessage={SETUP_EXPIRED}
        removed={first(params.removed) === "1" && panel.state === "none"}
      />
    </>
  );
}
