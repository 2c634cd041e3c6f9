// Load test of "Scale and reliability": two binaries and two mod replicas (`polityd --tiers sys` + two
// `polityd --tiers mod --sys-url`, the replicas sharing one mod PostgreSQL database). Many voters, each with its
// own gRPC connection to one of the replicas (half on A, half on B), cast and change ranked ballots on a few
// open polls for a fixed time. Then every poll is closed and checked:
//   - published tally == the same engine's recount of the stored ballots;
//   - no vote lost or doubled: one stored ballot per voter who voted, equal to the last ballot the server
//     acknowledged to that voter; ballot_cast + ballot_changed entries == acknowledged changes;
//   - a watcher on replica A (WatchActivity) saw every vote cast on replica B, and WatchPoll on A ended with
//     the published result.
// Reports sustained votes/s (acknowledged CastBallot calls per second). Never run by the test suite.
//   npm run bench:voting -- [--voters 200] [--polls 3] [--seconds 20] [--db postgres://…/postgres]
import { type Method, tally, tallyBallot, tallyConfigFor } from "@polity/tally";
import { seededRandom } from "./support.js";
import { parseArgs } from "node:util";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import pg from "pg";
import { OrgProjectService } from "../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { CommunityService, JoinPolicy, Visibility } from "../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { ActivityKind, BallotSecrecy, PollState, ResultVisibility, VotingMethod, VotingService } from "../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { ChoiceJson } from "../mod/voting/entities.js";
import { canonical } from "../mod/voting/ballots/codec.js";
import { clientFor } from "../test/support/clients.js";
import { type Person, signIn, signUpVerified } from "../test/support/people.js";
import { startProcessServer, type TestServer } from "../test/support/server.js";

