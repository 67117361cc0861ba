import { z } from "zod";
import { emailAddressSchema } from "@/lib/auth/email-address";

export const signInSchema = z.object({
  email: emailAddressSchema,
  callbackUrl: z.string().max(2000).optional(),
});
