import { Link } from "@react-email/link";
import { Text } from "@react-email/text";
import { type Branded, brandName } from "./brand";
import { EmailLayout } from "./layout";

/** Whom a second-factor email greets, which portal it is about, and where to review it. */
type AccountEmailProps = { name: string; portalUrl: string; securityUrl: string };

export type SecondFactorLockedEmailProps = AccountEmailProps & {
  /** When codes are accepted again, as the recipient's portal shows it (UTC). */
  lockedUntil: string;
};

/** Five wrong codes in a row: the account owner should know, it may not have been them. */
export function SecondFactorLockedEmail(p: SecondFactorLockedEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} preview="Your authenticator was locked after 5 wrong codes">
      <Text>Hello {p.name},</Text>
      <Text>{`Five wrong authenticator codes were entered for your account on the ${brandName(p)} developer portal at ${p.portalUrl}. Codes are refused until ${p.lockedUntil}.`}</Text>
      <Text>
        If this was you, wait until then and try again (check that your phone&apos;s clock is set automatically). If it was not you,
        someone has your sign-in link or session: sign out everywhere and tell your {brandName(p)} administrator.
      </Text>
      <Text>
        <Link href={p.securityUrl}>Review your account security</Link>
      </Text>
    </EmailLayout>
  );
}

SecondFactorLockedEmail.PreviewProps = {
  name: "Olivia Owner",
  portalUrl: "http://localhost:3000",
  lockedUntil: "2 Dec 2026, 14:05 UTC",
  securityUrl: "http://localhost:3000/account/security",
} satisfies SecondFactorLockedEmailProps;

export type SecondFactorResetEmailProps = AccountEmailProps & {
  /** The admin who reset it. */
  adminName: string;
};

/** An admin removed the user's authenticator (a lost phone): they set up a new one. */
export function SecondFactorResetEmail(p: SecondFactorResetEmailProps & Branded) {
  return (
    <EmailLayout brand={p.brand} preview="Your authenticator was reset by an administrator">
      <Text>Hello {p.name},</Text>
      <Text>{`${p.adminName}, an administrator of the ${brandName(p)} developer portal at ${p.portalUrl}, reset your authenticator. Its codes and your recovery codes no longer work.`}</Text>
      <Text>
        Set up an authenticator again from Account security. If you did not ask for this, tell your {brandName(p)} administrator at once.
      </Text>
      <Text>
        <Link href={p.securityUrl}>Set up an authenticator</Link>
      </Text>
    </EmailLayout>
  );
}

SecondFactorResetEmail.PreviewProps = {
  name: "Olivia Owner",
  portalUrl: "http://localhost:3000",
  adminName: "Ada Admin",
  securityUrl: "http://localhost:3000/account/security",
} satisfies SecondFactorResetEmailProps;

export type SecondFactorChangedEmailProps = AccountEmailProps & { change: "added" | "removed" };

/** An authenticator was added to or removed from the account: if it was not them, they should know at once. */
export function SecondFactorChangedEmail(p: SecondFactorChangedEmailProps & Branded) {
  const what = p.change === "added" ? "An authenticator was added to" : "The authenticator was removed from";
  return (
    <EmailLayout brand={p.brand} preview={`${what} your ${brandName(p)} account`}>
      <Text>Hello {p.name},</Text>
      <Text>{`${what} your account on the ${brandName(p)} developer portal at ${p.portalUrl}.`}</Text>
      <Text>If this was you, there is nothing to do. If it was not, tell your {brandName(p)} administrator at once: someone has your sign-in link or session.</Text>
      <Text>
        <Link href={p.securityUrl}>Review your account security</Link>
      </Text>
    </EmailLayout>
  );
}

SecondFactorChangedEmail.PreviewProps = {
  name: "Olivia Owner",
  portalUrl: "http://localhost:3000",
  change: "added",
  securityUrl: "http://localhost:3000/account/security",
} satisfies SecondFactorChangedEmailProps;
