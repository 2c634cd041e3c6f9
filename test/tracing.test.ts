// Tracing across two binaries: `polityd --tiers sys` and `polityd --tiers mod`, both exporting OTLP/HTTP
// protobuf to a receiver in this test. One call to mod carrying a caller's traceparent yields one trace: mod's
// server span, its client spans to sys's authorization and directory (each with the database's spans around
// them), sys's server spans as their children — and mod's call log names the trace.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountService } from "../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { CommunityService } from "../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { BallotSecrecy, ResultVisibility, VotingMethod, VotingService } from "../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { clientFor } from "./support/clients.js";
import { createOpenCommunity } from "./support/communities.js";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "./support/otlp-receiver.js";
import { type Person, signIn } from "./support/people.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { startProcessServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const SERVER = 2;
const CLIENT = 3;

describe("a trace across mod and sys (two processes, OTLP/HTTP protobuf)", () => {
  let receiver: OtlpReceiver;
  let sysDb: TestDatabase, modDb: TestDatabase;
  let sys: TestServer, mod: TestServer;
  let admin: Person;
  let communityId = "";

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // Exported every 100 ms instead of every 5 s, so the test need not wait.
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf", OTEL_BSP_SCHEDULE_DELAY: "100" };
    [sysDb, modDb] = await Promise.all([createTestDatabase("trace_sys"), createTestDatabase("trace_mod")]);
    sys = await startProcessServer(["--tiers", "sys"], { ...otel, DATABASE_URL: sysDb.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    mod = await startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { ...otel, DATABASE_URL: modDb.url });
    admin = await signIn(sys.url, ADMIN.email, ADMIN.password);
    ({ communityId } = await createOpenCommunity(sys.url, admin.token, { orgSlug: "traced", slug: "traced-board", name: "Traced board" }));
  }, 120_000);

  afterAll(async () => {
    await mod?.stop();
    await sys?.stop();
    await Promise.all([sysDb?.drop(), modDb?.drop()]);
    await receiver?.stop();
  });

  it("joins mod's and sys's spans into the caller's trace", async () => {
    const traceId = randomBytes(16).toString("hex");
    const callerSpanId = randomBytes(8).toString("hex");
    const voting = clientFor(VotingService, mod.url, admin.token);
    await voting.createPoll(
      { poll: { communityId, title: "Traced poll", method: VotingMethod.SINGLE_CHOICE, secrecy: BallotSecrecy.PUBLIC, resultVisibility: ResultVisibility.LIVE, options: [{ id: "a", label: "A" }, { id: "b", label: "B" }] } },
      { headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } },
    );

    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const named = (service: string, name: string) => inTrace().find((s) => s.serviceName === service && s.name === name);
    // Each process exports on its own schedule: wait until mod's server span and both of sys's have arrived.
    const awaited = [
      ["polity-mod", "polity.mod.voting.v1.VotingService/CreatePoll"],
      ["polity-sys", "polity.sys.authz.v1.AuthzService/Check"],
      ["polity-sys", "polity.sys.community.v1.CommunityService/GetCommunity"],
    ];
    await expect.poll(() => awaited.every(([service, name]) => named(service!, name!)), { timeout: 10_000, interval: 100 }).toBe(true);

    const modServer = named("polity-mod", "polity.mod.voting.v1.VotingService/CreatePoll")!;
    expect(modServer).toMatchObject({ kind: SERVER, parentSpanId: callerSpanId, statusCode: 0 });
    expect(modServer.attributes).toMatchObject({ "rpc.system": "grpc", "rpc.service": "polity.mod.voting.v1.VotingService", "rpc.method": "CreatePoll", "rpc.grpc.status_code": 0 });

    // mod's client span for each port, and sys's server span as its child.
    for (const [service, method] of [["polity.sys.authz.v1.AuthzService", "Check"], ["polity.sys.community.v1.CommunityService", "GetCommunity"]]) {
      const client = named("polity-mod", `${service}/${method}`);
      expect(client, `mod's client span ${method}`).toMatchObject({ kind: CLIENT, attributes: expect.objectContaining({ "rpc.service": service, "rpc.method": method }) });
      expect(descendsFrom(client!, modServer, inTrace())).toBe(true);
      const sysServer = named("polity-sys", `${service}/${method}`)!;
      expect(sysServer).toMatchObject({ kind: SERVER, parentSpanId: client!.spanId });
    }

    // The databases of both tiers, inside the trace, as written (no parameters).
    const queries = inTrace().filter((s) => s.attributes["db.system"] === "postgresql");
    expect(new Set(queries.map((q) => q.serviceName))).toEqual(new Set(["polity-mod", "polity-sys"]));
    expect(queries.some((q) => String(q.attributes["db.statement"]).includes(communityId))).toBe(false);

    const line = mod.logs.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.msg === "rpc" && l.method === "/polity.mod.voting.v1.VotingService/CreatePoll");
    expect(line?.trace_id).toBe(traceId);
  });

  it("carries the trace through a sys call that mod relays", async () => {
    const traceId = randomBytes(16).toString("hex");
    const callerSpanId = randomBytes(8).toString("hex");
    const name = "polity.sys.account.v1.AccountService/GetAccount";
    await clientFor(AccountService, mod.url, admin.token).getAccount({ accountId: admin.accountId }, { headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } });
    const named = (service: string) => receiver.spans.find((s) => s.traceId === traceId && s.serviceName === service && s.name === name);
    await expect.poll(() => Boolean(named("polity-mod") && named("polity-sys")), { timeout: 10_000, interval: 100 }).toBe(true);
    const relay = named("polity-mod")!;
    expect(relay).toMatchObject({ kind: CLIENT, parentSpanId: callerSpanId, statusCode: 0, attributes: expect.objectContaining({ "rpc.grpc.status_code": 0 }) });
    expect(named("polity-sys")).toMatchObject({ kind: SERVER, parentSpanId: relay.spanId });
  });
});

/** Whether `span` is `ancestor` or below it in `spans`. */
function descendsFrom(span: ReceivedSpan, ancestor: ReceivedSpan, spans: ReceivedSpan[]): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (let s: ReceivedSpan | undefined = span; s; s = byId.get(s.parentSpanId)) if (s.spanId === ancestor.spanId) return true;
  return false;
}
