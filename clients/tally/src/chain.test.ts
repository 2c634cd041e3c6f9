import { describe, expect, it } from "vitest";
import { canonicalJson, entryHash, verifyChain, type ChainEntry } from "./chain.js";

async function buildLog(n: number): Promise<ChainEntry[]> {
  const out: ChainEntry[] = [];
  let prev = "";
  for (let i = 1; i <= n; i++) {
    const e = { sequence: i, kind: "ballot_cast", time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), actorId: `a${i}`, pollId: "p", payload: canonicalJson({ n: i, choice: "x" }), prevHash: prev };
    const hash = await entryHash(e);
    out.push({ ...e, hash });
    prev = hash;
  }
  return out;
}

describe("canonical JSON", () => {
  it("sorts keys, drops whitespace and undefined, prints numbers and strings as JSON does", () => {
    expect(canonicalJson({ b: [1, 2.5, "x\n"], a: { d: null, c: true }, u: undefined })).toBe('{"a":{"c":true,"d":null},"b":[1,2.5,"x\\n"]}');
    expect(canonicalJson({ z: 1e21, y: -0 })).toBe('{"y":0,"z":1e+21}');
  });
  it("refuses what JSON cannot carry faithfully", () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ x: 1n })).toThrow(TypeError);
    expect(() => canonicalJson([undefined])).toThrow(TypeError);
  });
});

describe("chain verification", () => {
  it("accepts an intact log and its head", async () => {
    const log = await buildLog(5);
    expect(await verifyChain(log, 5)).toBeUndefined();
    expect(log[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });
  it("names a tampered payload", async () => {
    const log = await buildLog(5);
    log[2] = { ...log[2], payload: canonicalJson({ n: 3, choice: "y" }) };
    expect(await verifyChain(log, 5)).toMatchObject({ sequence: 3, problem: expect.stringContaining("hash") });
  });
  it("names a tampered entry whose hash was recomputed, at the next entry", async () => {
    const log = await buildLog(5);
    const forged = { ...log[1], actorId: "mallory" };
    log[1] = { ...forged, hash: await entryHash(forged) };
    expect(await verifyChain(log, 5)).toMatchObject({ sequence: 3, problem: expect.stringContaining("prev_hash") });
  });
  it("names a deleted entry, and a deleted tail through the head", async () => {
    const log = await buildLog(5);
    expect(await verifyChain([log[0], log[1], log[3], log[4]], 5)).toMatchObject({ sequence: 3, problem: expect.stringContaining("missing") });
    expect(await verifyChain(log.slice(0, 4), 5)).toMatchObject({ sequence: 5 });
  });
  it("names a reordered entry", async () => {
    const log = await buildLog(5);
    expect(await verifyChain([log[0], log[2], log[1], log[3], log[4]], 5)).toMatchObject({ sequence: 2 });
    // Renumbered to look gap-free: the hashes give it away.
    const swapped = [log[0], { ...log[2], sequence: 2 }, { ...log[1], sequence: 3 }, log[3], log[4]];
    expect(await verifyChain(swapped, 5)).toMatchObject({ sequence: 2 });
  });
  it("refuses a payload that is not canonical even if the hash matches it", async () => {
    const log = await buildLog(2);
    const e = { ...log[1], payload: '{"n": 2}' };
    expect(await verifyChain([log[0], { ...e, hash: await entryHash(e) }])).toMatchObject({ sequence: 2, problem: expect.stringContaining("canonical") });
  });
});
