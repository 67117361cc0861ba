import { isIPv4, isIPv6 } from "node:net";

/**
 * The eight 16-bit groups of an IPv6 address (a zone id dropped, a dotted IPv4 tail read as two
 * groups), or null if the text is not an IPv6 address.
 */
export function ipv6Groups(address: string): number[] | null {
  const bare = address.trim().split("%")[0] ?? "";
  if (!isIPv6(bare)) return null;
  const words = (part: string) => {
    if (part === "") return [];
    return part.split(":").flatMap((word) => {
      if (!isIPv4(word)) return [parseInt(word, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = word.split(".").map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head = "", tail] = bare.split("::");
  const left = words(head);
  if (tail === undefined) return left;
  const right = words(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * What the per-IP limits count under. An IPv6 client usually holds a whole /64 and picks its
 * interface id at will, so an IPv6 address counts as its /64; IPv4 is the full address, and an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d, in either spelling) is the IPv4 address it maps.
 */
export function ipLimitKey(ip: string): string | null {
  const trimmed = ip.trim();
  if (isIPv4(trimmed)) return trimmed;
  const groups = ipv6Groups(trimmed);
  if (!groups) return null;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) {
    const [, , , , , , high = 0, low = 0] = groups;
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}
