// Blast rows ↔ proto.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  BlastFilterSchema,
  BlastSchema,
  BlastState as ProtoState,
  QuietHoursSchema,
  type Blast,
  type BlastProgress,
} from "../../../clients/src/gen/polity/mod/messaging/v1/blasts_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { notFound } from "../../../sys/core/errors.js";
import { LockMode } from "@mikro-orm/core";
import { BlastEntity, type BlastFilter, type BlastState } from "./entities.js";

export interface BlastRow {
  id: string;
  orgId: string;
  name: string;
  templateId: string;
  language: string;
  filter: BlastFilter;
  variables: Record<string, string>;
  sendAt: Date | null;
  localTime: string;
  quietStart: string;
  quietEnd: string;
  state: BlastState;
  cursor: string | null;
  expanded: boolean;
  recipientsTotal: number;
  skipped: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export const BLAST_STATES: Record<BlastState, ProtoState> = {
  RUNNING: ProtoState.RUNNING,
  PAUSED: ProtoState.PAUSED,
  CANCELLED: ProtoState.CANCELLED,
  DONE: ProtoState.DONE,
};

export async function blastRow(em: EntityManager, orgId: string, blastId: string, options: { lock?: boolean } = {}): Promise<BlastRow> {
  const row = (await em.findOne(BlastEntity, { id: blastId, orgId }, options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {})) as BlastRow | null;
  if (!row) throw notFound("blast", blastId);
  return row;
}

export function blastToProto(row: BlastRow, progress: BlastProgress): Blast {
  return create(BlastSchema, {
    id: row.id,
    orgId: row.orgId,
    name: row.name,
    templateId: row.templateId,
    language: row.language,
    filter: create(BlastFilterSchema, { categories: row.filter.categories ?? [], communityId: row.filter.communityId ?? "", channel: row.filter.channel ?? 0 }),
    variables: row.variables,
    sendTime: row.sendAt ? timestampFromDate(row.sendAt) : undefined,
    localTime: row.localTime,
    quietHours: row.quietStart ? create(QuietHoursSchema, { start: row.quietStart, end: row.quietEnd }) : undefined,
    state: BLAST_STATES[row.state],
    expanding: !row.expanded && row.state !== "CANCELLED",
    progress,
    createdBy: row.createdBy,
    createTime: timestampFromDate(row.createdAt),
    updateTime: timestampFromDate(row.updatedAt),
  });
}

/** The notifier channel a blast's changes (state, expansion) are published on. */
export const BLAST_CHANNEL = (blastId: string) => `messaging:blast:${blastId}`;
