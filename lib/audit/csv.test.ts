import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";

describe("audit CSV", () => {
  it("turns cells a spreadsheet would run as formulas into text, and leaves the rest as they were", () => {
    const hostile = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"];
    const plain = ["Denied: no reason", "a,b", 'say "hi"', "line\nbreak", "", "1-2", "x=1"];
    const [row] = parse(toCsv([[...hostile, ...plain]])) as string[][];
    expect(row?.slice(0, hostile.length)).toEqual(hostile.map((v) => `'${v}`));
    expect(row?.slice(hostile.length)).toEqual(plain);
  });
});
