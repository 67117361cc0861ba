import { z } from "zod";

export const signInSchema = z.object({
  email: z
    .string({ error: "Enter your email address." })
    .trim()
    .min(1, "Enter your email address.")
    .max(254, "That email address is too long.")
    .pipe(z.email("Enter a valid email address, like ada@example.com.")),
  callbackUrl: z.string().max(2000).optional(),
});
