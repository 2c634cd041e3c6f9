// Cross-module reactions inside one sys transaction, so a module can clean up what it owns when another
// module deletes something it hangs off (an org's communities, say) without the two importing each other.
import type { EntityManager } from "./db.js";

export type OrgDeletedHook = (orgId: string, em: EntityManager) => Promise<void>;

export interface Lifecycle {
  onOrgDeleted(hook: OrgDeletedHook): void;
  /** Runs every hook inside the deleting transaction; any failure rolls the deletion back. */
  orgDeleted(orgId: string, em: EntityManager): Promise<void>;
}

export function createLifecycle(): Lifecycle {
  const orgHooks: OrgDeletedHook[] = [];
  return {
    onOrgDeleted: (hook) => void orgHooks.push(hook),
    async orgDeleted(orgId, em) {
      for (const hook of orgHooks) await hook(orgId, em);
    },
  };
}
