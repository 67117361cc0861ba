import { authRoute } from "@/lib/auth";

export const GET = authRoute;
export const POST = authRoute;
