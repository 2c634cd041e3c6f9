// Split mode through one URL: `polityd --tiers sys` and two `polityd --tiers mod` replicas (one shared mod
// PostgreSQL database, sys its own), and the real `polity` CLI pointed only at a mod replica's URL — sign-in,
// orgs and communities (sys) and polls, votes and results (mod) all through it, on each replica, in every
// protocol. sys trusts the replicas' x-forwarded-for; when sys is gone the CLI hears UNAVAILABLE from mod.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService } from "../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { type CliRun, runPolity } from "./support/cli.js";
import { clientFor } from "./support/clients.js";
import { verificationTokenFor } from "./support/people.js";
import { createTestDatabase, type TestDatabase } from "./support/postgres.js";
import { startProcessServer, type TestServer } from "./support/server.js";

const ADMIN = { email: "root@example.org", password: "root password 123" };
const BOB = { email: "bob@example.org", password: "bob's long password" };

describe("split mode: every client through one mod URL", () => {
  let sysDb: TestDatabase, modDb: TestDatabase;
  let sys: TestServer, modA: TestServer, modB: TestServer;
  let home: string;

  /** `polity …` as `who` (own config dir) against `server`. */
  const polity = (who: string, server: TestServer, args: string[], input = ""): Promise<CliRun> =>
    runPolity(["--server", server.url, ...args], { XDG_CONFIG_HOME: join(home, who), HOME: home, POLITY_SERVER: "", POLITY_API_KEY: "", POLITY_TOKEN: "" }, input);
  const ok = async (who: string, server: TestServer, args: string[], input = "") => {
    const res = await polity(who, server, args, input);
    expect(res.code, `polity ${args.join(" ")}\n${res.stderr}`).toBe(0);
    return res;
  };
  const json = async <T>(who: string, server: TestServer, args: string[]) => JSON.parse((await ok(who, server, ["--json", ...args])).stdout) as T;

  beforeAll(async () => {
    [sysDb, modDb] = await Promise.all([createTestDatabase("one_url_sys"), createTestDatabase("one_url_mod")]);
    sys = await startProcessServer(["--tiers", "sys"], {
      DATABASE_URL: sysDb.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, POLITY_TRUSTED_PROXIES: "127.0.0.1",
    });
    [modA, modB] = await Promise.all([0, 1].map(() => startProcessServer(["--tiers", "mod", "--sys-url", sys.url], { DATABASE_URL: modDb.url })));
    home = mkdtempSync(join(tmpdir(), "polity-one-url-"));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([modA?.stop(), modB?.stop()]);
    await sys?.stop();
    await Promise.all([sysDb?.drop(), modDb?.drop()]);
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("signs in, runs orgs and communities, polls, votes and results through mod replicas only", async () => {
    // The admin uses replica A for everything.
    await ok("admin", modA, ["login", "--email", ADMIN.email, "--password-stdin"], `${ADMIN.password}\n`);
    expect((await json<{ email: string }>("admin", modA, ["whoami"])).email).toBe(ADMIN.email);
    const { org } = await json<{ org: { id: string } }>("admin", modA, ["orgs", "create", "one-url", "--name", "One URL"]);
    expect((await json<{ orgs: Array<{ id: string }> }>("admin", modA, ["orgs", "list"])).orgs.map((o) => o.id)).toContain(org.id);
    const { community } = await json<{ community: { id: string } }>("admin", modA, ["communities", "create", "square", "--org", "one-url", "--name", "Town square"]);
    await ok("admin", modA, ["communities", "use", "square"]);

    // Bob uses replica B: registers, follows the emailed link (sys logs it), signs in, joins.
    await ok("bob", modB, ["register", "--email", BOB.email, "--name", "Bob", "--password-stdin"], `${BOB.password}\n`);
    await clientFor(AuthService, modB.url).verifyEmail({ token: await verificationTokenFor(sys.logs, BOB.email) });
    await ok("bob", modB, ["login", "--email", BOB.email, "--password-stdin"], `${BOB.password}\n`);
    expect((await ok("bob", modB, ["communities", "join", "square"])).stdout).toMatch(/joined square/);
    const members = await json<{ members: Array<{ role: string }> }>("admin", modA, ["members", "list"]);
    expect(members.members).toHaveLength(2);

    const { poll } = await json<{ poll: { id: string } }>("admin", modA, ["polls", "create", "--title", "Which bench first?", "--method", "irv",
      "--option", "a:Oak", "--option", "b:Stone", "--option", "c:Iron", "--results", "live"]);
    await ok("admin", modA, ["polls", "open", poll.id]);
    expect((await ok("bob", modB, ["vote", poll.id, "--community", "square", "--rank", "b>a"])).stdout).toMatch(/recorded: b > a/);
    expect((await ok("admin", modA, ["vote", poll.id, "--rank", "b>c"])).stdout).toMatch(/recorded/);
    expect((await json<{ results: { ballots: number } }>("bob", modB, ["results", poll.id, "--community", community.id])).results.ballots).toBe(2);

    const closed = await ok("admin", modA, ["polls", "close", poll.id]);
    expect(closed.stdout).toMatch(/Elected: Stone/);
    const final = await json<{ results: { final: boolean; winners: string[] } }>("bob", modB, ["results", poll.id, "--community", community.id]);
    expect(final.results).toMatchObject({ final: true, winners: ["b"] });

    // Neither replica answered a sys call with UNIMPLEMENTED (what a mod-only process said before forwarding).
    expect([...modA.logs, ...modB.logs].join("")).not.toMatch(/Unimplemented|UNIMPLEMENTED/);
  }, 240_000);

  it("works in every protocol the CLI speaks, on each replica", async () => {
    for (const server of [modA, modB]) {
      await ok("carol", server, ["login", "--email", ADMIN.email, "--password-stdin"], `${ADMIN.password}\n`);
      for (const protocol of ["grpc", "connect", "grpc-web"]) {
        const me = await json<{ email: string }>("carol", server, ["--protocol", protocol, "whoami"]);
        expect(me.email).toBe(ADMIN.email);
        expect((await json<{ orgs: Array<{ slug: string }> }>("carol", server, ["--protocol", protocol, "orgs", "list"])).orgs.map((o) => o.slug)).toContain("one-url");
      }
    }
  }, 240_000);

  it("serves the web GUI and the JWKS on the mod URL", async () => {
    const page = await fetch(`${modB.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const jwks = (await (await fetch(`${modB.url}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
    expect(jwks).toEqual(await (await fetch(`${sys.url}/.well-known/jwks.json`)).json());
  });

  it("answers UNAVAILABLE (SYS_UNAVAILABLE) through mod once sys is gone", async () => {
    await sys.stop();
    const res = await polity("admin", modA, ["--json", "--protocol", "connect", "orgs", "list"]);
    expect(res.code, res.stderr).toBe(3);
    // People get plain words; the code and reason are in the --json error.
    expect(JSON.parse(res.stderr)).toMatchObject({ error: { code: "UNAVAILABLE", reason: "SYS_UNAVAILABLE" } });
  });
});
