// What resources make public: a permission a resource (or an ancestor) opens to everyone, signed in or not —
// reading a public community, or asking Check about the anonymous principal. The engine consults this before
// any role binding. Modules register one resolver per resource kind on their host's engine; answers are cached
// briefly (a visibility change on another replica shows within the TTL) and the owning module invalidates on
// its own changes.
import type { PublicResolver } from "../core/sys-context.js";

export interface PublicPermissions {
  /** `kind` is the part before the slash ("community"), or the whole name for a singleton ("platform"). */
  register(kind: string, resolve: PublicResolver): void;
  /** Forgets cached answers: one resource's, or all. */
  invalidate(resource?: string): void;
  /**
   * Whether some resource of `chain` (a resource and its ancestors) makes `permission` public. Synchronous when
   * every answer is cached (or no resource of the chain has a resolver), so the common case costs no promise.
   */
  isPublic(permission: string, chain: readonly string[]): boolean | Promise<boolean>;
}

interface Entry {
  permissions: Promise<ReadonlySet<string>>;
  // Set once the answer is in, so a warm cache answers without a promise (checks are the hot path).
  value?: ReadonlySet<string>;
  expires: number;
}

const NONE: ReadonlySet<string> = new Set();
const MAX_ENTRIES = 10_000;

function kindOf(resource: string): string {
  const slash = resource.indexOf("/");
  return slash < 0 ? resource : resource.slice(0, slash);
}

/** `ttlMs` 0 disables the cache. */
export function createPublicPermissions(ttlMs = 5000): PublicPermissions {
  const resolvers = new Map<string, PublicResolver>();
  const cache = new Map<string, Entry>();

  function entryOf(resource: string, resolve: PublicResolver, now: number): Entry {
    const hit = cache.get(resource);
    if (hit && hit.expires > now) return hit;
    const slash = resource.indexOf("/");
    const entry: Entry = { permissions: resolve(slash < 0 ? "" : resource.slice(slash + 1)).catch(() => NONE), expires: now + ttlMs };
    void entry.permissions.then((value) => (entry.value = value));
    if (ttlMs > 0) {
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(resource, entry);
    }
    return entry;
  }

  return {
    register(kind, resolve) {
      resolvers.set(kind, resolve);
      for (const key of cache.keys()) if (kindOf(key) === kind) cache.delete(key);
    },
    invalidate(resource) {
      if (resource === undefined) cache.clear();
      else cache.delete(resource);
    },
    isPublic(permission, chain) {
      if (!permission || resolvers.size === 0) return false;
      const now = Date.now();
      let pending: Array<Promise<ReadonlySet<string>>> | undefined;
      for (const resource of chain) {
        const resolve = resolvers.get(kindOf(resource));
        if (!resolve) continue;
        const entry = entryOf(resource, resolve, now);
        if (entry.value) {
          if (entry.value.has(permission)) return true;
        } else (pending ??= []).push(entry.permissions);
      }
      if (!pending) return false;
      return Promise.all(pending).then((sets) => sets.some((s) => s.has(permission)));
    },
  };
}
