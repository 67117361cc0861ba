import { render } from "@react-email/render";
import type { Metadata } from "next";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/db/client";
import { templateLabels, templateNames, templates } from "@/emails";
import { requireRole } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { subjectOverrides } from "@/lib/mail/email-admin";
import { emailBrand } from "@/lib/mail/email-brand";
import { SubjectForm } from "./subject-form";

export const metadata: Metadata = { title: "Email subjects" };

export default async function EmailSubjectsPage() {
  await requireRole(["admin"], "/admin/settings/emails");
  // Previewed as they are sent: with this portal's name, accent and logo (Admin → Branding).
  const [overrides, brand] = await Promise.all([subjectOverrides(db), emailBrand(db)]);
  const previews = await Promise.all(
    templateNames.map(async (name) => {
      const t = templates[name] as unknown as {
        render: (p: unknown) => React.ReactElement;
        defaultSubject: string;
        subjectVars: (p: unknown) => Record<string, string>;
        previewProps: unknown;
      };
      const props = { ...(onThisPortal(t.previewProps) as object), brand };
      const vars = t.subjectVars(props);
      return {
        name,
        label: templateLabels[name],
        defaultSubject: t.defaultSubject,
        current: overrides.get(name) ?? "",
        vars,
        html: await render(t.render(props)),
      };
    }),
  );
  return (
    <>
      <PageHeader
        title="Email subjects"
        description="Change the subject line of each email Portico sends. Bodies are part of the code. Leave a subject empty to use the default."
      />
      <div className="space-y-8">
        {previews.map((p) => (
          <Card key={p.name} className="space-y-4">
            <SubjectForm
              template={p.name}
              label={p.label}
              current={p.current}
              defaultSubject={p.defaultSubject}
              placeholders={Object.keys(p.vars)}
              sampleValues={p.vars}
            />
            <div>
              <iframe title={`${p.label} preview`} sandbox="" srcDoc={p.html} className="mt-2 h-72 w-full rounded border border-zinc-200 bg-white" />
            </div>
          </Card>
        ))}
      </div>
    </>
  );
}

/** The templates' sample props link to localhost:3000; previews show this portal's own address. */
function onThisPortal(props: unknown): unknown {
  const origin = new URL(env.baseUrl);
  return JSON.parse(
    JSON.stringify(props).replaceAll("http://localhost:3000", origin.origin).replaceAll("localhost:3000", origin.host),
  );
}
