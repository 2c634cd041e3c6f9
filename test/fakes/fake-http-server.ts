// What the platform fakes (discourse-fake.ts, loomio-fake.ts) share on the HTTP side: a real server on
// 127.0.0.1 and a free port, request bodies read the way those Rails apps read them (JSON, or a form whose
// `key[]` fields are lists), and JSON answers.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeHttpServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves each request with `serve`; whatever it throws is answered as `answerFor(error)` says, so a fake can turn
 * its platform's refusals into that platform's error bodies.
 */
export async function startFakeHttpServer(
  serve: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
  answerFor: (error: unknown) => { status: number; body: unknown },
): Promise<FakeHttpServer> {
  const server = createServer((request, response) => {
    void serve(request, response).catch((error: unknown) => {
      const answer = answerFor(error);
      sendJson(response, answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    // Webhook receivers keep connections alive: close them too, or close() waits for their timeout.
    close: () => new Promise<void>((resolve, reject) => { server.closeAllConnections(); server.close((error) => (error ? reject(error) : resolve())); }),
  };
}

/** A JSON body as an object; a form body with each `key[]` field gathered into a list. */
export async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  if ((request.headers["content-type"] ?? "").includes("application/json")) return JSON.parse(text) as Record<string, unknown>;
  const form: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) form[key] = key.endsWith("[]") ? [...toList(form[key]), value] : value;
  return form;
}

/** A parameter that may be one value or a list, as a list of strings. */
export function toList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}
