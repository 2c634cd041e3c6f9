// `npm run bench`: unary gRPC throughput of authenticated Polity calls (JWT + permission check + one indexed
// read, in one process and across sys + mod) against a bare @grpc/grpc-js echo server measured in the same
// run. Absolute req/s swing ±40 % between rounds on shared machines, so the ratio of two back-to-back
// measurements is the figure to track.
// See bench/README.md for how to read the results.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http2 from "node:http2";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { create, toBinary } from "@bufbuild/protobuf";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import pg from "pg";
import { DiscoService, GetListingRequestSchema } from "../clients/src/gen/polity/mod/disco/v1/disco_pb.js";
import { GetPollRequestSchema, VotingMethod, VotingService } from "../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { AccountService, GetAccountRequestSchema } from "../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { AuthService, WhoAmIRequestSchema } from "../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { CommunityService, JoinPolicy, Visibility } from "../clients/src/gen/polity/sys/community/v1/community_pb.js";

const { values: args } = parseArgs({
  options: {
    // "one": one process serving --tiers (default sys,mod); "two": a sys process and a mod process that
    // authenticates against sys's JWKS and asks sys for decisions over gRPC (both pinned to the server CPU);
    // "both": one, then two, each against the same grpc-js baseline.
    topology: { type: "string", default: "both" },
    tiers: { type: "string", default: "sys,mod" },
    // One call or a comma-separated list, each measured on its own servers:
    //   "account": sys's GetAccount of oneself (JWT + permission check + indexed read);
    //   "listing": mod's DiscoService/GetListing (JWT, public, one indexed read);
    //   "poll": mod's VotingService/GetPoll on a members-only community (JWT + voting.poll.read checked by sys —
    //     through the remote port and its decision cache in two processes — + one indexed read);
    //   "health": grpc.health.v1 Check, public and without I/O: the serving layer alone.
    // Default: account,poll in one process; listing,poll in two (where every call goes to mod).
    call: { type: "string" },
    // Node flags for the server children; the default is what bin/polityd runs with.
    "node-args": { type: "string", default: "--experimental-async-context-frame" },
    rounds: { type: "string", default: "3" },
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "20" },
    streams: { type: "string", default: "10" },
    // Another server entry with polity-server.ts's contract (argv: tiers dataDir [sysUrl]; IPC {port,url}).
    server: { type: "string", default: join(import.meta.dirname, "polity-server.ts") },
    db: { type: "string", default: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432" }, // or "pglite"
    // "on": the servers trace every call (OTLP/HTTP to a sink in this process that drops what it gets); "both":
    // each scenario off, then on, so the cost of tracing is the ratio of two runs of one bench.
    tracing: { type: "string", default: "off" },
  },
});
const rounds = Number(args.rounds);
const here = import.meta.dirname;

// --- preflight -------------------------------------------------------------------------------------------
if (spawnSync("h2load", ["--version"]).error) {
  console.error("bench: h2load is not installed. Install it with `apt-get install nghttp2-client` (Debian/Ubuntu) or `brew install nghttp2`.");
  process.exit(2);
}
const pinned = !spawnSync("taskset", ["-V"]).error && availableParallelism() >= 2;
const [serverCpu, loadCpu] = ["0", String(availableParallelism() - 1)];
if (!pinned) console.warn("bench: taskset missing or a single CPU: server and load generator are NOT pinned; ratios will be noisy.");
const pin = (cpu: string, cmd: string, argv: string[]): [string, string[]] => (pinned ? ["taskset", ["-c", cpu, cmd, ...argv]] : [cmd, argv]);

const work = mkdtempSync(join(tmpdir(), "polity-bench-"));
const children: ChildProcess[] = [];
let dropDatabase: (() => Promise<void>) | undefined;

