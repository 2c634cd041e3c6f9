// The progress line is drawn only on a terminal, at most every 100 ms, and erased at the end.
import { describe, expect, it } from "vitest";
import { countOf, createProgress } from "./progress.js";
import type { Io } from "./io.js";

function io(progress: boolean): { io: Io; err: () => string } {
  let err = "";
  return { io: { stdout: () => {}, stderr: (t) => void (err += t), env: {}, interactive: false, progress, readStdin: async () => "", prompt: async () => "" }, err: () => err };
}

describe("progress", () => {
  it("prints nothing when stderr is not a terminal", () => {
    const t = io(false);
    const p = createProgress(t.io, "audit");
    p.update("1 of 2");
    p.done();
    expect(t.err()).toBe("");
  });

  it("redraws one line on a terminal, throttled, and erases it", () => {
    const t = io(true);
    let clock = 0;
    const p = createProgress(t.io, "audit", { now: () => clock });
    p.update("1 of 3");
    clock = 50;
    p.update("2 of 3"); // too soon: skipped
    clock = 200;
    p.update("3 of 3");
    p.done();
    expect(t.err()).toBe("\r\x1b[Kaudit: 1 of 3\r\x1b[Kaudit: 3 of 3\r\x1b[K");
  });

  it("counts with separators and a percentage", () => {
    expect(countOf(12000, 50000, "entries")).toBe("12,000 of 50,000 entries (24%)");
    expect(countOf(0, 0, "entries")).toBe("0 of 0 entries");
  });
});
