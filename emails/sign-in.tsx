import { Button, Link, Text } from "@react-email/components";
import { EmailLayout } from "./layout";

export type SignInEmailProps = { url: string; host: string; expiresInMinutes: number };

export function SignInEmail({ url, host, expiresInMinutes }: SignInEmailProps) {
  return (
    <EmailLayout preview={`Your sign-in link for ${host}`}>
      <Text>Click the button below to sign in to {host}.</Text>
      <Button
        href={url}
        style={{ backgroundColor: "#4f46e5", color: "#ffffff", padding: "12px 20px", borderRadius: 6, fontWeight: 600 }}
      >
        Sign in
      </Button>
      <Text style={{ fontSize: 13, color: "#52525b" }}>
        The link works once and expires in {expiresInMinutes} minutes. If the button does not work, paste this
        address into your browser: <Link href={url}>{url}</Link>
      </Text>
      <Text style={{ fontSize: 13, color: "#52525b" }}>If you did not ask to sign in, you can ignore this email.</Text>
    </EmailLayout>
  );
}

SignInEmail.PreviewProps = {
  url: "http://localhost:3000/api/auth/callback/email?token=preview&email=ada%40example.com",
  host: "localhost:3000",
  expiresInMinutes: 10,
} satisfies SignInEmailProps;

export default SignInEmail;
