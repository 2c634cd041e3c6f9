// `polity tally` on the fixture files of @polity/tally (clients/tally/src/fixtures) (published examples, sources named in them).
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runCli } from "./program.js";
import type { Io } from "./io.js";

const fixture = (name: string) => fileURLToPath(new URL(`../../tally/src/fixtures/${name}`, import.meta.url));

async function polity(args: string[], progress = false) {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: {},
    interactive: false,
    progress,
    readStdin: async () => "",
    prompt: async () => {
      throw new Error("no prompts in tests");
    },
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

describe("polity tally", () => {
  it("tabulates Wikipedia's STV example from a BLT file, round by round", async () => {
    const res = await polity(["tally", fixture("food-stv.blt"), "--method", "stv"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("winners: Chocolate, Oranges, Strawberries");
    expect(res.stdout).toContain("quota 6 (droop)");
    expect(res.stdout).toMatch(/round 2: surplus of Chocolate \(6\)/);
    expect(res.stdout).toMatch(/round 3: exclusion of Pears; elected Oranges/);
  });

  it("prints the Result as JSON with --json (before or after the subcommand)", async () => {
    for (const args of [["tally", fixture("tennessee.txt"), "--method", "irv", "--json"], ["--json", "tally", fixture("tennessee.txt"), "--method", "irv"]]) {
      const res = await polity(args);
      expect(res.code).toBe(0);
      const out = JSON.parse(res.stdout);
      expect(out.winners).toEqual(["Knoxville"]);
      expect(out.ranking).toEqual(["Knoxville", "Memphis", "Nashville", "Chattanooga"]);
      expect(out.rounds).toHaveLength(3);
    }
  });

  it("prints Schulze's matrices and ranking", async () => {
    const res = await polity(["tally", fixture("schulze-wikipedia.txt"), "--method", "schulze"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("ranking: 1. E  2. A  3. C  4. B  5. D");
    expect(res.stdout).toContain("strongest paths");
    const json = JSON.parse((await polity(["tally", fixture("schulze-wikipedia.txt"), "--method", "schulze", "--json"])).stdout);
    expect(json.strongestPaths[4]).toEqual([25, 28, 28, 31, 0]);
  });

  it("reads BLT rankings for plurality and approval, and honours --seats and --format", async () => {
    const res = await polity(["--json", "tally", fixture("food-stv.blt"), "--method", "plurality", "--seats", "1"]);
    expect(JSON.parse(res.stdout).winners).toEqual(["Chocolate"]);
    const approval = await polity(["--json", "tally", fixture("approval.txt"), "--method", "approval", "--format", "text"]);
    expect(JSON.parse(approval.stdout).totals).toEqual({ Red: 3, Green: 5.5, Blue: 3.5 });
  });

  it("exits 1 with file:line on an invalid ballot or a parse error", async () => {
    const res = await polity(["tally", fixture("invalid.txt"), "--method", "irv"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toBe(`error: ${fixture("invalid.txt")}:4: ranks[2][0]: option "B" is ranked twice (ranks 1 and 3)\n`);
    const blt = await polity(["tally", fixture("invalid.txt"), "--method", "stv", "--format", "blt"]);
    expect(blt.code).toBe(1);
    expect(blt.stderr).toMatch(/^error: .*invalid\.txt:3: expected the header/);
  });

  it("exits 2 on usage errors", async () => {
    expect((await polity(["tally", fixture("tennessee.txt")])).code).toBe(2); // --method is required
    expect((await polity(["tally", fixture("tennessee.txt"), "--method", "borda"])).code).toBe(2);
    expect((await polity(["tally", fixture("tennessee.txt"), "--method", "stv", "--seats", "0"])).code).toBe(2);
    expect((await polity(["tally", fixture("tennessee.txt"), "--method", "irv", "--seats", "2"])).code).toBe(2);
    expect((await polity(["tally", fixture("food-stv.blt"), "--method", "score"])).code).toBe(2);
    const missing = await polity(["tally", "/nonexistent/ballots.txt", "--method", "irv"]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining("cannot read /nonexistent/ballots.txt") });
  });

  it("runs as the installed `polity` binary", async () => {
    const bin = fileURLToPath(new URL("../../bin/polity", import.meta.url));
    const { stdout } = await promisify(execFile)(bin, ["tally", fixture("tennessee.txt"), "--method", "schulze", "--json"]);
    expect(JSON.parse(stdout).winners).toEqual(["Nashville"]);
    const failed = await promisify(execFile)(bin, ["tally", fixture("invalid.txt"), "--method", "irv"]).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("invalid.txt:4:");
  });

  it("shows its phases on a terminal's stderr, erased before the report, and nothing when not a terminal", async () => {
    const quiet = await polity(["tally", fixture("food-stv.blt"), "--method", "stv"]);
    const shown = await polity(["tally", fixture("food-stv.blt"), "--method", "stv"], true);
    expect(quiet.stderr).toBe("");
    expect(shown.stdout).toBe(quiet.stdout);
    expect(shown.stderr).toMatch(/^\r\x1b\[Ktally .*food-stv\.blt: reading\r\x1b\[Ktally .*: parsing .* MB\r\x1b\[Ktally .*: counting \d+ ballot lines\r\x1b\[K$/);
  });
});
