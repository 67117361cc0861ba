import { Link } from "@react-email/link";
import { Text } from "@react-email/text";
import { type Branded, brandName } from "./brand";
import { EmailLayout, PrimaryButton } from "./layout";

export type SignInEmailProps = { url: string; host: string; expiresInMinutes: number };

export function SignInEmail(p: SignInEmailProps & Branded) {
  const portal = brandName(p);
  return (
    <EmailLayout brand={p.brand} greet={p.recipientName} preview={`Your sign-in link for ${portal}`}>
      <Text>{`Click the button below to sign in to ${portal}.`}</Text>
      <PrimaryButton brand={p.brand} href={p.url}>
        {`Sign in to ${portal}`}
      </PrimaryButton>
      <Text className="pt-muted" style={{ fontSize: 13, color: "#52525b" }}>
        {`The link works once and expires in ${p.expiresInMinutes} minutes. If the button does not work, paste this address into your browser: `}
        <Link href={p.url}>{p.url}</Link>
      </Text>
      <Text className="pt-muted" style={{ fontSize: 13, color: "#52525b" }}>
        {`If you did not ask to sign in to ${portal} (${p.host}), you can ignore this email.`}
      </Text>
    </EmailLayout>
  );
}

SignInEmail.PreviewProps = {
  url: "http://localhost:3000/api/auth/callback/email?token=preview&email=ada%40example.com",
  host: "localhost:3000",
  expiresInMinutes: 10,
} satisfies SignInEmailProps;

export default SignInEmail;
