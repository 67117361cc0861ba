import { db } from "@/db/client";
import { logoResponse } from "@/lib/branding/image-responses";

export const dynamic = "force-dynamic";

export const GET = () => logoResponse(db);
