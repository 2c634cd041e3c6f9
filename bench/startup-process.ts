// One measured start: spawn a server, time until its health check answers 200, then read the resident memory
// of it and its child processes from /proc (Linux) right away and again after an idle pause.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

export interface StartMeasurement {
  /** Spawn until the first 200 from the health URL. */
  startMs: number;
  /** VmRSS of the process and its descendants, in MiB, just after it answered. */
  rssReadyMb: number;
  /** The same after the idle pause. */
  rssIdleMb: number;
}

export interface Launch {
  command: string[];
  env: Record<string, string>;
  cwd: string;
  healthUrl: string;
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export async function measureStart(launch: Launch, idleMs: number, timeoutMs = 120_000): Promise<StartMeasurement> {
  const output: string[] = [];
  const started = performance.now();
  const child = spawn(launch.command[0], launch.command.slice(1), { cwd: launch.cwd, env: { ...process.env, ...launch.env }, stdio: ["ignore", "ignore", "pipe"] });
  child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  try {
    await waitForHealth(launch.healthUrl, child, started + timeoutMs, output);
    const startMs = performance.now() - started;
    const rssReadyMb = treeRssMb(child.pid!);
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    if (child.exitCode !== null) throw new Error(`${launch.command.join(" ")} exited while idle:\n${output.join("")}`);
    return { startMs, rssReadyMb, rssIdleMb: treeRssMb(child.pid!) };
  } finally {
    await stop(child);
  }
}

async function waitForHealth(url: string, child: ChildProcess, deadline: number, output: string[]): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it answered ${url}:\n${output.join("")}`);
    if (performance.now() > deadline) throw new Error(`no 200 from ${url} in time:\n${output.join("")}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(killer);
}

/** Sum of VmRSS over `pid` and every process below it, in MiB. */
export function treeRssMb(pid: number): number {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name (2nd field) may hold spaces and parentheses: the parent pid follows the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  let kb = 0;
  for (const member of tree) {
    try {
      kb += Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${member}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      // Gone meanwhile.
    }
  }
  return kb / 1024;
}
