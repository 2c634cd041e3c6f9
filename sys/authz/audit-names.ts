// Names for the ids of an audit-log page, so the console shows "Ada Lovelace <ada@…>" and "Acme / Budget"
// rather than UUIDs. Resolved per page with one query per kind, and only what the asker may see: an account's
// email only where they may read emails, a resource's name only where they may read that resource (the log is
// read by platform roles today, but a narrower reader must not learn names through it).
import type { EntityManager } from "../core/db.js";
import { isUuid, query, tableOf } from "../core/sql.js";
import type { AuthzEngine } from "../core/sys-context.js";
import { Account, Org, Project } from "../account/index.js";
import type { EmailVisibility } from "./email-privacy.js";

export interface AuditIds {
  actorId?: string | null;
  subjectId?: string | null;
  resource?: string | null;
}

export interface AuditNames {
  account(id: string | null | undefined): string;
  resource(resource: string | null | undefined): string;
}

// The permission that lets one see a resource's name, by resource kind.
const READ_PERMISSION: Record<string, string> = {
  org: "sys.org.read",
  project: "sys.project.read",
  community: "community.read",
  account: "sys.account.read",
};

// Where each kind's names live. Communities belong to another module: found by entity name, so a host without
// that module simply shows no community names.
const NAME_SOURCES: Record<string, { entity: unknown; column: string }> = {
  org: { entity: Org, column: "display_name" },
  project: { entity: Project, column: "display_name" },
  community: { entity: "Community", column: "name" },
  account: { entity: Account, column: "display_name" },
};

const splitResource = (resource: string) => {
  const slash = resource.indexOf("/");
  return slash > 0 ? { kind: resource.slice(0, slash), id: resource.slice(slash + 1) } : { kind: resource, id: "" };
};

async function namesOf(em: EntityManager, kind: string, ids: string[]): Promise<Map<string, { name: string; email: string }>> {
  const source = NAME_SOURCES[kind];
  const found = new Map<string, { name: string; email: string }>();
  const valid = [...new Set(ids.filter(isUuid))];
  if (!source || valid.length === 0) return found;
  if (typeof source.entity === "string" && !em.getMetadata().find(source.entity as never)) return found;
  const email = kind === "account" ? ", email" : ", null as email";
  const rows = await query<{ id: string; name: string; email: string | null }>(
    em,
    `select id, ${source.column} as name${email} from ${tableOf(em, source.entity as never)} where id in (?)`,
    [valid],
  );
  for (const r of rows) found.set(String(r.id), { name: String(r.name ?? ""), email: r.email ? String(r.email) : "" });
  return found;
}

export async function resolveAuditNames(
  em: EntityManager,
  engine: Pick<AuthzEngine, "checkQuietly">,
  mayReadEmails: EmailVisibility,
  askerId: string,
  events: AuditIds[],
): Promise<AuditNames> {
  const accountIds = events.flatMap((e) => [e.actorId ?? "", e.subjectId ?? ""]).filter(Boolean);
  const resources = [...new Set(events.map((e) => e.resource ?? "").filter((r) => r.includes("/")))];
  const byKind = new Map<string, string[]>();
  for (const r of resources) {
    const { kind, id } = splitResource(r);
    byKind.set(kind, [...(byKind.get(kind) ?? []), id]);
  }
  byKind.set("account", [...(byKind.get("account") ?? []), ...accountIds]);

  const [tables, visible, emails, accounts] = await Promise.all([
    Promise.all([...byKind].map(async ([kind, ids]) => [kind, await namesOf(em, kind, ids)] as const)).then((e) => new Map(e)),
    Promise.all(resources.map(async (r) => {
      const permission = READ_PERMISSION[splitResource(r).kind];
      if (!permission) return [r, false] as const;
      return [r, (await engine.checkQuietly({ principalId: askerId, permission, resource: r, allowRestricted: true })).allowed] as const;
    })).then((e) => new Map(e)),
    // Accounts of every org show up in the log; whether the asker sees emails is a platform-wide question.
    mayReadEmails(askerId, "platform"),
    engine.checkQuietly({ principalId: askerId, permission: READ_PERMISSION.account!, resource: "platform", allowRestricted: true }).then((d) => d.allowed),
  ]);

  const accountLabel = (id: string | null | undefined) => {
    const row = id && accounts ? tables.get("account")?.get(id) : undefined;
    if (!row) return "";
    return emails && row.email ? `${row.name} <${row.email}>` : row.name;
  };
  return {
    account: accountLabel,
    resource(resource) {
      if (!resource) return "";
      if (resource === "platform") return "Platform";
      if (!visible.get(resource)) return "";
      const { kind, id } = splitResource(resource);
      if (kind === "account") return accountLabel(id);
      return tables.get(kind)?.get(id)?.name ?? "";
    },
  };
}
