// polityd backup and polityd restore of the embedded store, through the real binary: a server on PGlite records
// an org, a community, a closed public poll and an open secret poll with ballots and a delegation; the backup is
// refused while it runs; once it stops, the file restores into a fresh directory where a new server reads the
// same polls, ballots, results and delegation, the old access token still works, the secret poll closes with
// the delegated weight, and `polity audit` verifies the public poll from the log. A truncated or altered file and
// a non-empty directory are refused with nothing written; on PostgreSQL the command prints pg_dump's.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PollState, VotingService } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { clientFor } from "../support/clients.js";
import { runPolity } from "../support/cli.js";
import { readVotes, runPolityd, signInAdmin, stageVotes, useServers, type VotingRecord } from "./embedded-stage.js";

const work = mkdtempSync(join(tmpdir(), "polity-backup-"));
const source = join(work, "source");
const restored = join(work, "restored");
const file = join(work, "polity-backup.tar.gz");
// Registered first, so it runs after the servers have stopped.
afterAll(() => rmSync(work, { recursive: true, force: true }));
const { start, stop } = useServers();

describe("polityd backup and restore of the embedded store", () => {
  let record: VotingRecord;
  let before: Awaited<ReturnType<typeof readVotes>>;

  it("refuses while a polityd uses the data dir, then backs up the stopped store", async () => {
    const server = await start(source);
    record = await stageVotes(server);
    before = await readVotes(server.url, record);
    expect(before.states).toEqual([PollState.CLOSED, PollState.OPEN]);
    expect(before.ballots).toHaveLength(3);

    const refused = await runPolityd(["backup", file], source);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`polityd (pid ${process.pid}) is using ${source}; stop it first, or run on PostgreSQL (DATABASE_URL) to back up while serving\n`);
    expect(existsSync(file)).toBe(false);

    await stop(server);
    const done = await runPolityd(["backup", file], source);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain(`backed up ${source} (sys, mod;`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(work).filter((n) => n.includes(".partial-"))).toEqual([]);
    const again = await runPolityd(["backup", file], source);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${file} exists; pass --force to replace it`);
  }, 240_000);

  it("restores into a fresh directory: the same polls, ballots, results and delegation, and polity audit verifies them", async () => {
    const run = await runPolityd(["restore", file], restored);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`restored ${file}`);
    expect(readFileSync(join(restored, "secrets.key"))).toEqual(readFileSync(join(source, "secrets.key")));

    const server = await start(restored);
    expect(await readVotes(server.url, record)).toEqual(before);
    // The signing keys came back: a token issued before the backup is still accepted.
    await clientFor(VotingService, server.url, record.admin.token).getPoll({ communityId: record.communityId, pollId: record.publicPollId });

    const { results } = await clientFor(VotingService, server.url, record.admin.token).closePoll({ communityId: record.communityId, pollId: record.secretPollId });
    expect(results!.winners).toEqual(["a"]);
    expect(results!.delegatedWeight).toBe(1);

    const home = join(work, "home");
    mkdirSync(home);
    const admin = await signInAdmin(server.url);
    const audit = await runPolity(["--server", server.url, "--json", "audit", record.communityId], { XDG_CONFIG_HOME: join(home, "config"), HOME: home, POLITY_API_KEY: "", POLITY_TOKEN: admin.token });
    expect(audit.code, audit.stderr + audit.stdout).toBe(0);
    const report = JSON.parse(audit.stdout) as { ok: boolean; polls: Array<{ pollId: string; status: string; detail: string }> };
    expect(report.ok).toBe(true);
    expect(report.polls.find((p) => p.pollId === record.publicPollId)?.status).toBe("verified");
    await stop(server);
  }, 240_000);

  it("refuses a truncated or altered file and a non-empty directory, writing nothing", async () => {
    const truncated = join(work, "truncated.tar.gz");
    copyFileSync(file, truncated);
    truncateSync(truncated, Math.floor(statSync(file).size / 2));
    const altered = join(work, "altered.tar.gz");
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 3)]! ^= 0x5a;
    writeFileSync(altered, bytes);
    const foreign = join(work, "notes.txt");
    writeFileSync(foreign, "not a backup\n");
    for (const bad of [truncated, altered, foreign]) {
      const target = join(work, "never");
      const run = await runPolityd(["restore", bad], target);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/not a usable backup: .+; nothing was written/);
      expect(existsSync(target)).toBe(false);
    }

    const entries = readdirSync(restored).sort();
    const refused = await runPolityd(["restore", file], restored);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${restored} is not empty`);
    expect(refused.stderr).toContain("pass --force");
    expect(readdirSync(restored).sort()).toEqual(entries);

    // --force replaces the directory's contents as a whole.
    const cluttered = join(work, "cluttered");
    mkdirSync(cluttered);
    writeFileSync(join(cluttered, "notes.txt"), "old");
    const forced = await runPolityd(["restore", "--force", file], cluttered);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readdirSync(cluttered).sort()).toEqual(["pgdata", "secrets.key"]);
  }, 240_000);

  it("on PostgreSQL prints the pg_dump and pg_restore commands instead, without the password", async () => {
    const run = await runPolityd(["backup", "polity.dump"], join(work, "unused"), { DATABASE_URL: "postgres://polity:s3cret@db.example:5432/polity" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("pg_dump --format=custom --schema=sys --schema=mod --schema=pgboss --extension=pg_trgm --file=polity.dump postgres://polity@db.example:5432/polity");
    expect(run.stderr).toContain("pg_restore --no-owner --exit-on-error");
    expect(run.stderr).not.toContain("s3cret");
    expect(existsSync(join(work, "unused"))).toBe(false);
  });
});
