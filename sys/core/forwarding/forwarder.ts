// What the host asks before routing a call itself: does another process serve this path? A mod process relays
// sys's services to sys and, given `moduleUrls`, other modules' services to where those run.
import type { ForwardedRequest } from "./outgoing-headers.js";
import type { Res } from "./relay.js";

export interface Forwarder {
  /** Forwards the request when another process serves its path and returns true; false leaves it to the caller. */
  handle(req: ForwardedRequest, res: Res): boolean;
  close(): Promise<void>;
}

/** One forwarder asking each in turn (first match wins); undefined when there is none. */
export function chainForwarders(forwarders: Array<Forwarder | undefined>): Forwarder | undefined {
  const present = forwarders.filter((f): f is Forwarder => f !== undefined);
  if (present.length <= 1) return present[0];
  return {
    handle: (req, res) => present.some((f) => f.handle(req, res)),
    close: () => Promise.all(present.map((f) => f.close())).then(() => undefined),
  };
}

/** A request's path without its query string. */
export function pathOf(req: ForwardedRequest): string {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}
