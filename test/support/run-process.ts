// Runs a command to its end and keeps what it printed: for tests of command-line programs (polityd, polity).
import { spawn, type SpawnOptions } from "node:child_process";

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions extends Pick<SpawnOptions, "cwd" | "uid" | "gid"> {
  /** Added to this process's environment. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Killed (SIGKILL) after this long: a command that should have stopped at once but serves instead. */
  timeoutMs?: number;
}

export function runProcess(command: string[], options: RunOptions = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const { env, input = "", timeoutMs, ...spawnOptions } = options;
    const child = spawn(command[0], command.slice(1), { ...spawnOptions, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk));
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(input);
  });
}
