// Runs matrix cells: one call per (RPC, variant, principal, target org) through the generated gRPC client, and
// what came back: "denied" (PERMISSION_DENIED / UNAUTHENTICATED not explained by the handler) or "allowed"
// (anything else: OK, NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION…), with the response for the leak scans.
import { type DescService, toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../../../clients/src/gen/google/rpc/error_details_pb.js";
import { transportFor } from "../../support/clients.js";
import { type Case, type Cell } from "./matrix-cases.js";
import { expectAllowed } from "./matrix-expect.js";
import type { Actor, Fixture, OrgFx } from "./matrix-fixture.js";
import { resourceOf, type RpcRule } from "./matrix-rules.js";

export interface Outcome {
  rpc: string;
  variant: string;
  principal: Actor;
  /** The target org, when the request named one of its resources. */
  org?: OrgFx["key"];
  resource: string;
  expected: "allowed" | "denied";
  observed: "allowed" | "denied";
  /** "OK" or the error's code name and reason. */
  detail: string;
  message?: string;
  code: Code | undefined;
  /** The first response message as JSON, when the call answered. */
  responseJson?: string;
  ms: number;
}

export interface PlannedCell {
  rpc: RpcRule;
  kase: Case;
  variant: string;
  who: Actor;
  org: OrgFx;
  /** Whether the resource is decided per target org (the rule names one). */
  perOrg: boolean;
}

const transports = new Map<string, Transport>();
function transportOf(fx: Fixture, who: Actor): Transport {
  const key = `${fx.url} ${who.name}`;
  let t = transports.get(key);
  if (!t) transports.set(key, (t = transportFor(fx.url, "grpc", () => who.token)));
  return t;
}

export function forgetTransports(): void {
  transports.clear();
}

/**
 * A gRPC answer that ended without a status (seen now and then on a server-streaming call refused before its
 * first message, under load): the transport failed, not the decision. Retried once and listed in the report.
 */
export const transportFlakes: string[] = [];
const isTransportFlake = (error: ConnectError) => error.code === Code.Internal && /protocol error: missing status/.test(error.rawMessage);

/** Streams answer nothing until there is something to say; an open stream after this long passed the guard. */
const STREAM_PATIENCE_MS = 1500;

async function invoke(fx: Fixture, rpc: RpcRule, who: Actor, request: Record<string, unknown>): Promise<{ message?: unknown; error?: ConnectError }> {
  const client = createClient(rpc.service as DescService, transportOf(fx, who)) as unknown as Record<string, (req: unknown, opts?: unknown) => unknown>;
  const call = client[rpc.method.localName];
  try {
    if (rpc.method.methodKind === "unary") return { message: await (call(request) as Promise<unknown>) };
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), STREAM_PATIENCE_MS);
    try {
      for await (const message of call(request, { signal: abort.signal }) as AsyncIterable<unknown>) {
        abort.abort();
        return { message };
      }
      return {};
    } catch (error) {
      if (abort.signal.aborted && ConnectError.from(error).code === Code.Canceled) return {};
      throw error;
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    return { error: ConnectError.from(error) };
  }
}

export async function runCell(fx: Fixture, cell: PlannedCell): Promise<Outcome> {
  const { rpc, kase, variant, who, org } = cell;
  const c: Cell = { fx, who, org };
  const request = await kase.variants[variant](c);
  const resource = resourceOf(rpc, request);
  const expected = expectAllowed(rpc.rule!, who, resource, fx.world) ? "allowed" : "denied";
  const started = performance.now();
  let { message, error } = await invoke(fx, rpc, who, request);
  if (error && isTransportFlake(error)) {
    transportFlakes.push(`${rpc.name} as ${who.name}: ${error.rawMessage}`);
    ({ message, error } = await invoke(fx, rpc, who, request));
  }
  const ms = performance.now() - started;
  const reason = error?.findDetails(ErrorInfoSchema)[0]?.reason ?? "";
  const refused = !!error && (error.code === Code.PermissionDenied || error.code === Code.Unauthenticated) && !(kase.handlerReasons ?? []).includes(reason);
  if (kase.restore) await kase.restore(c, !refused);
  const responseJson = message ? toJsonString(rpc.method.output, message as never) : undefined;
  return {
    rpc: rpc.name.replace(/^polity\.[a-z.0-9]+\./, ""),
    variant,
    principal: who,
    org: cell.perOrg && !kase.orgless?.includes(variant) ? org.key : undefined,
    resource,
    expected,
    observed: refused ? "denied" : "allowed",
    detail: error ? `${Code[error.code]}${reason ? ` ${reason}` : ""}` : "OK",
    message: error?.rawMessage,
    code: error?.code,
    responseJson,
    ms,
  };
}

/**
 * Runs `width` RPCs at a time, the cells of one RPC one after the other (they share their targets: two
 * concurrent changes of one row are another test's business).
 */
export async function runCells(fx: Fixture, cells: PlannedCell[], width: number): Promise<Outcome[]> {
  // Password checks (scrypt) are the slowest cells: started first, they overlap with everything else.
  const slow = (cell: PlannedCell) => (/^(Login|ChangePassword|Register)$/.test(cell.rpc.method.name) ? 0 : 1);
  const groups = [...Map.groupBy(cells, (cell) => cell.rpc.name).values()].sort((a, b) => slow(a[0]) - slow(b[0]));
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < groups.length) {
        for (const cell of groups[next++]) outcomes.push(await runCell(fx, cell));
      }
    }),
  );
  return outcomes;
}

export function describeOutcome(o: Outcome): string {
  const kind = o.resource.replace(/\/.*/, "");
  const where = o.resource === "platform" ? "" : o.org ? ` on ${kind} of org ${o.org}` : ` on ${kind}`;
  return `${o.rpc} [${o.variant}] as ${o.principal.name}${where}: expected ${o.expected}, got ${o.detail}`;
}

/** The RPCs whose cells took longest in all (MATRIX_DEBUG=1 prints it): where the matrix's time goes. */
export function timingReport(outcomes: Outcome[], top = 10): string {
  const per = new Map<string, { n: number; ms: number }>();
  for (const o of outcomes) {
    const e = per.get(o.rpc) ?? { n: 0, ms: 0 };
    per.set(o.rpc, { n: e.n + 1, ms: e.ms + o.ms });
  }
  const slowest = [...per].sort((a, b) => b[1].ms - a[1].ms).slice(0, top);
  return [`${outcomes.length} cells`, ...slowest.map(([rpc, { n, ms }]) => `${rpc}: ${n} cells, ${Math.round(ms)} ms`)].join("\n");
}
