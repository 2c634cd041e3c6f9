// One cached HTTP/2 session to an upstream (sys, or a module's process) for every call forwarded there (h2c for
// http://, TLS with ALPN h2 for https://). A session that the upstream closes, or tells to go away (restart,
// drain, idle timeout), is dropped at once: its open streams run to their end on it and the next call opens a new one.
import http2, { type ClientHttp2Session, type SecureClientSessionOptions } from "node:http2";
import type { Logger } from "pino";

export interface UpstreamSession {
  /** The current session, opened on first use and after the last one closed or went away. */
  get(): ClientHttp2Session;
  /** Closes every session (those still finishing streams too); destroys them after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

export interface UpstreamSessionOptions {
  url: string;
  /** What the upstream is called in logs and errors ("sys", "the disco module"). */
  name: string;
  logger: Logger;
  /** A connection that is not up within this time fails, with every call waiting on it. */
  connectTimeoutMs?: number;
  /** TLS options (a private CA, say) for an https url. */
  tls?: SecureClientSessionOptions;
}

export function createUpstreamSession({ url, name, logger, connectTimeoutMs = 5000, tls }: UpstreamSessionOptions): UpstreamSession {
  const all = new Set<ClientHttp2Session>();
  let current: ClientHttp2Session | undefined;
  let closing = false;

  function open(): ClientHttp2Session {
    const session = http2.connect(url, tls ?? {});
    all.add(session);
    const forget = () => {
      if (current === session) current = undefined;
    };
    const timer = setTimeout(() => session.destroy(new Error(`${name} did not accept a connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    timer.unref();
    session.once("connect", () => clearTimeout(timer));
    // Its streams fail with the error too; that is where callers hear of it. Logged here once per connection.
    session.on("error", (error) => logger.warn({ err: error, url }, `connection to ${name} failed`));
    session.on("goaway", forget);
    session.once("close", () => {
      clearTimeout(timer);
      forget();
      all.delete(session);
    });
    return session;
  }

  return {
    get() {
      if (closing) throw new Error(`the forwarder to ${name} is closed`);
      if (!current || current.closed || current.destroyed) current = open();
      return current;
    },
    async close(graceMs = 1000) {
      closing = true;
      current = undefined;
      await Promise.all([...all].map((session) => new Promise<void>((resolve) => {
        if (session.destroyed) return resolve();
        const timer = setTimeout(() => session.destroy(), graceMs);
        session.close(() => {
          clearTimeout(timer);
          resolve();
        });
      })));
    },
  };
}
