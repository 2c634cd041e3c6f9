import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ParseError, parseBlt, parseText } from "./formats.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

function parseErr(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  throw new Error("expected a ParseError");
}

describe("BLT", () => {
  it("parses header, ballots, names and title", () => {
    const f = parseBlt(fixture("food-stv.blt"));
    expect(f.options).toEqual(["Oranges", "Pears", "Chocolate", "Strawberries", "Hamburgers"]);
    expect(f.seats).toBe(3);
    expect(f.title).toBe("Food for a party (Wikipedia STV example)");
    expect(f.ballots[0]).toEqual({ ranks: [["Oranges"], ["Pears"]], count: 4, line: 4 });
    expect(f.ballots.reduce((a, b) => a + b.count, 0)).toBe(20);
  });

  it("reads withdrawn candidates, equal ranks, ballot ids and skipped ranks", () => {
    const f = parseBlt(`3 1\n-2\n(b1) 2 1=3 - 2 0\n1 2 0\n0\n"A" "B"\n"C"\n"T"\n`);
    expect(f.withdrawn).toEqual(["B"]);
    expect(f.ballots[0]).toEqual({ ranks: [["A", "C"], ["B"]], count: 2, line: 3 });
    expect(f.title).toBe("T");
  });

  it("reports errors with their line", () => {
    expect(parseErr(() => parseBlt("3 x\n"))).toMatchObject({ line: 1, message: expect.stringContaining("header") });
    expect(parseErr(() => parseBlt("3 1\n1 1 2\n0\n"))).toMatchObject({ line: 2, message: "a ballot line must end with 0" });
    expect(parseErr(() => parseBlt("3 1\n1 1 4 0\n0\n"))).toMatchObject({ line: 2, message: expect.stringContaining('"4" is not a number from 1 to 3') });
    expect(parseErr(() => parseBlt("2 1\n1 1 0\n"))).toMatchObject({ message: expect.stringContaining("missing the `0` line") });
    expect(parseErr(() => parseBlt('2 1\n1 1 0\n0\n"A"\n'))).toMatchObject({ line: 4, message: expect.stringContaining("expected 2 quoted candidate names") });
  });
});

describe("plain text", () => {
  it("parses weights, ranks, equal ranks, comments and the options pragma", () => {
    const f = parseText("# title: T\n# options: A, B, C\n\n3: A > B=C  # a comment\nC\n0.5: \n", "irv");
    expect(f.title).toBe("T");
    expect(f.options).toEqual(["A", "B", "C"]);
    expect(f.ballots).toEqual([
      { ranks: [["A"], ["B", "C"]], count: 3, line: 4 },
      { ranks: [["C"]], count: 1, line: 5 },
      { ranks: [], count: 0.5, line: 6 },
    ]);
  });

  it("collects options in order of appearance without a pragma", () => {
    expect(parseText("B>A\nC", "schulze").options).toEqual(["B", "A", "C"]);
  });

  it("parses approval, plurality (ranked lines reduce to the first choice), score and proposal lines", () => {
    expect(parseText("2: A, B\n", "approval").ballots[0]).toEqual({ choices: ["A", "B"], count: 2, line: 1 });
    expect(parseText("A>B\n", "plurality").ballots[0]).toEqual({ choices: ["A"], count: 1, line: 1 });
    expect(parseText("A=5, B=2.5\n", "score").ballots[0]).toEqual({ scores: { A: 5, B: 2.5 }, count: 1, line: 1 });
    expect(parseText("4: Block\n", "proposal").ballots[0]).toEqual({ position: "block", count: 4, line: 1 });
  });

  it("reports errors with their line", () => {
    expect(parseErr(() => parseText("A\nx: B\n", "irv"))).toMatchObject({ line: 2, message: expect.stringContaining('invalid ballot weight "x"') });
    expect(parseErr(() => parseText("# options: A\nA\nZ\n", "irv"))).toMatchObject({ line: 3, message: expect.stringContaining('unknown option "Z"') });
    expect(parseErr(() => parseText("A>>B\n", "irv"))).toMatchObject({ line: 1, message: "empty option name in rank 2" });
    expect(parseErr(() => parseText("A,B\n", "irv"))).toMatchObject({ line: 1, message: expect.stringContaining("use '>'") });
    expect(parseErr(() => parseText("A=B>C\n", "plurality"))).toMatchObject({ line: 1, message: expect.stringContaining("one first choice") });
    expect(parseErr(() => parseText("\nA=x\n", "score"))).toMatchObject({ line: 2, message: 'expected option=score, got "A=x"' });
    expect(parseErr(() => parseText("maybe\n", "proposal"))).toMatchObject({ line: 1, message: expect.stringContaining("agree") });
    expect(parseErr(() => parseText("-1: A\n", "irv"))).toMatchObject({ line: 1, message: "weight must be ≥ 0, got -1" });
  });
});
