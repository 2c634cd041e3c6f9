// Resource paths and their ancestors: project/<id> → org/<its org> → platform; account/<id> of a service account
// → its owner org; community/<id> and later kinds through registered resolvers. Parents never change once a
// row exists, so resolved chains are cached in-process; misses are not (the row may be created next).
import { Account, Project } from "../account/entities.js";
import type { EntityManager } from "../core/db.js";
import { isUuid, query, tableOf } from "../core/sql.js";

/** Returns the parent resource of `<kind>/<id>` ("org/…"), or undefined when the row does not exist (yet). */
export type ParentResolver = (id: string, em: EntityManager) => Promise<string | undefined>;

const resolvers = new Map<string, ParentResolver>();

/** Lets a later module (community, voting) say where its resources sit. Kinds without one hang off "platform". */
export function registerParentResolver(kind: string, resolve: ParentResolver): void {
  resolvers.set(kind, resolve);
}

registerParentResolver("project", async (id, em) => {
  if (!isUuid(id)) return undefined;
  const rows = await query<{ org_id: string }>(em, `select org_id from ${tableOf(em, Project)} where id = ?`, [id]);
  return rows[0] ? `org/${rows[0].org_id}` : undefined;
});

registerParentResolver("account", async (id, em) => {
  if (!isUuid(id)) return undefined;
  const rows = await query<{ owner_org_id: string | null }>(em, `select owner_org_id from ${tableOf(em, Account)} where id = ?`, [id]);
  if (!rows[0]) return undefined;
  return rows[0].owner_org_id ? `org/${rows[0].owner_org_id}` : "platform";
});

export interface ResourceTree {
  /** The resource itself, then each ancestor up to "platform". */
  ancestors(resource: string, em: EntityManager): Promise<string[]>;
  clear(): void;
}

const MAX_DEPTH = 8;

export function createResourceTree(maxEntries = 10_000): ResourceTree {
  const cache = new Map<string, string[]>();
  return {
    async ancestors(resource, em) {
      const hit = cache.get(resource);
      if (hit) return hit;
      const chain = [resource];
      let complete = true;
      let current = resource;
      while (current !== "platform" && chain.length < MAX_DEPTH) {
        const slash = current.indexOf("/");
        const kind = slash > 0 ? current.slice(0, slash) : current;
        let parent: string | undefined;
        if (kind === "org") parent = "platform";
        else {
          const resolve = resolvers.get(kind);
          parent = resolve ? await resolve(current.slice(slash + 1), em) : "platform";
          if (!parent) {
            complete = false;
            parent = "platform";
          }
        }
        chain.push(parent);
        current = parent;
      }
      if (chain[chain.length - 1] !== "platform") chain.push("platform");
      if (complete) {
        if (cache.size >= maxEntries) cache.clear();
        cache.set(resource, chain);
      }
      return chain;
    },
    clear: () => cache.clear(),
  };
}
