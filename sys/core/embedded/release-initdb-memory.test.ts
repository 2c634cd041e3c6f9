// The collection after initdb must hand a dropped WASM memory back to the OS, as it does PGlite's initdb's.
import { describe, expect, it } from "vitest";
import { releaseInitdbMemory } from "./release-initdb-memory.js";

const MIB = 1024 * 1024;

describe("releaseInitdbMemory", () => {
  it("frees a WebAssembly memory nothing refers to any more", async () => {
    const pages = (256 * MIB) / 65_536;
    let memory: WebAssembly.Memory | undefined = new WebAssembly.Memory({ initial: pages });
    new Uint8Array(memory.buffer).fill(1); // resident, as initdb's pages are
    const held = process.memoryUsage().rss;
    memory = undefined;
    releaseInitdbMemory();
    // V8 unmaps a collected buffer's pages on a background thread.
    await expect.poll(() => held - process.memoryUsage().rss, { timeout: 5_000 }).toBeGreaterThan(200 * MIB);
  });

  it("can run again (each created cluster calls it)", () => {
    expect(() => releaseInitdbMemory()).not.toThrow();
  });
});
