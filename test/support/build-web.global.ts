// Vitest global setup: builds web/dist once, before any test file runs. Browser test files run in parallel
// workers; each rebuilding the GUI would empty web/dist under another file's running server.
import { build } from "vite";
import { join } from "node:path";

export default async function setup(): Promise<void> {
  await build({ configFile: join(import.meta.dirname, "..", "..", "web", "vite.config.ts"), logLevel: "warn" });
}
