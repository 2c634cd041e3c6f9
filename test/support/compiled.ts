// The compiled server for tests and benchmarks: `scripts/build.ts` into a directory of the caller's own (so runs
// never fight over dist/), then plain node on it — the project's Node 22, no TypeScript loader.
import { chmodSync, copyFileSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { runProcess } from "./run-process.js";
import { repoRoot } from "./server.js";

export const projectNode = join(repoRoot, "node_modules", "node", "bin", "node");

export interface CompiledBuild {
  /** The build's own root, laid out as a deployed checkout: dist/, bin/polityd-prod, node_modules/node. */
  dir: string;
  /** Its dist/: what `npm run build` writes. */
  dist: string;
  /** The command that runs the compiled polityd: bin/polityd-prod itself, as production runs it. */
  polityd: string[];
  /** The command line that runs the compiled polity CLI. */
  polity: string[];
  remove(): void;
}

/** Compiles server and CLI into node_modules/.cache/<name>/dist (the web GUI copied as web/dist has it). */
export async function buildCompiled(name: string): Promise<CompiledBuild> {
  const dir = join(repoRoot, "node_modules", ".cache", name);
  const dist = join(dir, "dist");
  rmSync(dir, { recursive: true, force: true });
  const run = await runProcess([projectNode, "--import", "tsx", join(repoRoot, "scripts", "build.ts"), "--no-web", "--out-dir", dist], { cwd: repoRoot });
  if (run.code !== 0) throw new Error(`the build failed (exit ${run.code}):\n${run.stdout}${run.stderr}`);
  // The launcher finds dist/ and the project's Node from where it sits, so it gets a copy, not a link.
  mkdirSync(join(dir, "bin"));
  copyFileSync(join(repoRoot, "bin", "polityd-prod"), join(dir, "bin", "polityd-prod"));
  chmodSync(join(dir, "bin", "polityd-prod"), 0o755);
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(repoRoot, "node_modules", "node"), join(dir, "node_modules", "node"));
  return {
    dir,
    dist,
    polityd: [join(dir, "bin", "polityd-prod")],
    polity: [projectNode, join(dist, "clients", "src", "cli", "main.js")],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
