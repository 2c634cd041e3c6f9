// bin/polityd-prod, the production launcher (also the image's polityd), with a fake node that prints what it was
// given: the bundle from its own dist/, the project's Node before the one on PATH, and the small young generation
// only on the embedded database and only when NODE_OPTIONS does not size it already.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../support/run-process.js";
import { repoRoot } from "../support/server.js";

const PRINT_ARGS = `#!/bin/sh\nfor a in "$0" "$@"; do printf '%s\\n' "$a"; done\n`;

describe("bin/polityd-prod", () => {
  let root: string;
  let pathBin: string;
  const launcher = () => join(root, "bin", "polityd-prod");
  const bundle = () => join(root, "dist", "sys", "cmd", "polityd.bundle.js");
  const projectNode = () => join(root, "node_modules", "node", "bin", "node");

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "polityd-prod-"));
    for (const dir of ["bin", "dist/sys/cmd", "node_modules/node/bin", "path-bin"]) mkdirSync(join(root, dir), { recursive: true });
    copyFileSync(join(repoRoot, "bin", "polityd-prod"), launcher());
    writeFileSync(bundle(), "");
    writeFileSync(projectNode(), PRINT_ARGS, { mode: 0o755 });
    pathBin = join(root, "path-bin");
    writeFileSync(join(pathBin, "node"), PRINT_ARGS.replace('"$0"', "PATH-node"), { mode: 0o755 });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function launch(env: Record<string, string>, args: string[] = []) {
    const run = await runProcess(["/bin/sh", launcher(), ...args], {
      cwd: root, env: { PATH: `${pathBin}:/usr/bin:/bin`, DATABASE_URL: "", SYS_DATABASE_URL: "", MOD_DATABASE_URL: "", NODE_OPTIONS: "", ...env },
    });
    return { ...run, argv: run.stdout.split("\n").filter(Boolean) };
  }

  it("runs the bundle beside it on the project's Node, small young generation on the embedded database", async () => {
    const { code, argv } = await launch({}, ["--tiers", "sys", "two words"]);
    expect(code).toBe(0);
    expect(argv).toEqual([projectNode(), "--experimental-async-context-frame", "--max-semi-space-size=2", bundle(), "--tiers", "sys", "two words"]);
  });

  it.each(["DATABASE_URL", "SYS_DATABASE_URL", "MOD_DATABASE_URL"])("keeps V8's default young generation when %s is set", async (name) => {
    const { argv } = await launch({ [name]: "postgres://db/polity" });
    expect(argv).toEqual([projectNode(), "--experimental-async-context-frame", bundle()]);
  });

  it("leaves a young generation sized in NODE_OPTIONS alone (a flag on the command line would win over it)", async () => {
    const { argv } = await launch({ NODE_OPTIONS: "--max-old-space-size=512 --max-semi-space-size=8" });
    expect(argv).not.toContain("--max-semi-space-size=2");
  });

  it("falls back to the node on PATH where the project's Node is not installed (the image)", async () => {
    rmSync(projectNode());
    try {
      const { argv } = await launch({});
      expect(argv[0]).toBe("PATH-node");
      expect(argv.slice(1)).toEqual(["--experimental-async-context-frame", "--max-semi-space-size=2", bundle()]);
    } finally {
      writeFileSync(projectNode(), PRINT_ARGS, { mode: 0o755 });
    }
  });

  it("says to build first when dist/ holds no bundle", async () => {
    rmSync(bundle());
    try {
      const { code, stdout, stderr } = await launch({});
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toContain("run `npm run build` first");
    } finally {
      writeFileSync(bundle(), "");
    }
  });
});
