// Tokens per server in $XDG_CONFIG_HOME/polity/credentials.json (or ~/.config/polity), readable by the
// user only. Writes go through a temporary file and a rename, so a crash never leaves half a file.
import { mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Tokens } from "../tokens.js";

interface StoredTokens {
  accessToken?: string;
  accessTokenExpiresAt?: string;
  refreshToken?: string;
  refreshTokenExpiresAt?: string;
  accountId?: string;
}

interface CredentialsFile {
  version: 1;
  servers: Record<string, StoredTokens>;
}

export interface CredentialStore {
  readonly path: string;
  get(server: string): Tokens | undefined;
  put(server: string, tokens: Tokens): void;
  remove(server: string): void;
}

export function configDir(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "polity");
}

export function createCredentialStore(dir: string): CredentialStore {
  const path = join(dir, "credentials.json");

  function load(): CredentialsFile {
    try {
      const data = JSON.parse(readFileSync(path, "utf8")) as Partial<CredentialsFile>;
      return { version: 1, servers: data.servers ?? {} };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, servers: {} };
      throw new Error(`cannot read ${path}: ${(err as Error).message}`);
    }
  }

  function save(file: CredentialsFile): void {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(file, null, 2) + "\n", { mode: 0o600 });
    chmodSync(tmp, 0o600); // the umask may have narrowed the mode, never widened it; make it exact anyway
    renameSync(tmp, path);
  }

  return {
    path,
    get(server) {
      const s = load().servers[key(server)];
      if (!s) return undefined;
      return {
        accessToken: s.accessToken,
        accessTokenExpiresAt: s.accessTokenExpiresAt ? new Date(s.accessTokenExpiresAt) : undefined,
        refreshToken: s.refreshToken,
        refreshTokenExpiresAt: s.refreshTokenExpiresAt ? new Date(s.refreshTokenExpiresAt) : undefined,
        accountId: s.accountId,
      };
    },
    put(server, t) {
      const file = load();
      file.servers[key(server)] = {
        accessToken: t.accessToken,
        accessTokenExpiresAt: t.accessTokenExpiresAt?.toISOString(),
        refreshToken: t.refreshToken,
        refreshTokenExpiresAt: t.refreshTokenExpiresAt?.toISOString(),
        accountId: t.accountId,
      };
      save(file);
    },
    remove(server) {
      const file = load();
      if (!(key(server) in file.servers)) return;
      delete file.servers[key(server)];
      save(file);
    },
  };
}

/** One entry per origin and path: "http://h:8080/" and "http://h:8080" are the same server. */
function key(server: string): string {
  return server.replace(/\/+$/, "");
}
