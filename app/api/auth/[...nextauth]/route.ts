import { handlers } from "@/lib/auth";
import { withBodyLimit } from "@/lib/http/body-limit";

// Auth.js reads sign-in and sign-out forms in full: an email address and a CSRF token fit in far less.
const AUTH_BODY_LIMIT = 16 * 1024;

export const GET = handlers.GET;
export const POST = withBodyLimit(AUTH_BODY_LIMIT, handlers.POST);
