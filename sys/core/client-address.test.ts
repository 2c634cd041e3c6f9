// The client address a real server reads from real HTTP/1.1 and HTTP/2 requests: the socket's peer unless that
// peer is a trusted proxy, then x-forwarded-for from the right up to the first untrusted hop.
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createClientAddress } from "./client-address.js";
import { ConfigError, loadConfig } from "./config.js";

const servers: Array<http.Server | http2.Http2Server> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Starts a server answering with the client address `trustedProxies` gives it; returns its URL. */
async function serve(trustedProxies: string, h2 = false): Promise<string> {
  const address = createClientAddress(loadConfig({ env: { POLITY_TRUSTED_PROXIES: trustedProxies } }));
  const handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => res.end(address(req));
  const server = h2 ? http2.createServer(handler) : http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function get(url: string, forwardedFor?: string, localAddress = "127.0.0.1"): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress, headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {}, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c));
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
  });
}

describe("createClientAddress", () => {
  it("ignores x-forwarded-for when no proxy is trusted (the default)", async () => {
    const url = await serve("");
    expect(await get(url, "203.0.113.9")).toBe("127.0.0.1");
  });

  it("believes the hop a trusted peer appended, and no further than the first untrusted hop", async () => {
    const url = await serve("127.0.0.1, 10.0.0.0/8");
    expect(await get(url)).toBe("127.0.0.1"); // no header: the peer itself
    expect(await get(url, "203.0.113.9")).toBe("203.0.113.9");
    // 10.0.0.5 (a gateway) is trusted too: its own peer is the client.
    expect(await get(url, "203.0.113.9, 10.0.0.5")).toBe("203.0.113.9");
    // What the client wrote itself, left of its own address, is not believed.
    expect(await get(url, "198.51.100.1, 203.0.113.9")).toBe("203.0.113.9");
    // An untrusted peer's header is ignored.
    expect(await get(url, "203.0.113.9", "127.0.0.2")).toBe("127.0.0.2");
  });

  it("reads HTTP/2 requests the same way", async () => {
    const url = await serve("loopback", true);
    const session = http2.connect(url);
    const stream = session.request({ ":path": "/", "x-forwarded-for": "2001:db8::7" });
    let body = "";
    stream.on("data", (c: Buffer) => (body += c));
    await new Promise((r) => stream.once("end", r));
    session.close();
    expect(body).toBe("2001:db8::7");
  });

  it("refuses a trustedProxies entry that is not an address, range or name, naming the setting", () => {
    expect(() => loadConfig({ env: { POLITY_TRUSTED_PROXIES: "10.0.0.0/8, mod.internal" } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { POLITY_TRUSTED_PROXIES: "mod.internal" } })).toThrow(/trustedProxies \(POLITY_TRUSTED_PROXIES\)/);
  });
});
