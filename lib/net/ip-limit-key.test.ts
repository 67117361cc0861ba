import { describe, expect, it } from "vitest";
import { ipLimitKey, ipv6Groups } from "./ip-limit-key";

describe("ipv6Groups", () => {
  it("expands every spelling of an IPv6 address to eight groups", () => {
    expect(ipv6Groups("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ipv6Groups("2001:DB8::1")).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups("::")).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups("1::")).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups("1:2:3::6:7:8")).toEqual([1, 2, 3, 0, 0, 6, 7, 8]);
    expect(ipv6Groups("1:2:3:4:5:6:192.0.2.33")).toEqual([1, 2, 3, 4, 5, 6, 0xc000, 0x0221]);
    expect(ipv6Groups("64:ff9b::192.0.2.33")).toEqual([0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221]);
    expect(ipv6Groups("fe80::1%eth0")).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
  });

  it("is null for anything that is not IPv6", () => {
    for (const value of [
      "",
      "192.0.2.1",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "gggg::1",
      "[::1]",
      "::1:443x",
    ])
      expect(ipv6Groups(value)).toBeNull();
  });
});

describe("ipLimitKey", () => {
  it("keeps an IPv4 address whole", () => {
    expect(ipLimitKey("203.0.113.7")).toBe("203.0.113.7");
    expect(ipLimitKey("203.0.113.8")).toBe("203.0.113.8");
  });

  it("counts an IPv4-mapped IPv6 address as the IPv4 address, in either spelling", () => {
    expect(ipLimitKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(ipLimitKey("::FFFF:cb00:7107")).toBe("203.0.113.7");
    expect(ipLimitKey("0:0:0:0:0:ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("counts every address of one IPv6 /64 under one key, however it is written", () => {
    const key = "2001:db8:1:2::/64";
    for (const value of [
      "2001:db8:1:2::1",
      "2001:DB8:1:2:ffff:ffff:ffff:ffff",
      "2001:0db8:0001:0002:0000:0000:0000:0001",
      "2001:db8:1:2:a:b:c:d",
      "2001:db8:1:2::203.0.113.7",
    ])
      expect(ipLimitKey(value)).toBe(key);
    expect(ipLimitKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(ipLimitKey("::1")).toBe("0:0:0:0::/64");
    expect(ipLimitKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });

  it("keeps neighbouring /64s apart", () => {
    expect(ipLimitKey("2001:db8:1:3::1")).not.toBe(ipLimitKey("2001:db8:1:2::1"));
    expect(ipLimitKey("2001:db8:1:1::1")).not.toBe(ipLimitKey("2001:db8:1:10::1"));
  });

  it("is null for anything that is not an address", () => {
    for (const value of ["", "unknown", "203.0.113.7:443", "::ffff:999.0.0.1"])
      expect(ipLimitKey(value)).toBeNull();
  });
});
