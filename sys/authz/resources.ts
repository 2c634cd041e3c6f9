// Resource paths and their ancestors: project/<id> → org/<its org> → platform; account/<id> of a service account
// → its owner org; community/<id> and later kinds through the resolvers their modules register on this tree.
// Parents never change once a row exists, so resolved chains are cached; misses are not (the row may be
// created next).
import type { EntityManager } from "../core/db.js";
import type { ParentResolver } from "../core/sys-context.js";

export interface ResourceTree {
  /** The resource itself, then each ancestor up to "platform". */
  ancestors(resource: string, em: EntityManager): Promise<string[]>;
  /** Says where `<kind>/<id>` resources sit. Kinds without a resolver hang off "platform". */
  registerParent(kind: string, resolve: ParentResolver): void;
  clear(): void;
}

const MAX_DEPTH = 8;

export function createResourceTree(maxEntries = 10_000): ResourceTree {
  const resolvers = new Map<string, ParentResolver>();
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
    registerParent(kind, resolve) {
      resolvers.set(kind, resolve);
      // A chain cached before the kind had a resolver ended at "platform" too early.
      cache.clear();
    },
    clear: () => cache.clear(),
  };
}