const { values } = parseArgs({ options: {
  voters: { type: "string", default: "200" }, polls: { type: "string", default: "3" }, seconds: { type: "string", default: "20" },
  db: { type: "string", default: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
} });
const VOTERS = Number(values.voters);
const POLLS = Number(values.polls);
const SECONDS = Number(values.seconds);
const ADMIN = { email: "root@example.org", password: "root password 123" };
const OPTIONS = ["a", "b", "c", "d", "e"];
const KINDS: Array<{ method: Method; proto: VotingMethod; seats: number }> = [
  { method: "schulze", proto: VotingMethod.SCHULZE, seats: 1 }, { method: "irv", proto: VotingMethod.RANKED_IRV, seats: 1 },
  { method: "stv", proto: VotingMethod.STV, seats: 2 },
];


async function createDb(admin: pg.Client, name: string): Promise<string> {
  await admin.query(`create database "${name}"`);
  const url = new URL(values.db!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function inBatches<T>(items: T[], size: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map((item, k) => fn(item, i + k)));
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: values.db });
  await admin.connect();
  const names = [`polity_bench_voting_sys_${process.pid}`, `polity_bench_voting_mod_${process.pid}`];
  const servers: TestServer[] = [];
  try {
    const [sysUrl, modUrl] = [await createDb(admin, names[0]), await createDb(admin, names[1])];
    const sys = await startProcessServer(["--tiers", "sys"], { DATABASE_URL: sysUrl, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    servers.push(sys);
    // The first replica migrates; the second starts on the migrated database.
    const modA = await startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { DATABASE_URL: modUrl });
    const modB = await startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { DATABASE_URL: modUrl });
    servers.push(modA, modB);
    const root = await signIn(sys.url, ADMIN.email, ADMIN.password);
    const { org } = await clientFor(OrgProjectService, sys.url, root.token).createOrg({ slug: "bench-vote", displayName: "Bench vote" });
    const { community } = await clientFor(CommunityService, sys.url, root.token).createCommunity({
      orgId: org!.id, slug: "bench-town", name: "Bench town", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
    });
    const communityId = community!.id;

    let t = performance.now();
    const voters: Person[] = new Array(VOTERS);
    await inBatches(Array.from({ length: VOTERS }, (_, i) => i), 8, async (i) => {
      voters[i] = await signUpVerified(sys.url, sys.logs, `bench-voter-${i}@example.org`);
      await clientFor(CommunityService, sys.url, voters[i].token).joinCommunity({ communityId });
    });
    console.error(`setup: ${VOTERS} voters signed up and joined in ${Math.round(performance.now() - t)} ms`);

    const grpc = (url: string, token: string): Client<typeof VotingService> => createClient(VotingService, createGrpcTransport({
      baseUrl: url, interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${token}`), next(req))],
    }));
    const adminA = grpc(modA.url, root.token);
    const polls: Array<{ id: string; kind: (typeof KINDS)[number] }> = [];
    for (let p = 0; p < POLLS; p++) {
      const kind = KINDS[p % KINDS.length];
      const { poll } = await adminA.createPoll({ poll: {
        communityId, title: `Bench poll ${p}`, method: kind.proto, seats: kind.seats, secrecy: BallotSecrecy.PUBLIC,
        resultVisibility: ResultVisibility.LIVE, options: OPTIONS.map((id) => ({ id, label: id })),
      } });
      await adminA.openPoll({ communityId, pollId: poll!.id });
      polls.push({ id: poll!.id, kind });
    }

    // Watchers on A: the activity log (every ballot entry) and each poll's WatchPoll stream.
    const { headSequence } = await adminA.listActivity({ communityId, pageSize: 1 });
    const abort = new AbortController();
    const seenOnA = new Map<string, number>(); // `${poll}\n${voter}` → ballot entries seen
    let seenEntries = 0;
    const activityWatch = (async () => {
      for await (const { entry } of adminA.watchActivity({ communityId, afterSequence: headSequence }, { signal: abort.signal })) {
        if (!entry || (entry.kind !== ActivityKind.BALLOT_CAST && entry.kind !== ActivityKind.BALLOT_CHANGED)) continue;
        const key = `${entry.pollId}\n${entry.actorId}`;
        seenOnA.set(key, (seenOnA.get(key) ?? 0) + 1);
        seenEntries++;
      }
    })().catch((error: unknown) => { if (!abort.signal.aborted) throw error; });
    const finalHashOnA = new Map<string, string>();
    const pollWatches = polls.map(async (p) => {
      for await (const u of adminA.watchPoll({ communityId, pollId: p.id })) if (u.state === PollState.CLOSED && u.results) finalHashOnA.set(p.id, u.results.resultHash);
    });

    // The load: each voter loops, casting a fresh random ranking on a random poll, until the time is up.
    const acked = new Map<string, ChoiceJson>(); // last acknowledged ballot per poll+voter
    const changesOnB = new Map<string, number>(); // acknowledged changes made on B per poll+voter
    let calls = 0, changed = 0, failed = 0;
    const latencies: number[] = [];
    const deadline = Date.now() + SECONDS * 1000;
    t = performance.now();
    await Promise.all(voters.map(async (voter, i) => {
      const onB = i % 2 === 1;
      const client = grpc(onB ? modB.url : modA.url, voter.token);
      const next = seededRandom(i + 1);
      while (Date.now() < deadline) {
        const poll = polls[Math.floor(next() * polls.length)];
        const order = [...OPTIONS].sort(() => next() - 0.5).slice(0, 2 + Math.floor(next() * 4));
        const started = performance.now();
        try {
          const res = await client.castBallot({ communityId, pollId: poll.id, ballot: { choice: { case: "ranking", value: { ranks: order.map((id) => ({ optionIds: [id] })) } } } });
          latencies.push(performance.now() - started);
          calls++;
          const key = `${poll.id}\n${voter.accountId}`;
          acked.set(key, { ranking: order.map((id) => [id]) });
          if (res.changed) {
            changed++;
            if (onB) changesOnB.set(key, (changesOnB.get(key) ?? 0) + 1);
          }
        } catch (error) {
          failed++;
          if (failed <= 5) console.error(`castBallot failed: ${(error as Error).message}`);
        }
      }
    }));
    const loadSeconds = (performance.now() - t) / 1000;

    // Close on B; check everything.
    const adminB = grpc(modB.url, root.token);
    const db = new pg.Client({ connectionString: modUrl });
    await db.connect();
    const problems: string[] = [];
    const perPoll: Array<Record<string, unknown>> = [];
    for (const p of polls) {
      const { results } = await adminB.closePoll({ communityId, pollId: p.id });
      const { rows } = await db.query<{ voter_id: string; choice: ChoiceJson }>("select voter_id, choice from mod.ballots where poll_id = $1", [p.id]);
      const expected = [...acked.entries()].filter(([k]) => k.startsWith(`${p.id}\n`));
      if (rows.length !== expected.length) problems.push(`poll ${p.id}: ${rows.length} stored ballots, ${expected.length} voters acknowledged`);
      for (const r of rows) {
        const want = acked.get(`${p.id}\n${r.voter_id}`);
        if (!want || canonical(want) !== canonical(r.choice)) problems.push(`poll ${p.id}: voter ${r.voter_id} stored ballot differs from the last acknowledged one`);
      }
      const recount = tally(p.kind.method, rows.map((r) => tallyBallot(p.kind.method, r.choice, 1)!), tallyConfigFor({
        id: p.id, method: p.kind.method, optionIds: OPTIONS, seats: p.kind.seats, minSelections: 0, maxSelections: 0, maxScore: 0, passThresholdPercent: 0, tieBreakSeed: "",
      }));
      if (canonical(recount.winners) !== canonical(results!.winners)) problems.push(`poll ${p.id}: published [${results!.winners}] but the stored ballots elect [${recount.winners}]`);
      if (results!.ballots !== rows.length) problems.push(`poll ${p.id}: published ${results!.ballots} ballots, ${rows.length} stored`);
      const [{ n }] = (await db.query<{ n: string }>("select count(*) as n from mod.activity_entries where poll_id = $1 and kind in ('ballot_cast', 'ballot_changed')", [p.id])).rows;
      perPoll.push({ poll: p.kind.method, ballots: rows.length, winners: results!.winners, logEntries: Number(n) });
    }
    const [{ n: logged }] = (await db.query<{ n: string }>("select count(*) as n from mod.activity_entries where community_id = $1 and kind in ('ballot_cast', 'ballot_changed')", [communityId])).rows;
    if (Number(logged) !== changed) problems.push(`${logged} ballot entries in the log, ${changed} acknowledged changes`);
    // Everything acknowledged on B reached the watcher on A (wait for the stream to drain).
    const until = Date.now() + 15_000;
    while (seenEntries < changed && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    let missedOnA = 0;
    for (const [key, count] of changesOnB) if ((seenOnA.get(key) ?? 0) < count) missedOnA++;
    if (missedOnA) problems.push(`${missedOnA} voters' changes on B not seen by the watcher on A`);
    await Promise.race([Promise.all(pollWatches), new Promise((r) => setTimeout(r, 10_000))]);
    for (const p of polls) if (!finalHashOnA.has(p.id)) problems.push(`WatchPoll on A did not end with the final result of ${p.id}`);
    abort.abort();
    await activityWatch;
    await db.end();

    latencies.sort((a, b) => a - b);
    const pct = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
    console.log(JSON.stringify({
      topology: "sys + 2 mod replicas (one mod database), gRPC", voters: VOTERS, polls: POLLS, seconds: Math.round(loadSeconds * 10) / 10,
      castCalls: calls, changedBallots: changed, failedCalls: failed, votesPerSecond: Math.round(calls / loadSeconds),
      latencyMs: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99) },
      watcherOnA: { ballotEntriesSeen: seenEntries, changesMadeOnB: [...changesOnB.values()].reduce((a, b) => a + b, 0) },
      perPoll, ok: problems.length === 0, problems: problems.slice(0, 20),
    }, null, 2));
    if (problems.length) process.exitCode = 1;
  } finally {
    for (const s of servers.reverse()) await s.stop().catch(() => {});
    for (const name of names) await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

await main();
