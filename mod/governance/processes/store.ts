// Process rows and their wire forms: the gRPC message and the JSON a callback carries (Metagov's shape).
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { InferEntity } from "@mikro-orm/core";
import { type Process, ProcessSchema, ProcessStatus } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { notFound } from "../../../sys/core/errors.js";
import { ProcessEntity } from "../entities.js";
import type { JsonObject, ProcessView } from "../sdk/define-plugin.js";

export type ProcessRow = InferEntity<typeof ProcessEntity>;
export type ProcessStatusName = "created" | "pending" | "completed" | "failed" | "cancelled";

export const FINAL: ReadonlySet<string> = new Set(["completed", "failed", "cancelled"]);

const STATUS: Record<string, ProcessStatus> = {
  created: ProcessStatus.CREATED,
  pending: ProcessStatus.PENDING,
  completed: ProcessStatus.COMPLETED,
  failed: ProcessStatus.FAILED,
  cancelled: ProcessStatus.CANCELLED,
};

export function statusFromProto(status: ProcessStatus): ProcessStatusName {
  return (Object.entries(STATUS).find(([, s]) => s === status)?.[0] ?? "created") as ProcessStatusName;
}

export async function loadProcess(em: EntityManager, communityId: string, processId: string): Promise<ProcessRow> {
  const row = await em.findOne(ProcessEntity, { id: processId, communityId });
  if (!row) throw notFound("process", processId);
  return row;
}

export function viewOf(row: ProcessRow): ProcessView {
  return { id: row.id, input: row.input as JsonObject, outcome: row.outcome as JsonObject, data: row.data as JsonObject, createdAt: row.createdAt };
}

export function processToProto(row: ProcessRow): Process {
  return create(ProcessSchema, {
    id: row.id,
    communityId: row.communityId,
    name: `${row.plugin}.${row.slug}`,
    instanceId: row.instanceId,
    status: STATUS[row.status] ?? ProcessStatus.UNSPECIFIED,
    input: row.input as JsonObject,
    outcome: row.outcome as JsonObject,
    errors: row.errors as JsonObject,
    callbackUrl: row.callbackUrl,
    createdBy: row.createdBy,
    createTime: timestampFromDate(row.createdAt),
    updateTime: timestampFromDate(row.updatedAt),
  });
}

/** What a callback carries: Metagov's process record, plus Polity's ids. */
export function processRecord(row: ProcessRow): JsonObject {
  return {
    id: row.id,
    name: `${row.plugin}.${row.slug}`,
    community: row.communityId,
    community_id: row.communityId,
    instance_id: row.instanceId,
    status: row.status,
    errors: row.errors as JsonObject,
    outcome: row.outcome as JsonObject,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
