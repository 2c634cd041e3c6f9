// Durable deliveries: a mod replica killed (SIGKILL) while it is sending a process callback loses nothing. The
// delivery stays leased in PostgreSQL; another replica on the same database takes it when the lease ends and
// sends it — with the same Polity-Delivery id, so the receiver can tell the repeat — and every other callback too.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { createPolityClient } from "../../clients/src/node.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { startProcessServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "kill-admin@example.org", password: "a long admin password" };

describe("a replica killed mid-delivery", () => {
  let database: TestDatabase;
  const servers: TestServer[] = [];
  let receiver: ReturnType<typeof createServer>;
  afterAll(async () => {
    for (const server of servers) await server.stop().catch(() => undefined);
    receiver?.closeAllConnections();
    receiver?.close();
    await database?.drop();
  });

  it("leaves its delivery to another replica, and no callback is lost", { timeout: 120_000 }, async () => {
    database = await createTestDatabase("gov_kill");
    // Hangs the first request it gets (the replica is mid-send when it dies), answers the rest.
    const arrivals: Array<{ delivery: string; body: string }> = [];
    let firstArrived: () => void = () => undefined;
    const firstArrival = new Promise<void>((resolve) => (firstArrived = resolve));
    receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        arrivals.push({ delivery: String(req.headers["polity-delivery"]), body: Buffer.concat(chunks).toString() });
        if (arrivals.length === 1) return firstArrived();
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callback`;
    const env = {
      DATABASE_URL: database.url,
      POLITY_SECRETS_KEY: randomBytes(32).toString("base64"),
      POLITY_OUTBOUND_ALLOW_PRIVATE: "true",
      POLITY_DELIVERY_TIMEOUT_MS: "8000",
      POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    };
    const first = await startProcessServer([], env);
    servers.push(first);
    const admin = createPolityClient({ baseUrl: first.url });
    await admin.auth.login(ADMIN);
    const { org } = await admin.orgs.createOrg({ slug: "harbour", displayName: "Harbour" });
    const { community } = await admin.communities.createCommunity({ orgId: org!.id, slug: "harbour-town", name: "Harbour town", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN });
    const communityId = community!.id;
    await admin.governance.enablePlugin({ communityId, plugin: "randomness" });
    const started: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { process } = await admin.governance.startProcess({ communityId, process: "randomness.delayed-stochastic-vote", input: { options: ["a", "b"], delay: 0 }, callbackUrl });
      started.push(process!.id);
    }

    await firstArrival;
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));

    const second = await startProcessServer([], env);
    servers.push(second);
    const deadline = Date.now() + 90_000;
    const completed = () => new Set(arrivals.slice(1).filter((a) => a.body.includes('"completed"')).map((a) => JSON.parse(a.body).id as string));
    while (completed().size < started.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect([...completed()].sort()).toEqual([...started].sort());
    // The one cut short by the kill came again, as the same delivery.
    expect(arrivals.slice(1).some((a) => a.delivery === arrivals[0].delivery)).toBe(true);
  });
});
