// Which community a voting command talks about: --community (id or slug), else POLITY_COMMUNITY, else the
// default stored by `polity communities use` — per server, in defaults.json beside credentials.json. It is a
// separate file because the credential store rewrites a server's whole entry on every token rotation.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { configDir } from "./credentials.js";
import { UsageError } from "./exit.js";
import { resolveCommunity } from "./resolve.js";
import type { Session } from "./session.js";

interface DefaultsFile {
  version: 1;
  servers: Record<string, { community?: string }>;
}

function defaultsPath(env: Record<string, string | undefined>): string {
  return join(configDir(env), "defaults.json");
}

function load(path: string): DefaultsFile {
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as Partial<DefaultsFile>;
    return { version: 1, servers: data.servers ?? {} };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, servers: {} };
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}

export function storedCommunity(s: Session): string | undefined {
  return load(defaultsPath(s.io.env)).servers[s.server]?.community;
}

/** Stores (or with undefined, forgets) the default community of the session's server. */
export function storeCommunity(s: Session, communityId: string | undefined): string {
  const path = defaultsPath(s.io.env);
  const file = load(path);
  if (communityId) file.servers[s.server] = { ...file.servers[s.server], community: communityId };
  else delete file.servers[s.server];
  mkdirSync(configDir(s.io.env), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(file, null, 2) + "\n", { mode: 0o600 });
  renameSync(tmp, path);
  return path;
}

export function withCommunity(cmd: Command): Command {
  return cmd.option("--community <id-or-slug>", "community (default: `polity communities use`, env POLITY_COMMUNITY)");
}

/** Resolves an explicit id or slug, or the default community; a usage error when there is none. */
export async function communityId(s: Session, given?: string): Promise<string> {
  const ref = given || s.io.env.POLITY_COMMUNITY || storedCommunity(s);
  if (!ref) throw new UsageError("no community: pass --community SLUG, or choose a default with `polity communities use SLUG` (see `polity communities list`).");
  return resolveCommunity(s, ref);
}

export { isUuid, resolveCommunity, resolveMember } from "./resolve.js";
