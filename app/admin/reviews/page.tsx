import type { Metadata } from "next";
import { Link } from "@/components/ui/link";
import { z } from "zod";
import { PageHeader } from "@/components/ui/page-header";
import { cn } from "@/components/ui/cn";
import { db } from "@/db/client";
import { queueDetail } from "@/lib/admin/queue-query";
import { APPROVER_ROLES, requireRole } from "@/lib/auth/guards";
import { pageLinks } from "@/lib/paging/keyset";
import { listReviews, REVIEW_VIEWS, type ReviewView } from "@/lib/reviews/queries";
import { DetailPanel } from "../requests/detail-panel";
import { PanelSheet } from "../requests/panel-sheet";
import { ReviewTable } from "./review-table";

export const metadata: Metadata = { title: "Reviews" };

const paramsSchema = z.object({
  view: z.enum(REVIEW_VIEWS).catch("open").default("open"),
  // Keyset paging (lib/paging/keyset.ts): the page after or before a review.
  after: z.string().max(200).optional().catch(undefined),
  before: z.string().max(200).optional().catch(undefined),
  open: z.uuid().optional().catch(undefined),
});

const viewLabels: Record<ReviewView, string> = { open: "To review", reviewed: "Reviewed", all: "All" };

export default async function ReviewsPage({ searchParams }: PageProps<"/admin/reviews">) {
  const user = await requireRole(APPROVER_ROLES, "/admin/reviews");
  const params = paramsSchema.parse(await searchParams);
  const [{ rows, openCount, ...page }, detail] = await Promise.all([
    listReviews(db, user, params),
    params.open ? queueDetail(db, user, params.open) : Promise.resolve(null),
  ]);
  const links = pageLinks(page);
  const href = (p: Partial<typeof params>) => {
    const next = { ...params, ...p };
    const s = new URLSearchParams();
    if (next.view !== "open") s.set("view", next.view);
    if (next.after) s.set("after", next.after);
    else if (next.before) s.set("before", next.before);
    if (next.open) s.set("open", next.open);
    return `/admin/reviews${s.size ? `?${s}` : ""}`;
  };
  return (
    <>
      <PageHeader
        title="Reviews"
        description={`Completed decisions on plans that require review. ${openCount === 0 ? "Nothing waits" : openCount === 1 ? "1 waits" : `${openCount} wait`} for review.`}
      />
      <nav aria-label="Review views" className="mb-4 flex gap-2 text-sm">
        {REVIEW_VIEWS.map((v) => (
          <Link
            key={v}
            href={href({ view: v, after: undefined, before: undefined, open: undefined })}
            aria-current={params.view === v ? "page" : undefined}
            className={cn(
              "rounded-md px-3 py-1.5",
              params.view === v ? "bg-indigo-600 text-white" : "border border-zinc-300 hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-800",
            )}
          >
            {viewLabels[v]}
          </Link>
        ))}
      </nav>
      <div className={cn("grid items-start gap-4", params.open ? "lg:grid-cols-[minmax(0,1fr)_19rem]" : undefined)}>
        <ReviewTable
          rows={rows.map((r) => ({
            ...r,
            createdAt: r.createdAt.toISOString(),
            reviewedAt: r.reviewedAt?.toISOString() ?? null,
            openHref: href({ open: r.requestId }),
          }))}
          activeRowId={rows.find((r) => r.requestId === params.open)?.id}
          paging={{
            previousHref: links.previous && href({ ...links.previous, open: undefined }),
            nextHref: links.next && href({ ...links.next, open: undefined }),
          }}
        />
        {params.open ? (
          <PanelSheet closeHref={href({ open: undefined })}>
            <DetailPanel detail={detail} closeHref={href({ open: undefined })} viewer={user} />
          </PanelSheet>
        ) : null}
      </div>
    </>
  );
}
