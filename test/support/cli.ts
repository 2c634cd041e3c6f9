// Runs the real `polity` binary (node_modules/.bin/polity, as a user would) and collects what it printed.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./server.js";

export const polityBin = join(repoRoot, "node_modules", ".bin", "polity");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runPolity(args: string[], env: Record<string, string | undefined>, input = ""): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(polityBin, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}
