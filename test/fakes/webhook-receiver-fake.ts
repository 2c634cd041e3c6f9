// A local webhook receiver for the webhook provider (tests and the blast benchmark): a real HTTP server that
// counts deliveries by their Idempotency-Key, so a test can tell "every message arrived" from "some arrived
// twice", checks Polity-Signature when given the secret, and posts signed replies and delivery reports back.
// It keeps a counter per key and, unless `keepBodies: false`, the parsed bodies; 100,000 deliveries cost a map
// of 100,000 small entries.
//
//   const receiver = await createWebhookReceiverFake({ secret });
//   config = { secret, url: receiver.url }         // or the contact's address = receiver.url
//   receiver.failNext(2, { status: 429, retryAfterSeconds: 3 }); receiver.failNext(1, { status: 500 });
//   receiver.delivered (unique keys), receiver.total, receiver.duplicates() ([key, count] with count > 1)
//   receiver.report(url, { type: "status", id, state: "delivered" })   signed POST to Polity's webhook
import { createHmac } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson, startFakeHttpServer } from "./fake-http-server.js";

export interface WebhookDelivery { key: string; body: Record<string, unknown> }

export interface WebhookReceiverFake {
  url: string;
  /** Distinct Idempotency-Keys answered 2xx. */
  readonly delivered: number;
  /** Every request answered 2xx, duplicates included. */
  readonly total: number;
  /** Requests refused: bad or missing signature, or no Idempotency-Key (400/401). */
  readonly refused: number;
  counts: Map<string, number>;
  deliveries: WebhookDelivery[];
  duplicates(): Array<[string, number]>;
  failNext(times: number, answer: { status: number; retryAfterSeconds?: number; body?: unknown }): void;
  /** Resolves once `count` distinct keys were delivered. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  report(url: string, body: unknown, options?: { secret?: string | null }): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export async function createWebhookReceiverFake(options: { secret?: string; keepBodies?: boolean; delayMs?: number } = {}): Promise<WebhookReceiverFake> {
  const counts = new Map<string, number>();
  const deliveries: WebhookDelivery[] = [];
  const failures: Array<{ status: number; retryAfterSeconds?: number; body?: unknown }> = [];
  const waiters: Array<{ count: number; wake: () => void }> = [];
  let total = 0, refused = 0;

  const server = await startFakeHttpServer(serve, (error) => ({ status: 500, body: { error: String(error) } }));

  async function serve(request: IncomingMessage, response: ServerResponse) {
    const raw = await readRaw(request);
    const key = request.headers["idempotency-key"];
    if (typeof key !== "string" || key === "") return refuse(response, 400, "Idempotency-Key required");
    if (options.secret && !signedBy(options.secret, String(request.headers["polity-signature"] ?? ""), raw)) return refuse(response, 401, "bad signature");
    const failure = failures.shift();
    if (failure) {
      response.writeHead(failure.status, { "Content-Type": "application/json", ...(failure.retryAfterSeconds !== undefined ? { "Retry-After": String(failure.retryAfterSeconds) } : {}) })
        .end(JSON.stringify(failure.body ?? { error: `status ${failure.status}` }));
      return;
    }
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    total++;
    const seen = counts.get(key) ?? 0;
    counts.set(key, seen + 1);
    if (options.keepBodies !== false) deliveries.push({ key, body: JSON.parse(raw.toString("utf8")) as Record<string, unknown> });
    if (seen === 0 && waiters.length > 0) wakeWaiters();
    sendJson(response, 200, { received: true, duplicate: seen > 0 });
  }

  function refuse(response: ServerResponse, status: number, error: string) {
    refused++;
    sendJson(response, status, { error });
  }

  function wakeWaiters() {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (counts.size >= waiters[i]!.count) waiters.splice(i, 1)[0]!.wake();
    }
  }

  return {
    url: server.url, counts, deliveries,
    get delivered() { return counts.size; },
    get total() { return total; },
    get refused() { return refused; },
    duplicates: () => [...counts].filter(([, count]) => count > 1),
    failNext: (times, answer) => { for (let i = 0; i < times; i++) failures.push(answer); },
    waitFor: (count, timeoutMs = 30_000) => new Promise<void>((resolve, reject) => {
      if (counts.size >= count) return resolve();
      const timer = setTimeout(() => reject(new Error(`expected ${count} deliveries, got ${counts.size}`)), timeoutMs);
      waiters.push({ count, wake: () => { clearTimeout(timer); resolve(); } });
    }),
    async report(url, body, reportOptions = {}) {
      const raw = JSON.stringify(body);
      const secret = reportOptions.secret === undefined ? options.secret : reportOptions.secret;
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (secret) {
        const t = Math.floor(Date.now() / 1000);
        headers["Polity-Signature"] = `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${raw}`).digest("hex")}`;
      }
      const answer = await fetch(url, { method: "POST", headers, body: raw, signal: AbortSignal.timeout(10_000) });
      return { status: answer.status, body: await answer.text() };
    },
    close: server.close,
  };
}

/** Polity-Signature (t=…,v1=…) checked as a receiver would, written independently of Polity's own code. */
function signedBy(secret: string, header: string, raw: Buffer): boolean {
  const parts = Object.fromEntries(header.split(",").map((part) => part.trim().split("=", 2) as [string, string]));
  if (!parts.t || !parts.v1) return false;
  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > 300) return false;
  return createHmac("sha256", secret).update(`${parts.t}.`).update(raw).digest("hex") === parts.v1;
}

// Stream events, not `for await`: the async iterator costs more than the rest of a delivery at benchmark rates.
function readRaw(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    request.on("error", reject);
  });
}
