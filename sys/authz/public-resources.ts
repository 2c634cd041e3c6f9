// What resources make public: a permission a resource (or an ancestor) opens to everyone, signed in or not —
// reading a public community, or asking Check about the anonymous principal. The engine consults this before
// any role binding. Modules register one resolver per resource kind; answers are cached briefly (a visibility
// change on another replica shows within the TTL) and the owning module invalidates on its own changes.

/** The permissions `<kind>/<id>` makes public right now; an empty set when none (or when it does not exist). */
export type PublicResolver = (id: string) => Promise<ReadonlySet<string>>;

const resolvers = new Map<string, PublicResolver>();
// `value` is set once the answer is in, so a warm cache answers without a promise (checks are the hot path).
const cache = new Map<string, { permissions: Promise<ReadonlySet<string>>; value?: ReadonlySet<string>; expires: number }>();
const NONE: ReadonlySet<string> = new Set();
let ttlMs = 5000;
const MAX_ENTRIES = 10_000;

/** `kind` is the part before the slash ("community"), or the whole name for a singleton ("platform"). */
export function registerPublicPermissions(kind: string, resolver: PublicResolver): void {
  resolvers.set(kind, resolver);
  for (const key of cache.keys()) if (kindOf(key) === kind) cache.delete(key);
}

/** Forgets cached answers: one resource's, or all. */
export function invalidatePublicPermissions(resource?: string): void {
  if (resource === undefined) cache.clear();
  else cache.delete(resource);
}

/** Tests shorten or disable (0) the cache. */
export function setPublicPermissionsTtl(ms: number): void {
  ttlMs = ms;
  cache.clear();
}

function kindOf(resource: string): string {
  const slash = resource.indexOf("/");
  return slash < 0 ? resource : resource.slice(0, slash);
}

function entryOf(resource: string, resolver: PublicResolver, now: number) {
  const hit = cache.get(resource);
  if (hit && hit.expires > now) return hit;
  const slash = resource.indexOf("/");
  const entry: { permissions: Promise<ReadonlySet<string>>; value?: ReadonlySet<string>; expires: number } = {
    permissions: resolver(slash < 0 ? "" : resource.slice(slash + 1)).catch(() => NONE),
    expires: now + ttlMs,
  };
  void entry.permissions.then((value) => (entry.value = value));
  if (ttlMs > 0) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(resource, entry);
  }
  return entry;
}

/**
 * Whether some resource of `chain` (a resource and its ancestors) makes `permission` public. Synchronous when
 * every answer is cached (or no resource of the chain has a resolver), so the common case costs no promise.
 */
export function isPublic(permission: string, chain: readonly string[]): boolean | Promise<boolean> {
  if (!permission || resolvers.size === 0) return false;
  const now = Date.now();
  let pending: Array<Promise<ReadonlySet<string>>> | undefined;
  for (const resource of chain) {
    const resolver = resolvers.get(kindOf(resource));
    if (!resolver) continue;
    const entry = entryOf(resource, resolver, now);
    if (entry.value) {
      if (entry.value.has(permission)) return true;
    } else (pending ??= []).push(entry.permissions);
  }
  if (!pending) return false;
  return Promise.all(pending).then((sets) => sets.some((s) => s.has(permission)));
}
