export function SiteFooter() {
  return (
    <footer className="border-t border-zinc-200 py-6 text-center text-xs text-zinc-500 dark:border-zinc-800">
      Portico — an open-source developer portal.
    </footer>
  );
}
