// A config file polityd cannot use is one plain line on stderr and exit code 2, for every command: no stack
// trace, no YAML code frame, and nothing started.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/server.js";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Root reads any file: the unreadable case runs as nobody then, which still reads the repository.
const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function polityd(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repoRoot, "bin", "polityd"), args, {
      cwd,
      env: { ...process.env, POLITY_PORT: "0", POLITY_ADMIN_PORT: "0", POLITY_DATA_DIR: join(cwd, "data"), ...env },
      stdio: ["ignore", "pipe", "pipe"],
      ...asNobody,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    // A config that loaded would start a server: stop it, the test then fails on the exit code.
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("config file errors", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "polity-config-errors-"));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, "broken.yaml"), "port: [8080\nhost: x\n");
    writeFileSync(join(dir, "list.yaml"), "- port\n- host\n");
    writeFileSync(join(dir, "secret.yaml"), "port: 8080\n", { mode: 0o600 });
    chmodSync(join(dir, "secret.yaml"), 0o000);
    mkdirSync(join(dir, "folder.yaml"));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, string[], Record<string, string>, string]> = [
    ["a missing file", ["--config", "./missing.yaml"], {}, "polityd: cannot read config file ./missing.yaml: no such file"],
    ["a missing file named by POLITY_CONFIG, for migrate", ["migrate"], { POLITY_CONFIG: "./gone.yml" }, "polityd: cannot read config file ./gone.yml: no such file"],
    ["an unreadable file", ["--config", "secret.yaml"], {}, "polityd: cannot read config file secret.yaml: permission denied"],
    ["a directory", ["migrate", "--config", "folder.yaml"], {}, "polityd: cannot read config file folder.yaml: it is a directory"],
    ["invalid YAML (line and column named)", ["--config", "broken.yaml"], {}, "polityd: cannot read config file broken.yaml: invalid YAML: "],
    ["YAML that is not a mapping", ["--config", "list.yaml"], {}, "polityd: cannot read config file list.yaml: expected a mapping of settings"],
  ];

  // Each case spawns polityd (seconds of module loading on a busy machine): side by side.
  it.concurrent.each(cases)("%s is one line and exit code 2", async (what, args, env, expected) => {
    const run = await polityd(args, dir, env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(expected)).toBe(true);
    expect(run.stderr).not.toMatch(/\n\s+at |Error:/);
    if (what.startsWith("invalid YAML")) expect(run.stderr).toMatch(/at line \d+, column \d+\n$/);
  });
});
