// A config file polityd cannot use is one plain line on stderr and exit code 2, for every command: no stack
// trace, no YAML code frame, and nothing started.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../sys/core/config.js";
import { runProcess } from "../support/run-process.js";
import { repoRoot } from "../support/server.js";

// Root reads any file: the unreadable case runs as nobody then, which still reads the repository.
const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function polityd(args: string[], cwd: string, env: Record<string, string> = {}) {
  const settings = { POLITY_PORT: "0", POLITY_ADMIN_PORT: "0", POLITY_DATA_DIR: join(cwd, "data"), ...env };
  // A config that loaded would start a server: killed, the test then fails on the exit code.
  return runProcess([join(repoRoot, "bin", "polityd"), ...args], { cwd, env: settings, timeoutMs: 120_000, ...asNobody });
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

  // Every way a file can be unusable, through the loader every command uses.
  it.each([
    ["a missing file", "missing.yaml", "no such file"],
    ["a directory", "folder.yaml", "it is a directory"],
    ["invalid YAML", "broken.yaml", /^invalid YAML: .* at line 2, column 1$/],
    ["YAML that is not a mapping", "list.yaml", "expected a mapping of settings (key: value lines)"],
  ])("%s is a ConfigError of one line", (_what, name, reason) => {
    const file = join(dir, name);
    let error: unknown;
    try {
      loadConfig({ file, env: {} });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith(`cannot read config file ${file}: `)).toBe(true);
    const said = message.slice(`cannot read config file ${file}: `.length);
    if (typeof reason === "string") expect(said).toBe(reason);
    else expect(said).toMatch(reason);
  });

  // The command's side: stderr, exit code, no stack trace. Each spawn loads the whole server (seconds on a busy
  // machine), so a few, side by side: the serving command, migrate through POLITY_CONFIG, an unreadable file.
  it.concurrent.each([
    ["polityd --config <missing>", ["--config", "./missing.yaml"], {}, "polityd: cannot read config file ./missing.yaml: no such file"],
    ["POLITY_CONFIG=<invalid YAML> polityd migrate", ["migrate"], { POLITY_CONFIG: "broken.yaml" }, "polityd: cannot read config file broken.yaml: invalid YAML: "],
    ["polityd --config <unreadable>", ["--config", "secret.yaml"], {}, "polityd: cannot read config file secret.yaml: permission denied"],
  ])("%s: one line on stderr, exit code 2", async (_what, args, env, expected) => {
    const run = await polityd(args as string[], dir, env as Record<string, string>);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(expected as string)).toBe(true);
    expect(run.stderr).not.toMatch(/\n\s+at |Error:/);
  }, 150_000);
});
