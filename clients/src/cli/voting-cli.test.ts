// The community and voting commands against a real server (in-process host, real transport):
// communities, members, polls, ballots per method, delegation, live results and the activity log. Real
// PostgreSQL, a database of its own.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessServer, type TestServer } from "../../../test/support/server.js";
import { signUpVerified, type Person } from "../../../test/support/people.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { runCli } from "./program.js";
import type { Io } from "./io.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };

describe("polity communities, polls, vote, delegate, results, activity", () => {
  let server: TestServer;
  let database: TestDatabase;
  let home: string;
  let bob: Person;
  let carol: Person;

  /** Runs the CLI in-process as someone: "admin" uses stored login in its own config dir, others a token. */
  async function polity(who: "admin" | Person, args: string[], stdin = "", progress = false) {
    let stdout = "";
    let stderr = "";
    const env: Record<string, string> = who === "admin"
      ? { XDG_CONFIG_HOME: join(home, "admin"), POLITY_SERVER: server.url }
      : { XDG_CONFIG_HOME: join(home, who.email), POLITY_SERVER: server.url, POLITY_TOKEN: who.token };
    const io: Io = {
      stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env, interactive: false, progress,
      readStdin: async () => stdin, prompt: async () => { throw new Error("no prompts in tests"); },
    };
    const code = await runCli(args, io);
    return { code, stdout, stderr };
  }
  async function ok(who: "admin" | Person, args: string[]) {
    const res = await polity(who, args);
    expect(res.code, `polity ${args.join(" ")}\n${res.stderr}`).toBe(0);
    return res;
  }
  const json = async <T>(who: "admin" | Person, args: string[]) => JSON.parse((await ok(who, ["--json", ...args])).stdout) as T;

  beforeAll(async () => {
    database = await createTestDatabase("voting_cli");
    server = await startInProcessServer({ DATABASE_URL: database.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    home = mkdtempSync(join(tmpdir(), "polity-voting-cli-"));
    bob = await signUpVerified(server.url, server.logs, "bob@example.org");
    carol = await signUpVerified(server.url, server.logs, "carol@example.org");
    const login = await polity("admin", ["login", "--email", ADMIN.email, "--password-stdin"], `${ADMIN.password}\n`);
    expect(login.code, login.stderr).toBe(0);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("needs a community before any voting command, without calling the server", async () => {
    const res = await polity("admin", ["polls", "list"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no community: pass --community/);
  });

  it("runs a ranked poll from creation to the final result, with live updates", async () => {
    const { org } = await json<{ org: { id: string } }>("admin", ["orgs", "create", "garden-coop", "--name", "Garden Coop"]);
    const { community } = await json<{ community: { id: string; slug: string } }>("admin",
      ["communities", "create", "allotments", "--org", "garden-coop", "--name", "Allotments", "--description", "Who grows what"]);
    expect(community.slug).toBe("allotments");
    expect((await ok("admin", ["communities", "list", "--org", org.id])).stdout).toMatch(/allotments/);
    expect((await ok("admin", ["communities", "use", "allotments"])).stdout).toContain(community.id);
    expect((await ok("admin", ["communities", "list"])).stdout).toMatch(/│ allotments +│.*│ yes +│/);
    expect((await ok("admin", ["communities", "show"])).stdout).toContain("Who grows what");

    // Bob and Carol join by slug; the admin sees them in the member list.
    for (const p of [bob, carol]) expect((await ok(p, ["communities", "join", "allotments"])).stdout).toMatch(/joined allotments/);
    const members = await json<{ members: Array<{ accountId: string; role: string }> }>("admin", ["members", "list"]);
    expect(members.members.map((m) => m.accountId)).toEqual(expect.arrayContaining([bob.accountId, carol.accountId]));

    const created = await json<{ poll: { id: string; state: string } }>("admin", ["polls", "create", "--title", "Which fruit trees?", "--method", "irv",
      "--option", "a:Apples", "--option", "b:Bananas", "--option", "c:Cherries", "--results", "live", "--topic", "trees"]);
    const pollId = created.poll.id;
    expect(created.poll.state).toBe("POLL_STATE_DRAFT");
    await ok("admin", ["polls", "open", pollId]);
    expect((await ok("admin", ["polls", "list", "--state", "open"])).stdout).toContain("Which fruit trees?");
    expect((await ok(bob, ["polls", "show", pollId, "--community", "allotments"])).stdout).toMatch(/Bananas/);

    // Wrong flag, unknown option: usage errors, nothing sent.
    const wrong = await polity(bob, ["vote", pollId, "--community", community.id, "--option", "a"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/takes --rank/);
    expect((await polity(bob, ["vote", pollId, "--community", community.id, "--rank", "a>z"])).stderr).toMatch(/unknown option "z"/);

    // A watcher sees every vote, then the final result, and stops by itself when the poll closes.
    const watching = polity("admin", ["--json", "results", pollId, "--watch"]);
    await new Promise((r) => setTimeout(r, 500));
    expect((await ok(bob, ["vote", pollId, "--community", community.id, "--rank", "b>a>c"])).stdout).toMatch(/recorded: b > a > c/);
    await ok(carol, ["vote", pollId, "--community", "allotments", "--rank", "b>c"]);
    await ok("admin", ["vote", pollId, "--rank", "a>c>b"]);
    const shown = (await ok(bob, ["vote", pollId, "--community", community.id])).stdout;
    expect(shown).toMatch(/b > a > c/); // shows the ballot
    expect(shown).toMatch(/eligible\s*│\s*yes/);
    expect(await json<{ eligible: boolean }>(bob, ["vote", pollId, "--community", community.id])).toMatchObject({ eligible: true });
    const live = await ok("admin", ["results", pollId]);
    expect(live.stdout).toMatch(/ballots: 3\/|live/);

    const closed = await ok("admin", ["polls", "close", pollId]);
    expect(closed.stdout).toMatch(/Elected: Bananas/);
    expect(closed.stdout).toMatch(/█/);
    const watch = await watching;
    expect(watch.code, watch.stderr).toBe(0);
    const updates = watch.stdout.trim().split("\n").map((l) => JSON.parse(l) as { state: string; ballots: number; results?: { final: boolean; winners: string[] } });
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...updates.map((u) => u.ballots))).toBe(3);
    expect(updates.at(-1)).toMatchObject({ state: "POLL_STATE_CLOSED", results: { final: true, winners: ["b"] } });

    const after = await polity(bob, ["vote", pollId, "--community", community.id, "--rank", "a"]);
    expect(after.code).toBe(1);
    // A sentence and the next step for a person; the code with --json.
    expect(after.stderr).toMatch(/^error: Poll .* is closed\.\n.*polity polls show/);
    expect(after.stderr).not.toMatch(/FAILED_PRECONDITION/);
    const afterJson = await polity(bob, ["--json", "vote", pollId, "--community", community.id, "--rank", "a"]);
    expect(JSON.parse(afterJson.stderr)).toMatchObject({ error: { code: "FAILED_PRECONDITION" } });
    const final = await json<{ results: { final: boolean; winners: string[] } }>(bob, ["results", pollId, "--community", community.id]);
    expect(final.results).toMatchObject({ final: true, winners: ["b"] });
  });

  it("votes in a proposal poll made from a YAML file, retracts, and delegates", async () => {
    const file = join(home, "poll.yaml");
    writeFileSync(file, "title: Buy a shared tiller\nmethod: proposal\nquorum: 10%\nresultVisibility: live\n");
    const { poll } = await json<{ poll: { id: string; method: string } }>("admin", ["polls", "create", "--from-file", file, "--topic", "tools"]);
    expect(poll.method).toBe("VOTING_METHOD_PROPOSAL");
    await ok("admin", ["polls", "open", poll.id]);

    // Carol delegates to Bob (found by name) for the topic; Bob sees it.
    await ok(carol, ["delegate", "bob", "--topic", "tools", "--community", "allotments"]);
    const mine = await json<{ outgoing: Array<{ delegateId: string; topic: string }> }>(carol, ["delegations", "--community", "allotments"]);
    expect(mine.outgoing).toEqual([expect.objectContaining({ delegateId: bob.accountId, topic: "tools" })]);
    const his = await json<{ incoming: Array<{ delegatorId: string }> }>(bob, ["delegations", "--community", "allotments"]);
    expect(his.incoming.map((d) => d.delegatorId)).toContain(carol.accountId);
    expect((await ok(bob, ["delegations", "--community", "allotments"])).stdout).toMatch(/Delegating to you/);

    await ok(bob, ["vote", poll.id, "--community", "allotments", "--choice", "agree"]);
    await ok("admin", ["vote", poll.id, "--choice", "block"]);
    await ok("admin", ["vote", poll.id, "--retract"]);
    const res = await json<{ poll: unknown; results: { final: boolean; delegatedWeight: number; ballots: number } }>("admin", ["polls", "close", poll.id]);
    expect(res.results).toMatchObject({ final: true, ballots: 1, delegatedWeight: 1 });

    await ok(carol, ["delegate", "--revoke", "--topic", "tools", "--community", "allotments"]);
    expect((await json<{ outgoing: unknown[] }>(carol, ["delegations", "--community", "allotments"])).outgoing).toEqual([]);
  });

  it("audits a community named by slug, with a progress line only on a terminal", async () => {
    const quiet = await polity("admin", ["audit", "allotments"]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe("");
    expect(quiet.stdout).toContain("OK: the log and every recount verify");
    const shown = await polity("admin", ["audit", "allotments"], "", true);
    expect(shown.stdout).toBe(quiet.stdout);
    expect(shown.stderr).toMatch(/^\r\x1b\[Kaudit allotments: \d+ of \d+ entries downloaded \(100%\)\r\x1b\[K$/);
  });

  it("lists the activity log, all of it, in order", async () => {
    const log = await json<{ entries: Array<{ sequence: string; kind: string }> }>("admin", ["activity", "allotments"]);
    const kinds = log.entries.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["ACTIVITY_KIND_POLL_CREATED", "ACTIVITY_KIND_POLL_OPENED", "ACTIVITY_KIND_BALLOT_CAST",
      "ACTIVITY_KIND_BALLOT_RETRACTED", "ACTIVITY_KIND_DELEGATION_CREATED", "ACTIVITY_KIND_POLL_CLOSED"]));
    expect(log.entries.map((e) => Number(e.sequence))).toEqual(log.entries.map((_, i) => i + 1));
    // --limit shows the newest entries: the last three of the log, by sequence.
    const newest = await json<{ entries: Array<{ sequence: string }> }>("admin", ["activity", "--limit", "3"]);
    expect(newest.entries.map((e) => e.sequence)).toEqual(log.entries.slice(-3).map((e) => e.sequence));
    const table = (await ok("admin", ["activity", "--limit", "3"])).stdout;
    expect(table).not.toMatch(/poll-created/);
    expect(table).toContain(log.entries.at(-1)!.sequence);
  });

  it("manages members: set-role, invite and accept, leave", async () => {
    await ok("admin", ["members", "set-role", bob.accountId, "moderator"]);
    const mods = await json<{ members: Array<{ accountId: string }> }>("admin", ["members", "list", "--role", "moderator"]);
    expect(mods.members.map((m) => m.accountId)).toEqual([bob.accountId]);
    await ok(carol, ["communities", "leave", "allotments"]);
    const invite = await json<{ token: string }>("admin", ["members", "invite", "--role", "observer"]);
    expect((await ok(carol, ["members", "accept", invite.token])).stdout).toMatch(/as observer/);
    // An observer may not vote: `polity vote POLL` says so before any cast is refused.
    const { poll } = await json<{ poll: { id: string } }>("admin", ["polls", "create", "--title", "Paint the shed", "--method", "proposal"]);
    expect((await ok(carol, ["vote", poll.id, "--community", "allotments"])).stdout).toMatch(/eligible\s*│\s*no: you cannot vote/);
    expect(await json<{ eligible: boolean }>(carol, ["vote", poll.id, "--community", "allotments"])).toMatchObject({ eligible: false });
    expect((await polity("admin", ["members", "set-role", carol.accountId, "emperor"])).code).toBe(2);
  });
});
