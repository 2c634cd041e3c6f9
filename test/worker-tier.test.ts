// The worker tier in its own binary: `polityd --tiers sys`, `polityd --tiers mod --sys-url` and `polityd --tiers
// worker --sys-url` on PostgreSQL. The worker serves no mod API but answers health; a poll scheduled to close is
// closed by the worker and never by the mod-only process; with the worker killed nothing closes it, and a new
// worker resumes the work.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Serving } from "../clients/src/gen/grpc/health/v1/health_pb.js";
import { GovernanceService } from "../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { BallotSecrecy, PollState, ResultVisibility, VotingMethod, VotingService } from "../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { clientFor } from "./support/clients.js";
import { createOpenCommunity } from "./support/communities.js";
import { type Person, signIn } from "./support/people.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { startProcessServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
// Long enough that the poll is still in the future when a loaded CI machine validates it.
const CLOSE_IN_MS = 6_000;

describe("polityd --tiers worker beside --tiers mod and --tiers sys", () => {
  let sysDb: TestDatabase, modDb: TestDatabase;
  let sys: TestServer, mod: TestServer;
  let worker: (TestServer & { child: import("node:child_process").ChildProcess }) | undefined;
  let admin: Person;
  let communityId = "";

  const startWorker = () => startProcessServer(["--tiers", "worker", "--sys-url", sys.url], { DATABASE_URL: modDb.url });
  const voting = () => clientFor(VotingService, mod.url, admin.token);

  /** A poll opened now that closes by itself CLOSE_IN_MS from now, if a worker runs. */
  async function pollClosingSoon(title: string): Promise<string> {
    const { poll } = await voting().createPoll({ poll: {
      communityId, title, method: VotingMethod.APPROVAL, secrecy: BallotSecrecy.PUBLIC, resultVisibility: ResultVisibility.LIVE,
      options: [{ id: "a", label: "A" }, { id: "b", label: "B" }], closesAt: timestampFromDate(new Date(Date.now() + CLOSE_IN_MS)),
    } });
    await voting().openPoll({ communityId, pollId: poll!.id });
    return poll!.id;
  }
  const stateOf = async (pollId: string) => (await voting().getPoll({ communityId, pollId })).poll!.state;
  async function untilState(pollId: string, state: PollState, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while ((await stateOf(pollId)) !== state) {
      if (Date.now() > deadline) throw new Error(`poll ${pollId} did not reach ${PollState[state]} in ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  beforeAll(async () => {
    [sysDb, modDb] = await Promise.all([createTestDatabase("wtier_sys"), createTestDatabase("wtier_mod")]);
    sys = await startProcessServer(["--tiers", "sys"], { DATABASE_URL: sysDb.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    mod = await startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { DATABASE_URL: modDb.url });
    admin = await signIn(sys.url, ADMIN.email, ADMIN.password);
    ({ communityId } = await createOpenCommunity(sys.url, admin.token, { orgSlug: "worker-tier", slug: "night-shift", name: "Night shift" }));
    // The mod process's first call loads what it loads on first use; pay that before timing a poll.
    await voting().listPolls({ communityId });
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await mod?.stop();
    await sys?.stop();
    await Promise.all([sysDb?.drop(), modDb?.drop()]);
  });

  it("the mod-only process does not close a poll that is due", async () => {
    const pollId = await pollClosingSoon("Nobody closes this yet");
    await new Promise((resolve) => setTimeout(resolve, CLOSE_IN_MS + 3_000));
    expect(await stateOf(pollId)).toBe(PollState.OPEN);

    worker = await startWorker();
    await untilState(pollId, PollState.CLOSED, 20_000);
    expect(worker.logs.join("")).toContain('"polityd serving"');
  }, 60_000);

  it("the worker serves no mod or sys API but answers health and /healthz", async () => {
    for (const call of [
      () => clientFor(VotingService, worker!.url, admin.token).listPolls({ communityId }),
      () => clientFor(GovernanceService, worker!.url, admin.token).listProcesses({ communityId }),
    ]) {
      const error = await call().then(() => undefined, (e: unknown) => ConnectError.from(e));
      expect(error?.code).toBe(Code.Unimplemented);
    }
    expect((await clientFor(Health, worker!.url).check({ service: "" })).status).toBe(Serving.SERVING);
    const healthz = await fetch(`${worker!.url}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.text()).toBe("SERVING\n");
    // The mod process still serves the API and reports no worker-only service.
    expect((await voting().listPolls({ communityId })).polls.length).toBeGreaterThan(0);
  });

  it("a killed worker stops the work and another worker resumes it", async () => {
    worker!.child.kill("SIGKILL");
    await new Promise((resolve) => worker!.child.once("exit", resolve));
    await worker!.stop();
    worker = undefined;

    const pollId = await pollClosingSoon("Closed by the next shift");
    await new Promise((resolve) => setTimeout(resolve, CLOSE_IN_MS + 3_000));
    expect(await stateOf(pollId)).toBe(PollState.OPEN);

    worker = await startWorker();
    await untilState(pollId, PollState.CLOSED, 20_000);
  }, 60_000);

  it("the job queue's gauges are exported by a worker", async () => {
    const metrics = await (await fetch(`${worker!.adminUrl}/metrics`)).text();
    expect(metrics).toContain("# TYPE job_queue_depth gauge");
    expect(metrics).toContain("# TYPE job_queue_oldest_age_seconds gauge");
  });
});
