// Governance changes join the community's tamper-evident activity log (the voting module keeps it), in the
// transaction of the change. Payloads name what happened, never configs, parameters or outcomes: the log may be
// readable by more people than the processes are.
import type { EntityManager } from "../../sys/core/db.js";
import { appendActivityEntries } from "../voting/index.js";

export type GovernanceActivity =
  | { kind: "governance_plugin_changed"; payload: { instance_id: string; plugin: string; platform_id: string; change: "enabled" | "updated" | "disabled" } }
  | { kind: "governance_action_run"; payload: { instance_id: string; action: string; ok: boolean } }
  | { kind: "governance_process_changed"; payload: { process_id: string; process: string; status: string; outcome_changed: boolean } };

export async function recordActivity(tx: EntityManager, communityId: string, actorId: string, entries: GovernanceActivity[]): Promise<void> {
  await appendActivityEntries(tx, entries.map((e) => ({ communityId, kind: e.kind, actorId, payload: e.payload })));
}
