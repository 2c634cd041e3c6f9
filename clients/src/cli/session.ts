// Everything a command needs: the client for --server with stored (or env) credentials, and output helpers.
// Rotated tokens are written back at once, so the next invocation starts from the newest refresh token.
import type { Command } from "commander";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { createPolityClient } from "../node.js";
import type { PolityClient, Protocol } from "../core.js";
import type { Credentials } from "../tokens.js";
import { configDir, createCredentialStore, type CredentialStore } from "./credentials.js";
import { printJson } from "./output.js";
import type { Io } from "./io.js";

export interface GlobalOptions {
  server: string;
  json: boolean;
  protocol: Protocol;
  timeout?: number;
}

export interface Session {
  io: Io;
  server: string;
  json: boolean;
  store: CredentialStore;
  /** The client, built on first use. */
  readonly client: PolityClient;
  /** Prints the message as JSON with --json, else calls human(). */
  emit<D extends DescMessage>(schema: D, message: MessageShape<D>, human: () => void): void;
}

export function createSession(io: Io, opts: GlobalOptions): Session {
  const store = createCredentialStore(configDir(io.env));
  const server = opts.server.replace(/\/+$/, "");
  let client: PolityClient | undefined;

  function credentials(): Credentials {
    // Scripts and drivers can skip login: an API key or a token in the environment is used as is.
    const apiKey = io.env.POLITY_API_KEY;
    if (apiKey) return { apiKey };
    const accessToken = io.env.POLITY_TOKEN;
    if (accessToken) return { accessToken };
    return {
      ...store.get(server),
      onTokens: (t) => (t.accessToken || t.refreshToken ? store.put(server, t) : store.remove(server)),
    };
  }

  return {
    io,
    server,
    json: opts.json,
    store,
    get client() {
      client ??= createPolityClient({ baseUrl: server, protocol: opts.protocol, credentials: credentials(), timeoutMs: opts.timeout });
      return client;
    },
    emit(schema, message, human) {
      if (opts.json) printJson(io, schema, message);
      else human();
    },
  };
}

/** Wraps a commander action: the last argument commander passes is the Command, the rest are its args. */
export function action<A extends unknown[]>(io: Io, fn: (s: Session, ...args: A) => Promise<void>) {
  return async (...args: unknown[]) => {
    const cmd = args.at(-1) as Command;
    await fn(createSession(io, cmd.optsWithGlobals<GlobalOptions>()), ...(args.slice(0, -1) as A));
  };
}
