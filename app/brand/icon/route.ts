import { db } from "@/db/client";
import { iconResponse } from "@/lib/branding/image-responses";

export const dynamic = "force-dynamic";

export const GET = () => iconResponse(db);
