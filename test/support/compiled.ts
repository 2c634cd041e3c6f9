// The compiled server for tests and benchmarks: `scripts/build.ts` into a directory of the caller's own (so runs
// never fight over dist/), then plain node on it — the project's Node 22, no TypeScript loader.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { runProcess } from "./run-process.js";
import { repoRoot } from "./server.js";

export const projectNode = join(repoRoot, "node_modules", "node", "bin", "node");
// The same flag as bin/polityd and the image's polityd: AsyncLocalStorage on async context frames.
export const nodeFlags = ["--experimental-async-context-frame"];
// What bin/polityd-prod adds when no database URL is set (the embedded database, sized for a small machine).
export const embeddedNodeFlags = ["--max-semi-space-size=2"];

export interface CompiledBuild {
  dir: string;
  /** The command line that runs the compiled polityd (the one-file bundle, as bin/polityd-prod): node, its flags, the entry file. */
  polityd: string[];
  /** The command line that runs the compiled polity CLI. */
  polity: string[];
  remove(): void;
}

/** Compiles server and CLI into node_modules/.cache/<name> (the web GUI copied as web/dist has it). */
export async function buildCompiled(name: string): Promise<CompiledBuild> {
  const dir = join(repoRoot, "node_modules", ".cache", name);
  const run = await runProcess([projectNode, "--import", "tsx", join(repoRoot, "scripts", "build.ts"), "--no-web", "--out-dir", dir], { cwd: repoRoot });
  if (run.code !== 0) throw new Error(`the build failed (exit ${run.code}):\n${run.stdout}${run.stderr}`);
  return {
    dir,
    polityd: [projectNode, ...nodeFlags, join(dir, "sys", "cmd", "polityd.bundle.js")],
    polity: [projectNode, join(dir, "clients", "src", "cli", "main.js")],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
