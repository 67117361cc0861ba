import { z } from "zod";
import { type TemplateName, subjectPlaceholders, templateNames } from "@/emails";
import { SUBJECT_LINE_MESSAGE, placeholderProblem } from "@/emails/subject";
import { fieldErrorsOf } from "@/lib/actions/action-result";
import { DomainError } from "@/lib/errors";
import { isSingleLine } from "@/lib/validation";

/** An admin's subject for a template: one line, only the template's own placeholders ("" = the default). */
export const subjectSchema = z
  .object({
    template: z.enum(templateNames as [TemplateName, ...TemplateName[]], { error: "Unknown email template." }),
    subject: z
      .string({ error: "Write the subject as text." })
      .trim()
      .max(200, "Keep the subject under 200 characters.")
      .refine(isSingleLine, SUBJECT_LINE_MESSAGE),
  })
  .superRefine(({ template, subject }, ctx) => {
    const problem = placeholderProblem(subject, subjectPlaceholders(template));
    if (problem) ctx.addIssue({ code: "custom", path: ["subject"], message: problem });
  });

export type SubjectInput = z.output<typeof subjectSchema>;

/** Domain functions parse again, so any caller gets the same field messages and nothing written. */
export function parseSubject(input: unknown): SubjectInput {
  const parsed = subjectSchema.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", "Check the highlighted fields.", fieldErrorsOf(parsed.error));
  return parsed.data;
}
