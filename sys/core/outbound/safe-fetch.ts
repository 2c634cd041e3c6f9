// Every request Polity makes to a URL someone else chose (process callbacks, subscriptions, plugins) goes
// through this fetch, so a caller cannot make the server probe its own network. The check is on the address
// actually connected: a name is resolved inside the socket's connect (undici connector + lookup hook) and the
// resolved addresses are checked there, so a name that answers "public" to a first look-up and "127.0.0.1" to
// the real one (DNS rebinding) gains nothing. Redirects are never followed, as a public URL could redirect to
// a private one; the caller sees the 3xx.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { isIP, type Socket } from "node:net";
import { Code } from "@connectrpc/connect";
import ipaddr from "ipaddr.js";
import type { Agent, buildConnector } from "undici";
import { apiError, reasonOf } from "../errors.js";
import { lazyModule } from "../lazy-module.js";

const undici = lazyModule<typeof import("undici")>("undici");
type BuildOptions = buildConnector.BuildOptions;

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface SafeFetch extends FetchLike {
  /** Closes the pooled connections (at shutdown). */
  close(): Promise<void>;
}

export type Lookup = (hostname: string, options: LookupOptions & { all: true }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

export interface SafeFetchOptions {
  /** Allow loopback, private and other non-public destinations (POLITY_OUTBOUND_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Whole-request deadline, headers and body, unless the caller's own signal fires first. */
  timeoutMs?: number;
  /** Name resolution at connect time (default: the system resolver, as every other connection uses). */
  lookup?: Lookup;
}

export const DEFAULT_OUTBOUND_TIMEOUT_MS = 10_000;

// The public internet: ipaddr.js's "unicast" is what is left after every special-purpose range (private,
// loopback, link-local, CGNAT, documentation, benchmarking, 6to4/Teredo/NAT64 that embed an IPv4 address, ...).
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

/** Whether `address` (an IP literal) is a public destination. IPv4-mapped IPv6 is judged as its IPv4 address. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  if (parsed.range() !== "unicast") return false;
  return parsed.kind() === "ipv4" || parsed.match(GLOBAL_UNICAST_V6);
}

export function destinationNotAllowed(what: string, address?: string) {
  return apiError(Code.PermissionDenied, "DESTINATION_NOT_ALLOWED",
    `outbound request to ${what}${address && address !== what ? ` (${address})` : ""} refused: not a public internet address ` +
    "(set POLITY_OUTBOUND_ALLOW_PRIVATE=true to allow loopback and private networks)", address ? { address } : {});
}

export function createSafeFetch({ allowPrivate, timeoutMs = DEFAULT_OUTBOUND_TIMEOUT_MS, lookup = dnsLookup as Lookup }: SafeFetchOptions): SafeFetch {
  const allowed = (address: string) => allowPrivate || isPublicAddress(address);
  const checkedLookup = (hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error);
      // One bad address refuses the name: a name that mixes public and private answers is not trusted.
      const refused = addresses.find((entry) => !allowed(entry.address));
      if (refused) return callback(destinationNotAllowed(hostname, refused.address));
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }));
      // net.connect asks for every address when it races IPv4 and IPv6 (autoSelectFamily), else for one.
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
  // undici (the HTTP client) is loaded and its agent made on the first outbound request.
  let agent: Agent | undefined;
  const createAgent = (): Agent => {
    const { Agent, buildConnector } = undici();
    const connect = buildConnector({ timeout: Math.min(timeoutMs, 10_000), lookup: checkedLookup } as BuildOptions);
    return new Agent({
      connect(options, callback) {
        const host = options.hostname.replace(/^\[(.*)\]$/, "$1");
        // An IP literal is never looked up, so it is checked here, before any packet is sent.
        if (isIP(host) && !allowed(host)) return callback(destinationNotAllowed(host, host), null);
        return connect(options, (error, socket) => {
          if (error) return callback(error, null);
          // Belt and braces: the peer the socket really reached.
          const peer = (socket as Socket).remoteAddress;
          if (!peer || !allowed(peer)) {
            socket!.destroy();
            return callback(destinationNotAllowed(host, peer), null);
          }
          callback(null, socket!);
        });
      },
    });
  };

  const safeFetch = (async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(input);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw apiError(Code.PermissionDenied, "DESTINATION_NOT_ALLOWED", `outbound request to ${url.protocol} URL refused: only http: and https: are allowed`);
    }
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      return (await undici().fetch(url, { ...(init as object), signal, redirect: "manual", dispatcher: (agent ??= createAgent()) })) as unknown as Response;
    } catch (error) {
      // undici wraps connect errors in "fetch failed": surface our refusal itself.
      const cause = (error as { cause?: unknown }).cause;
      if (reasonOf(cause) === "DESTINATION_NOT_ALLOWED") throw cause;
      throw error;
    }
  }) as SafeFetch;
  safeFetch.close = () => agent?.close() ?? Promise.resolve();
  return safeFetch;
}

