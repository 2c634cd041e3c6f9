// For platform plugin tests (discourse, loomio): a real HTTP endpoint standing in for Polity's hook URL, so a
// platform fake's webhooks arrive over HTTP and the plugin gets each one as the governance module would hand it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Json, WebhookDelivery } from "../sdk/define-plugin.js";

export interface HookReceiver {
  /** The hook URL, ending in `path` (e.g. /api/hooks/discourse). */
  url: string;
  /** Each request in arrival order: header names lower-cased, the raw bytes, the query, the body parsed. */
  received: WebhookDelivery[];
  close(): Promise<void>;
}

export async function createHookReceiver(path: string): Promise<HookReceiver> {
  const received: WebhookDelivery[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(", ") : value]));
    received.push({ headers, rawBody, query: Object.fromEntries(new URL(request.url ?? "/", "http://x").searchParams), body: parsedOrNull(rawBody) });
    response.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** As the module parses a delivery: JSON, or null when the body is not JSON. */
function parsedOrNull(rawBody: Buffer): Json {
  try {
    return JSON.parse(rawBody.toString("utf8")) as Json;
  } catch {
    return null;
  }
}
