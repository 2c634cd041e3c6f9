// The web ballot's option order: listed unless the poll shuffles; shuffled, it is stable per poll and voter,
// differs between voters, and over many voters puts each option first about equally often.
import { describe, expect, it } from "vitest";
import { optionOrder, seededShuffle } from "../web/src/pages/option-order.js";

const options = ["a", "b", "c", "d", "e"];
const poll = (shuffleOptions: boolean) => ({ id: "6f1c2d3e-0000-4000-8000-000000000001", shuffleOptions, options });

describe("option order", () => {
  it("is the listed order when the poll does not shuffle", () => {
    expect(optionOrder(poll(false), "voter-1")).toEqual(options);
  });

  it("is a permutation that a voter keeps across visits, and another voter may not share", () => {
    const mine = optionOrder(poll(true), "voter-1");
    expect([...mine].sort()).toEqual(options);
    expect(optionOrder(poll(true), "voter-1")).toEqual(mine);
    const others = Array.from({ length: 20 }, (_, i) => optionOrder(poll(true), `voter-${i + 2}`).join(""));
    expect(new Set([mine.join(""), ...others]).size).toBeGreaterThan(5);
    expect(options).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("puts each option first about equally often across voters", () => {
    const firsts = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const first = seededShuffle(options, `poll\nvoter-${i}`)[0];
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    for (const id of options) expect(firsts.get(id)).toBeGreaterThan(850);
  });
});
