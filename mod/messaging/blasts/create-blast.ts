// CreateBlast: the blast row, which is also its expansion job, in one transaction; the worker tier is woken
// when it commits. Nothing is selected or rendered for recipients here — only checked once, so a template that
// needs a variable the blast does not give fails now rather than 100,000 times later.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { CreateBlastRequest } from "../../../clients/src/gen/polity/mod/messaging/v1/blasts_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { publishInTransaction } from "../../../sys/core/notifier.js";
import type { MessagingDeps } from "../deps.js";
import { sendTimeFor } from "../schedule/send-time.js";
import { renderVariant } from "../templates/engine.js";
import { loadTemplate } from "../templates/render.js";
import type { BlastRow } from "./blast-rows.js";
import { BlastEntity } from "./entities.js";

/** Published (payload = blast id) when a blast needs expanding: created or resumed. */
export const BLASTS_WAKE_CHANNEL = "messaging:blasts";

export async function createBlast(deps: MessagingDeps, req: CreateBlastRequest, createdBy: string): Promise<BlastRow> {
  const now = new Date();
  const sendAt = req.sendTime ? timestampDate(req.sendTime) : null;
  const localTime = req.localTime;
  // Checks the wall time (a real date) and the window once; each recipient's zone is applied at expansion.
  const quietHours = req.quietHours && req.quietHours.start !== req.quietHours.end ? req.quietHours : undefined;
  sendTimeFor(deps.time, { localTime: localTime || undefined, timeZone: "", quietHours, now });
  return deps.db.em().transactional(async (txem) => {
    const tx = txem as EntityManager;
    const template = await loadTemplate(tx, req.orgId, req.templateId);
    for (const variant of template.variants) renderVariant(variant, { ...req.variables, name: "" });
    const row = tx.create(BlastEntity, {
      id: crypto.randomUUID(),
      orgId: req.orgId,
      name: req.name,
      templateId: template.id,
      language: req.language,
      filter: {
        ...(req.filter?.categories.length ? { categories: req.filter.categories } : {}),
        ...(req.filter?.communityId ? { communityId: req.filter.communityId.toLowerCase() } : {}),
        ...(req.filter?.channel ? { channel: req.filter.channel } : {}),
      },
      variables: req.variables,
      sendAt,
      localTime,
      quietStart: quietHours?.start ?? "",
      quietEnd: quietHours?.end ?? "",
      state: "RUNNING",
      cursor: null,
      expanded: false,
      recipientsTotal: 0,
      skipped: 0,
      createdBy,
      createdAt: now,
      updatedAt: now,
    }) as BlastRow;
    await tx.flush();
    await publishInTransaction(tx, BLASTS_WAKE_CHANNEL, row.id);
    return row;
  });
}
