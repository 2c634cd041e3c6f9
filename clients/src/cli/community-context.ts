// Which community a voting command talks about: --community (id or slug), else POLITY_COMMUNITY, else the
// default stored by `polity communities use` — per server, in defaults.json beside credentials.json. It is a
// separate file because the credential store rewrites a server's whole entry on every token rotation.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Command } from "commander";
import { configDir } from "./credentials.js";
import { UsageError } from "./exit.js";
import type { Session } from "./session.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: string): boolean => UUID.test(s);

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
  if (!ref) throw new UsageError("no community: pass --community ID_OR_SLUG or run `polity communities use ID_OR_SLUG`");
  return resolveCommunity(s, ref);
}

export async function resolveCommunity(s: Session, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const res = await s.client.communities.listCommunities({ query: ref, pageSize: 200, includeArchived: true });
  const hits = res.communities.filter((c) => c.slug === ref.toLowerCase());
  if (hits.length === 1) return hits[0].id;
  if (hits.length === 0) throw new ConnectError(`no community with slug "${ref}" that you can see`, Code.NotFound);
  throw new UsageError(`slug "${ref}" names ${hits.length} communities (in different orgs); use an id: ${hits.map((c) => c.id).join(", ")}`);
}

/** An account id, "me", or a display name/email matched exactly (case-insensitively) among the members. */
export async function resolveMember(s: Session, community: string, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  if (ref === "me") {
    const me = await s.client.auth.whoAmI({});
    return me.accountId;
  }
  const res = await s.client.communities.listMembers({ communityId: community, query: ref, pageSize: 50 });
  const exact = res.members.filter((m) => m.displayName.toLowerCase() === ref.toLowerCase());
  const hits = exact.length ? exact : res.members;
  if (hits.length === 1) return hits[0].accountId;
  if (hits.length === 0) throw new ConnectError(`no member matches "${ref}"`, Code.NotFound);
  throw new UsageError(`"${ref}" matches ${hits.length} members; use an account id: ${hits.map((m) => `${m.accountId} (${m.displayName})`).join(", ")}`);
}
