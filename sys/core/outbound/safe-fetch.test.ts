import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reasonOf } from "../errors.js";
import { createSafeFetch, isPublicAddress, type Lookup } from "./safe-fetch.js";
import { startLocalServer, type LocalServer } from "./test-support.js";

let server: LocalServer;
let server6: LocalServer | undefined;

beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    if (req.url === "/redirect") {
      res.writeHead(302, { location: `${server.url}/target` }).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end(`hello ${req.headers.host}`);
  });
  server6 = await startLocalServer((_req, res) => res.end("hello six"), "::1").catch(() => undefined);
});
afterAll(async () => {
  await server.close();
  await server6?.close();
});

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the request to be refused");
}

describe("isPublicAddress", () => {
  it("accepts public unicast and refuses every special-purpose range", () => {
    for (const address of ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"]) expect(isPublicAddress(address), address).toBe(true);
    for (const address of ["127.0.0.1", "127.9.9.9", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
      "224.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1", "240.0.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12::1", "ff02::1",
      "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::", "2001:db8::1", "fec0::1", "not an address"]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });
});

describe("createSafeFetch", () => {
  it("reaches a local server when private destinations are allowed", async () => {
    const fetch = createSafeFetch({ allowPrivate: true });
    try {
      const response = await fetch(`${server.url}/`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(`hello 127.0.0.1:${server.port}`);
      expect((await fetch(`http://localhost:${server.port}/`)).status).toBe(200);
      if (server6) expect(await (await fetch(`${server6.url}/`)).text()).toBe("hello six");
    } finally {
      await fetch.close();
    }
  });

  it("refuses loopback, private, link-local, unspecified and mapped addresses before connecting", async () => {
    const fetch = createSafeFetch({ allowPrivate: false, timeoutMs: 2000 });
    try {
      const before = server.connections();
      for (const url of [`${server.url}/`, `http://[::1]:${server.port}/`, `http://localhost:${server.port}/`, "http://10.0.0.1:8080/",
        "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0:8080/", `http://[::ffff:127.0.0.1]:${server.port}/`,
        `http://2130706433:${server.port}/`, "http://[fd00::1]:8080/", "http://224.0.0.1:8080/"]) {
        const started = Date.now();
        const error = await refusal(fetch(url));
        expect(reasonOf(error), url).toBe("DESTINATION_NOT_ALLOWED");
        expect((error as Error).message).toContain("POLITY_OUTBOUND_ALLOW_PRIVATE");
        // Refused at once, not after a connect attempt timing out.
        expect(Date.now() - started, url).toBeLessThan(1000);
      }
      expect(server.connections()).toBe(before);
    } finally {
      await fetch.close();
    }
  });

  it("judges the address a name resolves to at connect time, not the name", async () => {
    const names: string[] = [];
    const lookup: Lookup = (hostname, _options, callback) => {
      names.push(hostname);
      callback(null, [{ address: "127.0.0.1", family: 4 }]);
    };
    const refusing = createSafeFetch({ allowPrivate: false, lookup });
    const allowing = createSafeFetch({ allowPrivate: true, lookup });
    try {
      const error = await refusal(refusing(`http://public.example:${server.port}/`));
      expect(reasonOf(error)).toBe("DESTINATION_NOT_ALLOWED");
      expect((error as Error).message).toContain("public.example (127.0.0.1)");
      // The same name, allowed, connects to the address the look-up gave, keeping its Host header.
      const response = await allowing(`http://public.example:${server.port}/`);
      expect(await response.text()).toBe(`hello public.example:${server.port}`);
      expect(names).toEqual(["public.example", "public.example"]);
    } finally {
      await refusing.close();
      await allowing.close();
    }
  });

  it("refuses a name with any non-public address among its answers", async () => {
    const lookup: Lookup = (_hostname, _options, callback) => callback(null, [{ address: "93.184.215.14", family: 4 }, { address: "10.0.0.5", family: 4 }]);
    const fetch = createSafeFetch({ allowPrivate: false, lookup });
    try {
      expect(reasonOf(await refusal(fetch("http://mixed.example/")))).toBe("DESTINATION_NOT_ALLOWED");
    } finally {
      await fetch.close();
    }
  });

  it("only speaks http and https", async () => {
    const fetch = createSafeFetch({ allowPrivate: true });
    for (const url of ["file:///etc/passwd", "ftp://127.0.0.1/", "data:text/plain,hi"]) {
      expect(reasonOf(await refusal(fetch(url))), url).toBe("DESTINATION_NOT_ALLOWED");
    }
    await fetch.close();
  });

  it("does not follow redirects, even when asked to", async () => {
    const fetch = createSafeFetch({ allowPrivate: true });
    try {
      const before = server.received.length;
      const response = await fetch(`${server.url}/redirect`, { redirect: "follow" });
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(`${server.url}/target`);
      expect(server.received.slice(before).map((r) => r.url)).toEqual(["/redirect"]);
    } finally {
      await fetch.close();
    }
  });

  it("gives up on a server that never answers after the timeout", async () => {
    const sockets = new Set<import("node:net").Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const fetch = createSafeFetch({ allowPrivate: true, timeoutMs: 300 });
    try {
      const started = Date.now();
      const error = await refusal(fetch(`http://127.0.0.1:${port}/`));
      expect((error as Error).name).toBe("TimeoutError");
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await fetch.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
