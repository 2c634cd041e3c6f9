// A stage for tests of the real `polity` binary: an in-process server with a community run by an admin and one
// plain member, both logged in through `polity login` under their own config directory in a temporary home.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { EXIT } from "../../clients/src/cli/exit.js";
import type { PolityClient } from "../../clients/src/core.js";
import { runPolity, type CliRun } from "./cli.js";
import { startCommunityStage } from "./communities.js";
import type { TestServer } from "./server.js";

export type Who = "admin" | "member";
type Person = { email: string; password: string };

export interface CliStage {
  /** Set once the file's beforeAll has run. */
  server: TestServer;
  admin: PolityClient;
  member: PolityClient;
  communityId: string;
  home: string;
  /** The binary's environment as `who`: their own config directory, nothing inherited from the caller's shell. */
  env(who: Who): Record<string, string>;
  polity(args: string[], who?: Who, input?: string): Promise<CliRun>;
  /** Runs and expects success, showing stderr when not. */
  ok(args: string[], who?: Who): Promise<CliRun>;
  /** Runs with --json, expects success and parses stdout. */
  json<T>(args: string[], who?: Who): Promise<T>;
}

/** Registers the file's (or describe block's) beforeAll/afterAll that start and stop the stage. */
export function useCliStage(name: string, people: { admin: Person; member: Person }, serverEnv: Record<string, string> = {}): CliStage {
  // Filled in by beforeAll; the functions read it when they run.
  const stage = { home: "" } as CliStage;
  Object.assign(stage, {
    env: (who: Who) => ({
      XDG_CONFIG_HOME: join(stage.home, who), HOME: stage.home, POLITY_SERVER: stage.server.url, POLITY_API_KEY: "", POLITY_TOKEN: "", POLITY_COMMUNITY: "",
    }),
    polity: (args: string[], who: Who = "admin", input = "") => runPolity(args, stage.env(who), input),
    ok: async (args: string[], who: Who = "admin") => {
      const run = await stage.polity(args, who);
      expect(run.code, `polity ${args.join(" ")}\n${run.stderr}`).toBe(EXIT.ok);
      return run;
    },
    json: async <T>(args: string[], who: Who = "admin") => JSON.parse((await stage.ok(["--json", ...args], who)).stdout) as T,
  });

  beforeAll(async () => {
    ({ server: stage.server, admin: stage.admin, member: stage.member, communityId: stage.communityId } = await startCommunityStage(people.admin, people.member, serverEnv));
    stage.home = mkdtempSync(join(tmpdir(), `polity-${name}-`));
    for (const who of ["admin", "member"] as const) {
      const login = await stage.polity(["login", "--email", people[who].email, "--password-stdin"], who, `${people[who].password}\n`);
      expect(login.code, login.stderr).toBe(EXIT.ok);
    }
  }, 120_000);

  afterAll(async () => {
    await stage.server?.stop();
    if (stage.home) rmSync(stage.home, { recursive: true, force: true });
  });
  return stage;
}
