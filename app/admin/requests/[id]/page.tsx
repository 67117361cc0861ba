import { notFound, redirect } from "next/navigation";
import { z } from "zod";

/** Email links point here; the queue shows the request in its detail panel. */
export default async function RequestLink({ params }: PageProps<"/admin/requests/[id]">) {
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  redirect(`/admin/requests?status=all&open=${id.data}`);
}
