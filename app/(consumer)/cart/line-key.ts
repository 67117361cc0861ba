/**
 * A cart line's key, the same on the page's list and on the line's Remove button (cart-changes.tsx
 * finds the button by it). A module of its own: the server page calls it, and a function exported
 * from a "use client" module is only a reference there.
 */
export const cartLineKey = (line: { productId: string; planId: string }) => `${line.productId}:${line.planId}`;