/** Starts a pinned child that reports its port over IPC. */
function startChild(script: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ port: number; url: string; adminUrl?: string }> {
  const [cmd, full] = pin(serverCpu, process.execPath, [...args["node-args"]!.split(" ").filter(Boolean), "--import", "tsx", resolve(here, script), ...argv]);
  // Load from one principal far beyond any per-principal limit: the bench measures serving, not throttling.
  const unthrottled = { POLITY_RATE_LIMIT_PER_MINUTE: "0", POLITY_ANONYMOUS_RATE_LIMIT_PER_MINUTE: "0" };
  const child = spawn(cmd, full, { stdio: ["ignore", "ignore", "inherit", "ipc"], env: { ...process.env, ...unthrottled, ...env } });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve(m as { port: number; url: string; adminUrl?: string }));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before serving`)));
  });
}

async function databaseEnv(): Promise<NodeJS.ProcessEnv> {
  if (args.db === "pglite") return {};
  const name = `polity_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: args.db });
  try {
    await admin.connect();
  } catch {
    console.warn(`bench: PostgreSQL at ${args.db} is unreachable; using embedded PGlite`);
    return {};
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  dropDatabase = async () => {
    const c = new pg.Client({ connectionString: args.db });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
  const url = new URL(args.db!);
  url.pathname = `/${name}`;
  return { DATABASE_URL: url.toString() };
}

// A verified person (unverified ones may only read their own profile through WhoAmI): the bootstrap admin.
const ADMIN = { email: "bench-admin@example.com", password: "bench-password-1234" };

/** Signs in and picks the call: GetAccount of oneself (permission check + indexed read). */
async function prepareCall(call: string, url: string, modUrl = url) {
  if (call === "health") return { path: "/grpc.health.v1.Health/Check", body: new Uint8Array(), authorization: "" };
  const transport = createGrpcTransport({ baseUrl: url });
  const auth = createClient(AuthService, transport);
  const { tokens } = await auth.login(ADMIN);
  const accountId = tokens!.accountId;
  const headers = { authorization: `Bearer ${tokens!.accessToken}` };
  if (call === "poll") {
    const transport2 = createGrpcTransport({ baseUrl: modUrl });
    const { org } = await createClient(OrgProjectService, transport).createOrg({ slug: `bench-${Date.now()}`, displayName: "Bench" }, { headers });
    const { community } = await createClient(CommunityService, transport).createCommunity(
      { orgId: org!.id, slug: `bench-${Date.now()}`, name: "Bench", visibility: Visibility.MEMBERS_ONLY, joinPolicy: JoinPolicy.INVITE }, { headers });
    const voting = createClient(VotingService, transport2);
    const communityId = community!.id;
    const { poll } = await voting.createPoll({ poll: { communityId, title: "Bench poll", method: VotingMethod.SINGLE_CHOICE, options: [{ id: "a", label: "A" }, { id: "b", label: "B" }] } }, { headers });
    await voting.openPoll({ communityId, pollId: poll!.id }, { headers });
    await voting.getPoll({ communityId, pollId: poll!.id }, { headers });
    // Members-only: the permission check is a real one (an anonymous caller is refused).
    const anonymous = await voting.getPoll({ communityId, pollId: poll!.id }).then(() => "allowed", (e: unknown) => ConnectError.from(e).code);
    if (anonymous === "allowed") throw new Error("bench: an anonymous GetPoll on a members-only community was allowed");
    return { path: "/polity.mod.voting.v1.VotingService/GetPoll", body: toBinary(GetPollRequestSchema, create(GetPollRequestSchema, { communityId, pollId: poll!.id })), authorization: headers.authorization };
  }
  if (call === "listing") {
    const { org } = await createClient(OrgProjectService, transport).createOrg({ slug: `bench-${Date.now()}`, displayName: "Bench" }, { headers });
    const disco = createClient(DiscoService, createGrpcTransport({ baseUrl: modUrl }));
    const { listing } = await disco.createListing({ orgId: org!.id, title: "Bench listing", summary: "What the bench reads", url: "https://example.com/join" }, { headers });
    await disco.getListing({ listingId: listing!.id }, { headers });
    return { path: "/polity.mod.disco.v1.DiscoService/GetListing", body: toBinary(GetListingRequestSchema, create(GetListingRequestSchema, { listingId: listing!.id })), authorization: headers.authorization };
  }
  let path = "/polity.sys.account.v1.AccountService/GetAccount";
  let body = toBinary(GetAccountRequestSchema, create(GetAccountRequestSchema, { accountId }));
  try {
    await createClient(AccountService, transport).getAccount({ accountId }, { headers });
  } catch (e) {
    console.warn(`bench: GetAccount of oneself failed (${ConnectError.from(e).message}); benchmarking AuthService/WhoAmI instead`);
    path = "/polity.sys.auth.v1.AuthService/WhoAmI";
    body = toBinary(WhoAmIRequestSchema, create(WhoAmIRequestSchema, {}));
    await auth.whoAmI({}, { headers });
  }
  return { path, body, authorization: headers.authorization };
}

/** The 5-byte gRPC envelope + protobuf, written once: h2load sends a fixed body. */
function frameFile(name: string, body: Uint8Array): string {
  const frame = Buffer.alloc(5 + body.length);
  frame.writeUInt32BE(body.length, 1);
  frame.set(body, 5);
  const file = join(work, name);
  writeFileSync(file, frame);
  return file;
}

interface Load { rps: number; succeeded: number; failed: number }

function h2load(url: string, file: string, extraHeaders: string[]): Promise<Load> {
  const h = ["content-type: application/grpc", "te: trailers", ...extraHeaders].flatMap((x) => ["-H", x]);
  const argv = ["-c", args.connections!, "-m", args.streams!, "-D", args.duration!, "--warm-up-time=1", "-d", file, ...h, url];
  const [cmd, full] = pin(loadCpu, "h2load", argv);
  return new Promise((resolve, reject) => {
    let out = "";
    const child = spawn(cmd, full, { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", () => {
      const rps = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out);
      const req = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed/.exec(out);
      if (!rps || !req) return reject(new Error(`could not parse h2load output:\n${out}`));
      resolve({ rps: Number(rps[1]), succeeded: Number(req[1]), failed: Number(req[2]) });
    });
  });
}

