// Tables fit the terminal (100 columns when its width is unknown): the widest columns give way, with an ellipsis.
import { describe, expect, it } from "vitest";
import { fitWidths, printRecord, printTable, shortId, truncate } from "./output.js";
import type { Io } from "./io.js";

function capture(columns?: number): { io: Io; out: () => string } {
  let out = "";
  const io: Io = { stdout: (t) => void (out += t), stderr: () => {}, env: {}, interactive: false, columns, readStdin: async () => "", prompt: async () => "" };
  return { io, out: () => out };
}
const widest = (text: string) => Math.max(...text.split("\n").map((l) => [...l].length));

describe("tables", () => {
  it("leave a table that fits as it is", () => {
    expect(fitWidths([4, 10], ["ID", "NAME"], 100)).toEqual([4, 10]);
  });

  it("shrink the widest column first, never below its header", () => {
    // 1 + (10+3) + (80+3) + (30+3) = 130 > 100: the 80 gives way to 50, and nothing else moves.
    expect(fitWidths([10, 80, 30], ["A", "B", "C"], 100)).toEqual([10, 50, 30]);
    expect(fitWidths([50, 50, 50], ["AAAAAA", "B", "C"], 40).every((w) => w >= 4)).toBe(true);
  });

  it("keep short columns (ids, times) whole while a long one can give way", () => {
    expect(fitWidths([8, 16, 70, 40], ["ID", "TIME", "TITLE", "PAYLOAD"], 60)).toEqual([8, 16, 11, 12]);
  });

  it("print a wide table within 100 columns, truncating with an ellipsis", () => {
    const { io, out } = capture();
    const long = "x".repeat(150);
    printTable(io, ["ID", "TITLE", "PAYLOAD"], [[shortId("f5461fec-7d53-4bb4-bf4d-70990fb29a1b"), "Next meetup", long]]);
    expect(widest(out())).toBeLessThanOrEqual(100);
    expect(out()).toContain("f5461fec ");
    expect(out()).toContain("Next meetup");
    expect(out()).toContain("x…");
  });

  it("use the terminal's width when it is known", () => {
    const { io, out } = capture(60);
    printTable(io, ["A", "B"], [["a".repeat(80), "b".repeat(80)]]);
    expect(widest(out())).toBe(60);
  });

  it("wrap a long record value rather than widen the table", () => {
    const { io, out } = capture();
    printRecord(io, { description: "word ".repeat(60), id: "f5461fec-7d53-4bb4-bf4d-70990fb29a1b" });
    expect(widest(out())).toBeLessThanOrEqual(100);
    expect(out()).toContain("f5461fec-7d53-4bb4-bf4d-70990fb29a1b");
  });

  it("keep a short record narrow", () => {
    const { io, out } = capture();
    printRecord(io, { slug: "open-coop", name: "Open Coop" });
    expect(widest(out())).toBe(1 + 6 + 1 + 11 + 1); // borders, "slug" + padding, "open-coop" + padding
  });

  it("truncate each line of a cell", () => {
    expect(truncate("abcdef\nxy", 4)).toBe("abc…\nxy");
  });
});
