import { Link } from "@/components/ui/link";
import { getBranding } from "@/lib/branding/get-branding";

const linkClass = "underline underline-offset-2 hover:text-zinc-900 dark:hover:text-zinc-100";

/** The portal's name and the admin's footer links (Admin → Branding), then the API reference. */
export async function SiteFooter() {
  const brand = await getBranding();
  return (
    <footer className="border-t border-zinc-200 py-6 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
      <div className="mx-auto flex max-w-(--page-max) flex-col items-center gap-3 px-4 sm:flex-row sm:justify-between sm:px-6">
        {/* A name without spaces (up to 40 characters) breaks anywhere rather than widening a phone's page. */}
        <p data-testid="footer-brand" className="max-w-full text-center wrap-anywhere">
          {brand.name}
          {brand.name === "Portico" ? " — an open-source developer portal." : " · powered by Portico"}
        </p>
        <nav aria-label="Footer">
          <ul className="flex flex-wrap justify-center gap-x-4 gap-y-2">
            {brand.footerLinks.map((l) => (
              <li key={`${l.label}|${l.href}`}>
                {l.href.startsWith("/") ? (
                  <Link href={l.href} className={linkClass}>
                    {l.label}
                  </Link>
                ) : (
                  <a href={l.href} className={linkClass} rel="noopener noreferrer">
                    {l.label}
                  </a>
                )}
              </li>
            ))}
            <li>
              <Link href="/docs/api" className={linkClass}>
                Portal API reference
              </Link>
            </li>
          </ul>
        </nav>
      </div>
    </footer>
  );
}
