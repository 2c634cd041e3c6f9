// The messaging module's HTTP routes under hostile peers. The one-click unsubscribe link (no session: anyone
// may call it): malformed bodies and tokens, bodies over webhookMaxBytes (declared and chunked, HTTP/1.1 and
// h2c), bodies that never finish. Every answer is a 4xx of its own kind (or the 200 a valid request earns),
// never a 500, and the port keeps serving.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { sealUnsubscribeToken } from "../../mod/messaging/contacts/unsubscribe-token.js";
import { createKeyring } from "../../sys/core/secrets/keyring.js";
import { startPostgresServer, type TestServer } from "../support/server.js";
import { endlessH1, endlessH2, rawExchange } from "./support/transport.js";

const MAX = 32 * 1024;
const BODY_TIMEOUT_MS = 1000;
const KEY = randomBytes(32);
let server: TestServer;
let valid: string;
let member: string;

beforeAll(async () => {
  server = await startPostgresServer("messaging_routes", {
    POLITY_SECRETS_KEY: KEY.toString("base64"),
    POLITY_WEBHOOK_MAX_BYTES: String(MAX),
    POLITY_REQUEST_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
    POLITY_IDLE_TIMEOUT_MS: "600",
    POLITY_HEADERS_TIMEOUT_MS: "500",
  });
  const keyring = createKeyring({ current: KEY });
  // Tokens this server opens, naming nobody it knows: an opt-out for them changes nothing.
  valid = `/api/messaging/unsubscribe/${sealUnsubscribeToken(keyring, { orgId: randomUUID(), ref: { contactId: randomUUID() }, channel: Channel.EMAIL })}`;
  member = `/api/messaging/unsubscribe/${sealUnsubscribeToken(keyring, { orgId: randomUUID(), ref: { member: { communityId: randomUUID(), accountId: randomUUID() } }, channel: Channel.EMAIL })}`;
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

const url = (path: string) => `${server.url}${path}`;
const stillServing = async () => expect((await fetch(url(valid))).status).toBe(200);
const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe("unsubscribe route", () => {
  it("answers malformed bodies with 400 and a valid one-click POST with 200", async () => {
    const bodies: Array<[Record<string, string>, string | Buffer, number]> = [
      [FORM, "List-Unsubscribe=One-Click", 200],
      [FORM, "", 400],
      [FORM, "List-Unsubscribe=One-Click%ZZ&%%%", 400],
      [FORM, Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]), 400],
      [{ "content-type": "application/json" }, '{"List-Unsubscribe": "One-Click"', 400],
      [{ "content-type": "multipart/form-data" }, "--x\r\nContent-Disposition: form-data\r\n\r\n", 400],
      [{ "content-type": "multipart/form-data; boundary=x" }, "--x\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--x--\r\n", 200],
      [{}, "List-Unsubscribe=One-Click", 200],
    ];
    for (const [headers, body, status] of bodies) {
      for (const path of [valid, member]) {
        const res = await fetch(url(path), { method: "POST", headers, body: typeof body === "string" ? body : new Uint8Array(body) });
        expect({ body: String(body).slice(0, 40), status: res.status }).toEqual({ body: String(body).slice(0, 40), status });
      }
    }
    await stillServing();
  });

  it("answers malformed, forged and oversized tokens with 404", async () => {
    const keyring = createKeyring({ current: randomBytes(32) });
    const forged = sealUnsubscribeToken(keyring, { orgId: randomUUID(), ref: { contactId: randomUUID() }, channel: Channel.EMAIL });
    const tokens = ["x", "v1.abc.def.ghi", forged, "%E0%A4%A", "..%2F..%2Fetc%2Fpasswd", "a".repeat(499), "a".repeat(5000), valid.split("/").pop()!.replace(/.$/, "A")];
    for (const token of tokens) {
      // A path parameter over the router's 500 characters matches no route: a GET then gets the web app's page.
      for (const method of token.length > 500 ? ["POST"] : ["GET", "POST"]) {
        const res = await fetch(url(`/api/messaging/unsubscribe/${token}`), { method, headers: FORM, body: method === "POST" ? "List-Unsubscribe=One-Click" : undefined });
        expect({ token: token.slice(0, 30), method, client: res.status >= 400 && res.status < 500 }).toEqual({ token: token.slice(0, 30), method, client: true });
      }
    }
    await stillServing();
  });

  it("refuses bodies over the limit, declared or chunked, on HTTP/1.1 and h2c", async () => {
    const endless = { head: Buffer.from("List-Unsubscribe="), total: 16 * MAX };
    const [declared, chunked, h2] = await Promise.all([
      endlessH1(server.url, valid, { ...FORM, "content-length": String(endless.total) }, endless),
      endlessH1(server.url, valid, FORM, endless),
      endlessH2(server.url, valid, FORM, endless),
    ]);
    expect({ declared: declared.status, chunked: chunked.status, h2: Number(h2.headers[":status"]) }).toEqual({ declared: 413, chunked: 413, h2: 413 });
    await stillServing();
  }, 60_000);

  it("answers 408 to a body that never finishes, within the body timeout", async () => {
    const head = `POST ${valid} HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 1000\r\n\r\nList-Unsub`;
    const { received, closedAfterMs } = await rawExchange(server.url, Buffer.from(head), 6000);
    expect(received.slice(0, 12)).toBe("HTTP/1.1 408");
    expect(closedAfterMs).toBeLessThan(BODY_TIMEOUT_MS + 2000);
    await stillServing();
  }, 30_000);

  it("never answered 500", () => {
    const errors = server.logs.filter((line) => line.includes('"status":500') || line.includes('"level":50'));
    expect(errors).toEqual([]);
  });
});