/** grpc_server_handled_total for one method and code, read from the admin listener's /metrics (h2c, like every other call). */
function handled(url: string, path: string, code: string): Promise<number> {
  const [, service, method] = path.split("/");
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", reject);
    const req = session.request({ ":path": "/metrics" });
    let text = "";
    req.setEncoding("utf8").on("data", (d) => (text += d));
    req.on("end", () => {
      session.close();
      const line = text.split("\n").find((l) => l.startsWith("grpc_server_handled_total{") && l.includes(`grpc_service="${service}"`) && l.includes(`grpc_method="${method}"`) && l.includes(`grpc_code="${code}"`));
      resolve(line ? Number(line.split(" ").pop()) : 0);
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Scenario { topology: "one" | "two"; call: string; tracing: boolean }

/** An OTLP/HTTP endpoint that accepts and drops every export: what tracing costs the server, not a collector. */
async function startOtlpSink(): Promise<string> {
  const { createServer } = await import("node:http");
  const server = createServer((req, res) => req.resume().on("end", () => res.writeHead(200, { "content-type": "application/x-protobuf" }).end()));
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  server.unref();
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function runScenario(scenario: Scenario, baseEnv: NodeJS.ProcessEnv, echo: { url: string }) {
  const env = scenario.tracing ? { ...baseEnv, OTEL_EXPORTER_OTLP_ENDPOINT: await startOtlpSink() } : baseEnv;
  let target: { url: string; adminUrl?: string }; // a Polity server: adminUrl is set
  let sysUrl: string;
  let tiers: string;
  if (scenario.topology === "one") {
    tiers = args.tiers!;
    target = await startChild(args.server!, [tiers, join(work, "data-one")], env);
    sysUrl = target.url;
  } else {
    tiers = "sys | mod";
    const sys = await startChild(args.server!, ["sys", join(work, "data-sys")], env);
    target = await startChild(args.server!, ["mod", join(work, "data-mod"), sys.url], env);
    sysUrl = sys.url;
  }
  const call = await prepareCall(scenario.call, sysUrl, target.url);
  const polityFile = frameFile(`polity-${scenario.topology}.bin`, call.body);
  const echoFile = frameFile(`echo-${scenario.topology}.bin`, call.body); // same request size; the echo answers it unchanged
  console.log(`\nbench: ${call.path} on Polity (${scenario.topology === "one" ? `one process, --tiers ${tiers}` : "two processes, sys + mod, call to mod"}, ${env.DATABASE_URL ? "PostgreSQL" : "PGlite"}) vs bare grpc-js echo${scenario.tracing ? ", tracing ON (OTLP to a local sink)" : ""}`);
  console.log(`bench: h2load -c ${args.connections} -m ${args.streams}, ${args.duration}s per run, ${rounds} rounds, ${pinned ? `server(s) on CPU ${serverCpu}, load on CPU ${loadCpu}` : "unpinned"}`);

  const results = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate the order so neither side always runs on a warmer (or hotter) machine.
    const okBefore = await handled(target.adminUrl!, call.path, "OK");
    const runPolity = () => h2load(target.url + call.path, polityFile, call.authorization ? [`authorization: ${call.authorization}`] : []);
    const runEcho = () => h2load(echo.url + "/bench.Echo/Echo", echoFile, []);
    let p: Load, g: Load;
    if (round % 2) [g, p] = [await runEcho(), await runPolity()];
    else [p, g] = [await runPolity(), await runEcho()];
    // h2load counts HTTP 200 as success; the server's own metrics say whether the gRPC status was OK.
    const grpcOk = (await handled(target.adminUrl!, call.path, "OK")) - okBefore;
    results.push({ round, grpcJsRps: g.rps, polityRps: p.rps, ratio: p.rps / g.rps, polityRequests: p.succeeded + p.failed, polityGrpcOk: grpcOk, failed: p.failed + g.failed });
  }
  console.table(results.map((r) => ({ round: r.round, "grpc-js req/s": r.grpcJsRps.toFixed(0), "polity req/s": r.polityRps.toFixed(0), ratio: r.ratio.toFixed(2), "gRPC OK / sent": `${r.polityGrpcOk} / ${r.polityRequests}`, "h2 failed": r.failed })));
  const ratio = median(results.map((r) => r.ratio));
  const allOk = results.every((r) => r.polityGrpcOk >= r.polityRequests && r.failed === 0);
  console.log(`median ratio polity / grpc-js (${scenario.topology} process${scenario.topology === "one" ? "" : "es"}): ${ratio.toFixed(2)}${ratio >= 1 ? "  (goal met: at least as fast as bare grpc-js)" : "  (goal: >= 1.00)"}`);
  console.log(`median req/s: polity ${median(results.map((r) => r.polityRps)).toFixed(0)}, grpc-js ${median(results.map((r) => r.grpcJsRps)).toFixed(0)}`);
  if (!allOk) console.log("WARNING: some Polity calls did not end with grpc-status OK; the numbers are not valid.");
  await stopChildren(1);
  return { topology: scenario.topology, tiers, call: call.path, tracing: scenario.tracing, medianRatio: ratio, allGrpcOk: allOk, rounds: results };
}

async function main() {
  const env: NodeJS.ProcessEnv = { ...(await databaseEnv()), LOG_LEVEL: "info", POLITY_ACCESS_TOKEN_TTL_SECONDS: "3600", POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password };
  const echo = await startChild("grpc-echo-server.ts", []);
  const topologies = args.topology === "both" ? (["one", "two"] as const) : [args.topology as "one" | "two"];
  const calls = (topology: "one" | "two") => (args.call ?? (topology === "one" ? "account,poll" : "listing,poll")).split(",").filter(Boolean);
  const tracing = args.tracing === "both" ? [false, true] : [args.tracing === "on"];
  const scenarios: Scenario[] = topologies.flatMap((topology) => calls(topology).flatMap((call) => tracing.map((on) => ({ topology, call, tracing: on }))));
  const outcomes = [];
  for (const scenario of scenarios) outcomes.push(await runScenario(scenario, env, echo));

  mkdirSync(join(here, "results"), { recursive: true });
  const file = join(here, "results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const meta = { server: args.server, nodeArgs: args["node-args"], database: env.DATABASE_URL ? "postgres" : "pglite", connections: Number(args.connections), streams: Number(args.streams), durationSeconds: Number(args.duration), pinned, node: process.version };
  writeFileSync(file, `${JSON.stringify({ ...meta, scenarios: outcomes }, null, 2)}\n`);
  console.log(`\nresults written to ${file}`);
}

/** Stops the children started after the first `keep` (the echo server stays for the next scenario). */
async function stopChildren(keep: number) {
  const stopping = children.splice(keep);
  for (const child of stopping) child.kill("SIGTERM");
  await Promise.all(stopping.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : undefined)));
}

async function cleanup() {
  await stopChildren(0);
  await dropDatabase?.().catch((e: unknown) => console.warn("bench: could not drop the bench database:", e));
  rmSync(work, { recursive: true, force: true });
}

main().then(cleanup, async (error: unknown) => {
  console.error("bench failed:", error);
  await cleanup();
  process.exit(1);
});
