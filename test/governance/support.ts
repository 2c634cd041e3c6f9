// A governance stage: a server that may reach local fakes, a community run by the bootstrap admin with one
// plain member, and a receiver that records signed deliveries (callbacks, subscription events).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { PolityClient } from "../../clients/src/core.js";
import { startCommunityStage } from "../support/communities.js";
import type { TestServer } from "../support/server.js";

export interface Received {
  headers: IncomingMessage["headers"];
  body: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Answers the next `n` requests with `status` (e.g. 503) before accepting again. */
  failNext(n: number, status?: number): void;
  waitFor(predicate: (r: Received) => boolean, timeoutMs?: number): Promise<Received>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let failing = 0;
  let failStatus = 503;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (failing > 0) {
        failing--;
        res.writeHead(failStatus, { "retry-after": "0" }).end("not now");
        return;
      }
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    failNext(n, status = 503) {
      failing = n;
      failStatus = status;
    },
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching delivery in ${timeoutMs} ms; got ${received.length}: ${received.map((r) => r.body).join("\n")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function startGovernanceStage(tag: string): Promise<{ server: TestServer; admin: PolityClient; member: PolityClient; communityId: string }> {
  return startCommunityStage(
    { email: `gov-admin-${tag}@example.org`, password: "a long admin password" },
    { email: `gov-member-${tag}@example.org`, password: "a long member password" },
    { POLITY_OUTBOUND_ALLOW_PRIVATE: "true", POLITY_DELIVERY_TIMEOUT_MS: "2000" },
  );
}

/** The community's governance events of one type, as the tests read them. */
export async function listEventsOfType(admin: PolityClient, communityId: string, type: string) {
  return (await admin.governance.listEvents({ communityId, types: [type] })).events;
}

/** Reads until `ok` holds or the time is up (webhooks are worked through after the answer); returns the last read. */
export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Stoppable = { close(): Promise<void> } | { stop(): Promise<void> } | undefined;

/** For afterAll: closes the fakes, then stops the server, in the order given; skips what never started. */
export async function stopAll(...things: Stoppable[]): Promise<void> {
  for (const thing of things) {
    if (thing && "close" in thing) await thing.close();
    else if (thing) await thing.stop();
  }
}
