import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../clients/src/gen/grpc/health/v1/health_pb.js";
import { createHealth, ServingStatus } from "./health.js";

describe("health", () => {
  const health = createHealth();
  let server: http2.Http2Server;
  const sessions = new Set<http2.ServerHttp2Session>();
  let client: Client<typeof Health>;

  beforeAll(async () => {
    server = http2.createServer(connectNodeAdapter({ routes: (router) => router.service(health.service.desc, health.service.impl) }));
    server.on("session", (session) => sessions.add(session));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    client = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
  });
  afterAll(async () => {
    health.shutdown();
    // The client keeps its HTTP/2 connection open; close would wait for it forever.
    for (const session of sessions) session.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it("checks the server as a whole and named services", async () => {
    expect((await client.check({ service: "" })).status).toBe(ServingStatus.SERVING);
    health.setStatus("polity.sys.account.v1.AccountService", ServingStatus.NOT_SERVING);
    expect((await client.check({ service: "polity.sys.account.v1.AccountService" })).status).toBe(ServingStatus.NOT_SERVING);
    const list = await client.list({});
    expect(Object.keys(list.statuses).sort()).toEqual(["", "polity.sys.account.v1.AccountService"]);
  });

  it("answers NotFound for an unknown service", async () => {
    const err = await client.check({ service: "no.such.Service" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.NotFound);
  });

  it("watch sends the current status, each change, and ends when the client cancels", async () => {
    const abort = new AbortController();
    const seen: ServingStatus[] = [];
    const stream = client.watch({ service: "late.Service" }, { signal: abort.signal });
    const done = (async () => {
      try {
        for await (const res of stream) {
          seen.push(res.status);
          if (seen.length === 1) health.setStatus("late.Service", ServingStatus.SERVING);
          if (seen.length === 2) {
            health.setStatus("late.Service", ServingStatus.SERVING); // no change: nothing sent
            health.setStatus("late.Service", ServingStatus.NOT_SERVING);
          }
          if (seen.length === 3) abort.abort();
        }
      } catch (e) {
        if (!(e instanceof ConnectError && e.code === Code.Canceled)) throw e;
      }
    })();
    await done;
    expect(seen).toEqual([ServingStatus.SERVICE_UNKNOWN, ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
  });

  it("setAll changes every service and shutdown ends open watches", async () => {
    const seen: ServingStatus[] = [];
    const done = (async () => {
      for await (const res of client.watch({ service: "" })) {
        seen.push(res.status);
        if (seen.length === 1) health.setAll(ServingStatus.NOT_SERVING);
        if (seen.length === 2) health.shutdown();
      }
    })();
    await done; // the stream ends normally, without an error
    expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
    expect((await client.check({ service: "late.Service" })).status).toBe(ServingStatus.NOT_SERVING);
  });
});
