/**
 * The look of a Radix dropdown menu (the header's account and theme menus, a user's row menu):
 * `menuPanel` for its Content, `menuItem` for each item. Callers add their own layer, width,
 * padding and text size.
 */
export const menuPanel =
  "rounded-md border border-zinc-200 bg-white p-1 text-zinc-900 shadow-lg dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100";

export const menuItem =
  "flex cursor-default items-center rounded outline-none select-none data-[highlighted]:bg-zinc-100 dark:data-[highlighted]:bg-zinc-800";
