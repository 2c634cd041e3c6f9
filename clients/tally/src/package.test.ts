// The package stays pure: no dependencies, no Node APIs, nothing outside its own folder, so browsers and any
// Node load it as they find it.
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";

const dir = new URL("./", import.meta.url);
const sources = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "test-support.ts");

describe("@polity/tally", () => {
  it("imports only its own files", () => {
    const outside = sources.flatMap((f) =>
      [...readFileSync(new URL(f, dir), "utf8").matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)]
        .map((m) => m[1]).filter((spec) => !/^\.\/[\w-]+\.js$/.test(spec)).map((spec) => `${f}: ${spec}`));
    expect(sources.length).toBeGreaterThan(10);
    expect(outside).toEqual([]);
  });

  it("declares no dependencies", () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", dir), "utf8"));
    expect(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })).toEqual([]);
  });
});
