import { createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverOnce, RESPONSE_EXCERPT_BYTES } from "./deliver.js";
import { createSafeFetch, type SafeFetch } from "./safe-fetch.js";
import { verifySignature } from "./signature.js";
import { startLocalServer, type LocalServer } from "./test-support.js";

let server: LocalServer;
let fetch: SafeFetch;
const body = JSON.stringify({ event: "process.closed", processId: "p-1" });

beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    const path = req.url ?? "/";
    if (path === "/ok") res.writeHead(204).end();
    else if (path === "/busy") res.writeHead(503, { "retry-after": "30" }).end("try later");
    else if (path === "/gone") res.writeHead(410).end("unsubscribed");
    else if (path === "/moved") res.writeHead(301, { location: "http://10.0.0.1/" }).end();
    else if (path === "/huge") {
      res.writeHead(500, { "content-type": "text/plain" });
      // Far more than is read; the server must not block the delivery.
      res.end("x".repeat(5 * 1024 * 1024));
    } else if (path === "/slow") setTimeout(() => res.writeHead(200).end(), 5_000).unref();
    else res.writeHead(404).end();
  });
  fetch = createSafeFetch({ allowPrivate: true });
});
afterAll(async () => {
  await fetch.close();
  await server.close();
});

describe("deliverOnce", () => {
  it("POSTs the JSON body, signed, with its user agent and the caller's extra headers", async () => {
    const now = new Date();
    const result = await deliverOnce({ fetch, url: `${server.url}/ok`, body, secret: "whsec_1", headers: { "Polity-Event-Id": "e-1", "Content-Type": "text/plain" }, now });
    expect(result).toEqual({ outcome: "delivered", status: 204 });
    const request = server.received.at(-1)!;
    expect(request.method).toBe("POST");
    expect(request.body).toBe(body);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["user-agent"]).toBe("Polity-Webhook/1");
    expect(request.headers["polity-event-id"]).toBe("e-1");
    expect(verifySignature("whsec_1", request.headers["polity-signature"] as string, request.body, { now })).toBe(true);
  });

  it("retries a busy receiver, keeping its Retry-After and the start of its answer", async () => {
    expect(await deliverOnce({ fetch, url: `${server.url}/busy`, body, secret: "s" }))
      .toEqual({ outcome: "retry", status: 503, retryAfterMs: 30_000, responseExcerpt: "try later" });
  });

  it("gives up on 410 Gone and does not follow a redirect", async () => {
    expect(await deliverOnce({ fetch, url: `${server.url}/gone`, body, secret: "s" })).toMatchObject({ outcome: "give_up", status: 410 });
    const before = server.received.length;
    expect(await deliverOnce({ fetch, url: `${server.url}/moved`, body, secret: "s" })).toMatchObject({ outcome: "give_up", status: 301 });
    expect(server.received.length).toBe(before + 1);
  });

  it("reads only the start of a large response", async () => {
    const result = await deliverOnce({ fetch, url: `${server.url}/huge`, body, secret: "s" });
    expect(result.outcome).toBe("retry");
    expect(result.responseExcerpt).toHaveLength(RESPONSE_EXCERPT_BYTES);
  });

  it("turns a timeout into a retry instead of an exception", async () => {
    const started = Date.now();
    const result = await deliverOnce({ fetch, url: `${server.url}/slow`, body, secret: "s", timeoutMs: 300 });
    expect(result).toEqual({ outcome: "retry", error: "timed out" });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("turns a refused connection into a retry naming the cause", async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const result = await deliverOnce({ fetch, url: `http://127.0.0.1:${port}/`, body, secret: "s" });
    expect(result.outcome).toBe("retry");
    expect(result.error).toContain("ECONNREFUSED");
  });

  it("gives up on a destination the safe fetch refuses, and on a URL that cannot be parsed", async () => {
    const strict = createSafeFetch({ allowPrivate: false });
    try {
      const refused = await deliverOnce({ fetch: strict, url: `${server.url}/ok`, body, secret: "s" });
      expect(refused.outcome).toBe("give_up");
      expect(refused.error).toContain("POLITY_OUTBOUND_ALLOW_PRIVATE");
      expect(await deliverOnce({ fetch: strict, url: "not a url", body, secret: "s" })).toMatchObject({ outcome: "give_up" });
      expect(await deliverOnce({ fetch: strict, url: "https://example.org/", body, secret: "s", headers: { "x-bad": "a\nb" } })).toMatchObject({ outcome: "give_up" });
    } finally {
      await strict.close();
    }
  });

  it("counts a 2xx as delivered even when its body is cut short", async () => {
    const sockets = new Set<Socket>();
    const rude = createServer((socket) => {
      sockets.add(socket);
      socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc"));
    });
    await new Promise<void>((resolve) => rude.listen(0, "127.0.0.1", resolve));
    try {
      const result = await deliverOnce({ fetch, url: `http://127.0.0.1:${(rude.address() as { port: number }).port}/`, body, secret: "s" });
      // The status line arrived: a 200 is a delivery even if the body was cut.
      expect(result.outcome).toBe("delivered");
      expect(result.status).toBe(200);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => rude.close(() => resolve()));
    }
  });
});
