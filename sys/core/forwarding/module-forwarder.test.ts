// The module forwarder between real HTTP servers: two HTTP/2 upstreams standing in for module processes, the
// forwarder (chained after another, as a mod process chains it after the sys forwarder) on an HTTP/1.1 listener.
// Each module's paths reach its process with the caller's metadata and the forwarded mark; other paths, and
// calls already forwarded once, are left to the caller; a module that cannot be reached is UNAVAILABLE.
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../../clients/src/gen/google/rpc/error_details_pb.js";
import { VotingService } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { chainForwarders, type Forwarder } from "./forwarder.js";
import { createModuleForwarder, FORWARDED_MODULE_HEADER } from "./module-forwarder.js";

const logger = pino({ level: "silent" });

async function listen(server: http.Server | http2.Http2Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An upstream that answers every request with its own name and the path and headers it saw. */
async function moduleProcess(name: string) {
  const server = http2.createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ served: name, path: req.url, forwarded: req.headers[FORWARDED_MODULE_HEADER], authorization: req.headers.authorization, xff: req.headers["x-forwarded-for"] }));
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => sessions.add(s));
  const url = await listen(server);
  return { url, close: () => { for (const s of sessions) s.destroy(); return new Promise((r) => server.close(r)); } };
}

describe("the module forwarder", () => {
  let disco: Awaited<ReturnType<typeof moduleProcess>>, messaging: Awaited<ReturnType<typeof moduleProcess>>;
  let front: http.Server;
  let frontUrl: string;
  let forwarder: Forwarder;
  const earlier: string[] = [];

  beforeAll(async () => {
    [disco, messaging] = await Promise.all([moduleProcess("disco"), moduleProcess("messaging")]);
    // A module whose process is down: a port that was just free.
    const probe = http.createServer();
    const gone = await listen(probe);
    await new Promise((r) => probe.close(r));
    const first: Forwarder = { handle: (req) => earlier.push(req.url ?? "") < 0, close: async () => undefined };
    forwarder = chainForwarders([first, createModuleForwarder({ logger, targets: [
      { module: "disco", url: disco.url, prefixes: ["/polity.mod.disco."] },
      { module: "messaging", url: messaging.url, prefixes: ["/polity.mod.messaging.", "/api/messaging/"] },
      { module: "voting", url: gone, prefixes: ["/polity.mod.voting."] },
    ] })])!;
    front = http.createServer((req, res) => {
      if (forwarder.handle(req, res)) return;
      res.statusCode = 404;
      res.end("left to this process");
    });
    frontUrl = await listen(front);
  });
  afterAll(async () => {
    front?.closeAllConnections();
    await Promise.all([forwarder?.close(), disco?.close(), messaging?.close(), new Promise((r) => front?.close(r))]);
  });

  const post = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${frontUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });

  it("relays each module's gRPC paths to its process, marked as forwarded, with the caller's metadata and address", async () => {
    const res = await post("/polity.mod.disco.v1.DiscoService/ListListings", { authorization: "Bearer t" });
    expect(await res.json()).toEqual({ served: "disco", path: "/polity.mod.disco.v1.DiscoService/ListListings", forwarded: "disco", authorization: "Bearer t", xff: "127.0.0.1" });
    expect((await (await post("/polity.mod.messaging.v1.MessageService/ListMessages")).json()).served).toBe("messaging");
  });

  it("relays a module's plain HTTP routes, query string and all", async () => {
    const res = await fetch(`${frontUrl}/api/messaging/unsubscribe/abc?lang=fr`);
    expect(await res.json()).toMatchObject({ served: "messaging", path: "/api/messaging/unsubscribe/abc?lang=fr" });
  });

  it("leaves other paths to this process, after the forwarders before it", async () => {
    const paths = ["/polity.mod.governance.v1.GovernanceService/ListProcesses", "/polity.mod.discovery/x", "/"];
    for (const path of paths) expect((await post(path)).status, path).toBe(404);
    expect(earlier).toEqual(expect.arrayContaining(paths));
  });

  it("never relays a call a second time, so a map pointing back cannot loop", async () => {
    const res = await post("/polity.mod.disco.v1.DiscoService/ListListings", { [FORWARDED_MODULE_HEADER]: "disco" });
    expect(res.status).toBe(404);
  });

  it("answers UNAVAILABLE (MODULE_UNAVAILABLE) in the caller's protocol when the module's process is down", async () => {
    const voting = createClient(VotingService, createConnectTransport({ baseUrl: frontUrl, httpVersion: "1.1" }));
    const error = await voting.listPolls({ communityId: crypto.randomUUID() }).then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("MODULE_UNAVAILABLE");
    expect(error?.rawMessage).toBe("the voting module is unreachable; try again shortly");
  });
});
