// The messaging inbound webhook (/api/messaging/hooks/{provider}) under hostile peers: malformed bodies,
// unknown providers, bodies over webhookMaxBytes (declared and chunked, HTTP/1.1 and h2c), bodies that never
// finish and idle connections. Every answer is a 4xx of its own kind, nothing is stored, never a 500, and the
// port keeps serving.
import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { sampleConfig } from "../messaging/providers-sample.js";
import { type ProviderStage, startProviderStage } from "../messaging/providers-stage.js";
import { connectRaw, endlessH1, endlessH2, rawExchange } from "./support/transport.js";

const MAX = 32 * 1024;
const BODY_TIMEOUT_MS = 1000;
let stage: ProviderStage;
let hook: string;
let disabledHook: string;

beforeAll(async () => {
  stage = await startProviderStage("msg_hooks", { POLITY_WEBHOOK_MAX_BYTES: String(MAX), POLITY_REQUEST_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS), POLITY_IDLE_TIMEOUT_MS: "600", POLITY_HEADERS_TIMEOUT_MS: "500", POLITY_FIRST_BYTE_TIMEOUT_MS: "300" });
  const { kinds } = await stage.providers.listProviderKinds({ orgId: stage.orgId });
  const sms = kinds.find((k) => k.channel === Channel.SMS && k.inbound)!;
  const secrets = Object.fromEntries(sms.secretFields.map((f) => [f, "a-robustness-secret"]));
  const make = async (name: string, disabled: boolean) =>
    (await stage.providers.createProvider({ orgId: stage.orgId, kind: sms.kind, name, config: sampleConfig(sms, secrets), disabled })).provider!;
  hook = `/api/messaging/hooks/${(await make("hooks-sms", false)).id}`;
  disabledHook = `/api/messaging/hooks/${(await make("hooks-off", true)).id}`;
}, 120_000);
afterAll(async () => {
  await stage?.stop();
});

const stored = async () => Number((await stage.sql.query<{ n: string }>("select count(*) as n from mod.messaging_inbound_events")).rows[0]!.n);
const stillServing = async () => expect((await fetch(`${stage.server.url}${hook}`, { method: "POST", body: "x" })).status).toBe(401);

describe("messaging hooks", () => {
  it("refuse unsigned, malformed and unknown deliveries with their own 4xx and store nothing", async () => {
    const post = (path: string, body: string, headers: Record<string, string> = {}) => fetch(`${stage.server.url}${path}`, { method: "POST", headers, body });
    const answers = {
      malformedJson: (await post(hook, '{"From": ', { "content-type": "application/json" })).status,
      malformedForm: (await post(hook, "From=%ZZ&&Body", { "content-type": "application/x-www-form-urlencoded" })).status,
      badSignature: (await post(hook, "From=%2B15005550006&Body=STOP&MessageSid=SM1", { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "bm90IGEgc2lnbmF0dXJl" })).status,
      empty: (await post(hook, "")).status,
      unknownProvider: (await post(`/api/messaging/hooks/${crypto.randomUUID()}`, "From=x")).status,
      notAUuid: (await post("/api/messaging/hooks/not-a-uuid", "From=x")).status,
      disabled: (await post(disabledHook, "From=x")).status,
      get: (await fetch(`${stage.server.url}${hook}`)).status,
    };
    expect(answers).toEqual({ malformedJson: 401, malformedForm: 401, badSignature: 401, empty: 401, unknownProvider: 404, notAUuid: 404, disabled: 404, get: 405 });
    expect(await stored()).toBe(0);
  });

  it("refuse bodies over the limit, declared or chunked, on HTTP/1.1 and h2c", async () => {
    const endless = { head: Buffer.from("From=%2B1&Body="), total: 16 * MAX };
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    const [declared, chunked, h2] = await Promise.all([
      endlessH1(stage.server.url, hook, { ...headers, "content-length": String(endless.total) }, endless),
      endlessH1(stage.server.url, hook, headers, endless),
      endlessH2(stage.server.url, hook, headers, endless),
    ]);
    expect({ declared: declared.status, chunked: chunked.status, h2: Number(h2.headers[":status"]) }).toEqual({ declared: 413, chunked: 413, h2: 413 });
    expect(await stored()).toBe(0);
    await stillServing();
  }, 60_000);

  it("answer 408 to a body that never finishes, within the body timeout", async () => {
    const head = `POST ${hook} HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 1000\r\n\r\nFrom=`;
    const { received, closedAfterMs } = await rawExchange(stage.server.url, Buffer.from(head), 6000);
    expect(received.slice(0, 12)).toBe("HTTP/1.1 408");
    expect(closedAfterMs).toBeLessThan(BODY_TIMEOUT_MS + 2000);
    await stillServing();
  }, 30_000);

  it("close a connection that never sends a request, and an h2c session left idle after a hook's answer", async () => {
    const socket = await connectRaw(stage.server.url);
    const started = Date.now();
    socket.resume(); // reading is what lets the socket see the server's FIN
    await new Promise<void>((resolve) => socket.once("close", () => resolve()));
    expect(Date.now() - started).toBeLessThan(300 + 1500);

    const session = http2.connect(stage.server.url);
    session.on("error", () => {});
    const goaway = new Promise<number>((resolve) => session.once("goaway", () => resolve(Date.now())));
    const status = await new Promise<number>((resolve, reject) => {
      const stream = session.request({ ":method": "POST", ":path": hook, "content-type": "application/x-www-form-urlencoded" });
      let answer = 0;
      stream.on("response", (h) => (answer = Number(h[":status"])));
      stream.on("error", reject);
      stream.resume();
      stream.on("end", () => resolve(answer));
      stream.end("From=%2B1&Body=hi");
    });
    expect(status).toBe(401);
    const answered = Date.now();
    expect((await goaway) - answered).toBeLessThan(600 + 1500);
    session.destroy();
    await stillServing();
  }, 15_000);

  it("never answered 500", async () => {
    const errors = stage.server.logs.filter((line) => line.includes('"status":500') || line.includes('"level":50'));
    expect(errors).toEqual([]);
  });
});
