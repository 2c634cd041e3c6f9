// A voting record on a server, for tests that carry an embedded data directory somewhere else (a backup and
// restore, a layout merge) and check that it arrived whole: a public community in an org, a public Schulze poll
// closed with delegated weight, and a secret Schulze poll left open with ballots and a delegation. What a client
// reads of them is taken before, and compared after.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll } from "vitest";
import { toJson } from "@bufbuild/protobuf";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { CommunityService } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { BallotSchema, BallotSecrecy, PollResultsSchema, ResultVisibility, VoterBallotSchema, VotingMethod, VotingService } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { clientFor } from "../support/clients.js";
import { createOpenCommunity } from "../support/communities.js";
import { type Person, signUpVerified } from "../support/people.js";
import { repoRoot, startInProcessServer, type TestServer } from "../support/server.js";

export const ADMIN = { email: "root@example.org", password: "root password 123" };
export const ADMIN_ENV = { POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password };
const NAMES = ["ann", "ben", "cat", "dan"] as const;

export interface VotingRecord {
  communityId: string;
  publicPollId: string;
  secretPollId: string;
  admin: Person;
  people: Record<(typeof NAMES)[number], Person>;
}

const ranking = (...ids: string[]) => ({ choice: { case: "ranking" as const, value: { ranks: ids.map((id) => ({ optionIds: [id] })) } } });

/** Signs the admin in by password (after a restore this also proves the password hashes came back). */
export async function signInAdmin(url: string): Promise<Person> {
  const tokens = (await clientFor(AuthService, url).login(ADMIN)).tokens!;
  return { accountId: tokens.accountId, email: ADMIN.email, token: tokens.accessToken };
}

export async function stageVotes(server: TestServer): Promise<VotingRecord> {
  const admin = await signInAdmin(server.url);
  const { communityId } = await createOpenCommunity(server.url, admin.token, { orgSlug: "harbour-coop", slug: "harbour-board", name: "Harbour board" });
  const people = {} as VotingRecord["people"];
  for (const name of NAMES) {
    people[name] = await signUpVerified(server.url, server.logs, `${name}@example.org`);
    await clientFor(CommunityService, server.url, people[name].token).joinCommunity({ communityId });
  }
  const voting = (p: Person) => clientFor(VotingService, server.url, p.token);
  const create = async (title: string, secrecy: BallotSecrecy) => {
    const { poll } = await voting(admin).createPoll({ poll: {
      communityId, title, method: VotingMethod.SCHULZE, seats: 1, allowDelegation: true, secrecy,
      resultVisibility: ResultVisibility.AFTER_CLOSE, tieBreakSeed: title, options: ["a", "b", "c"].map((id) => ({ id, label: id.toUpperCase() })),
    } });
    await voting(admin).openPoll({ communityId, pollId: poll!.id });
    return poll!.id;
  };
  const { ann, ben, cat, dan } = people;
  // cat's weight goes to ann in both polls: a beats b 3 to 1, and c loses to both.
  await voting(cat).setDelegation({ communityId, delegateId: ann.accountId, topic: "" });
  const publicPollId = await create("Public pier plan", BallotSecrecy.PUBLIC);
  const secretPollId = await create("Secret budget", BallotSecrecy.SECRET);
  for (const pollId of [publicPollId, secretPollId]) {
    await voting(ann).castBallot({ communityId, pollId, ballot: ranking("a", "b", "c") });
    await voting(ben).castBallot({ communityId, pollId, ballot: ranking("b", "a", "c") });
    await voting(dan).castBallot({ communityId, pollId, ballot: ranking("a", "c", "b") });
  }
  await voting(admin).closePoll({ communityId, pollId: publicPollId });
  return { communityId, publicPollId, secretPollId, admin, people };
}

/** What a client reads of the record, as JSON: comparable before and after. */
export async function readVotes(url: string, record: VotingRecord) {
  const voting = (p: Person) => clientFor(VotingService, url, p.token);
  const { communityId, publicPollId, secretPollId, admin, people } = record;
  const polls = await Promise.all([publicPollId, secretPollId].map((pollId) => voting(admin).getPoll({ communityId, pollId })));
  const { results } = await voting(admin).getResults({ communityId, pollId: publicPollId });
  const { ballots } = await voting(admin).listBallots({ communityId, pollId: publicPollId, pageSize: 100 });
  const secret = await voting(people.ben).getMyBallot({ communityId, pollId: secretPollId });
  const { outgoing } = await voting(people.cat).listDelegations({ communityId });
  return {
    states: polls.map((p) => p.poll!.state),
    results: toJson(PollResultsSchema, results!),
    ballots: ballots.map((b) => toJson(VoterBallotSchema, b)),
    secretBallotOfBen: toJson(BallotSchema, secret.ballot!),
    delegationsOfCat: outgoing.map((d) => [d.delegatorId, d.delegateId, d.topic]),
  };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/polityd with `args` on the embedded store of `dataDir` (no database URL from the caller's shell). */
export function runPolityd(args: string[], dataDir: string, env: Record<string, string> = {}): Promise<Run> {
  const { DATABASE_URL: _a, SYS_DATABASE_URL: _b, MOD_DATABASE_URL: _c, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(join(repoRoot, "bin", "polityd"), args, { cwd: repoRoot, env: { ...inherited, POLITY_DATA_DIR: dataDir, LOG_LEVEL: "warn", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** In-process servers on given data dirs (kept when they stop), all stopped after the file's tests. */
export function useServers() {
  const running: TestServer[] = [];
  afterAll(async () => {
    for (const server of running) await server.stop().catch(() => undefined);
  });
  return {
    async start(dataDir: string): Promise<TestServer> {
      const server = await startInProcessServer({ POLITY_DATA_DIR: dataDir, ...ADMIN_ENV });
      running.push(server);
      return server;
    },
    async stop(server: TestServer): Promise<void> {
      running.splice(running.indexOf(server), 1);
      await server.stop();
    },
  };
}
