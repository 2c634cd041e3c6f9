// Expanding a blast into messages, one chunk per transaction. The blast row is its own durable job: created
// with `expanded = false` in CreateBlast's transaction, claimed by a worker with FOR UPDATE SKIP LOCKED, and
// each chunk — recipients selected after the cursor, rendered per language, their messages created (with their
// queue jobs) — commits together with the advanced cursor. A worker killed mid-chunk rolls the chunk back and
// the next claim redoes it from the same cursor; the (blast, recipient) key refuses a recipient twice anyway.
import { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { EntityManager } from "../../../sys/core/db.js";
import { publishInTransaction } from "../../../sys/core/notifier.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { selectRecipients, type Recipient } from "../contacts/recipients.js";
import type { MessagingDeps } from "../deps.js";
import { createOutgoingMessages, type MessageDraft } from "../messages/store.js";
import { sendTimeFor } from "../schedule/send-time.js";
import { renderVariant, type Rendered } from "../templates/engine.js";
import { chooseVariant, loadTemplate, type LoadedTemplate } from "../templates/render.js";
import { BLAST_CHANNEL, type BlastRow } from "./blast-rows.js";
import { BlastEntity, BlastRecipientEntity } from "./entities.js";

export const EXPANSION_CHUNK = 500;

export interface ChunkResult {
  blastId: string;
  created: number;
  skipped: number;
  done: boolean;
}

/** The key a recipient holds in a blast: at most one message each. */
export function recipientKey(recipient: Recipient): string {
  const member = recipient.ref.member;
  return recipient.ref.contactId ?? `member:${member!.communityId}:${member!.accountId}`;
}

/**
 * Claims one running, unexpanded blast (this one, when given) that no other worker holds, and expands its next
 * chunk. Undefined when there is nothing to do.
 */
export async function expandNextChunk(deps: MessagingDeps, options: { blastId?: string; chunk?: number; now?: Date } = {}): Promise<ChunkResult | undefined> {
  return deps.db.em().transactional(async (txem) => {
    const tx = txem as EntityManager;
    const table = tableOf(tx, BlastEntity);
    const only = options.blastId ? `and "id" = ?` : "";
    const claimed = await query<{ id: string }>(
      tx,
      `select "id" from ${table} where not "expanded" and "state" = 'RUNNING' ${only} order by "created_at" limit 1 for update skip locked`,
      options.blastId ? [options.blastId] : [],
    );
    if (!claimed[0]) return undefined;
    const blast = (await tx.findOneOrFail(BlastEntity, { id: claimed[0].id })) as BlastRow;
    return expandChunk(deps, tx, blast, options.chunk ?? EXPANSION_CHUNK, options.now ?? new Date());
  });
}

async function expandChunk(deps: MessagingDeps, tx: EntityManager, blast: BlastRow, size: number, now: Date): Promise<ChunkResult> {
  const template = await loadTemplate(tx, blast.orgId, blast.templateId);
  const filter = { orgId: blast.orgId, categories: blast.filter.categories, communityId: blast.filter.communityId, channel: blast.filter.channel as Channel | undefined };
  const page = await selectRecipients(deps, tx, filter, blast.cursor ?? undefined, size);

  const reachable = page.recipients.filter((r) => r.addresses.some((a) => a.consented && !r.optedOut.includes(a.channel)));
  const fresh = await claimRecipients(tx, blast.id, reachable.map(recipientKey));
  const rendered = new Map<string, Rendered>();
  const drafts: MessageDraft[] = [];
  const keys: string[] = [];
  for (const recipient of reachable) {
    const key = recipientKey(recipient);
    if (!fresh.has(key)) continue;
    const content = renderFor(template, blast, recipient, rendered);
    drafts.push({
      orgId: blast.orgId,
      recipient: recipient.ref,
      category: template.category || undefined,
      subject: content.subject,
      text: content.text,
      html: content.html,
      templateId: template.id,
      language: content.language,
      sendAt: sendAtFor(deps, blast, recipient, now),
      idempotencyKey: `blast:${blast.id}:${key}`,
      blastId: blast.id,
      createdBy: blast.createdBy,
    });
    keys.push(key);
  }
  const ids = drafts.length > 0 ? await createOutgoingMessages(deps, tx, drafts) : [];
  if (ids.length > 0) {
    await query(
      tx,
      `update ${tableOf(tx, BlastRecipientEntity)} r set "message_id" = v.id::uuid from (values ${ids.map(() => "(?, ?)").join(", ")}) as v(key, id)
       where r."blast_id" = ? and r."recipient_key" = v.key`,
      [...ids.flatMap((id, i) => [keys[i], id]), blast.id],
    );
  }
  const skipped = page.recipients.length - reachable.length;
  const done = !page.next;
  await query(
    tx,
    `update ${tableOf(tx, BlastEntity)} set "cursor" = ?, "expanded" = ?, "recipients_total" = "recipients_total" + ?, "skipped" = "skipped" + ?, "updated_at" = ? where "id" = ?`,
    [page.next ?? blast.cursor, done, ids.length, skipped, new Date(), blast.id],
  );
  await publishInTransaction(tx, BLAST_CHANNEL(blast.id), "expanded");
  deps.logger.debug({ blast: blast.id, created: ids.length, skipped, done }, "blast chunk expanded");
  return { blastId: blast.id, created: ids.length, skipped, done };
}

/** Inserts the keys not yet in the blast; returns those this call inserted. */
async function claimRecipients(tx: EntityManager, blastId: string, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await query<{ recipient_key: string }>(
    tx,
    `insert into ${tableOf(tx, BlastRecipientEntity)} ("blast_id", "recipient_key") values ${keys.map(() => "(?, ?)").join(", ")}
     on conflict do nothing returning "recipient_key"`,
    keys.flatMap((key) => [blastId, key]),
  );
  return new Set(rows.map((r) => r.recipient_key));
}

/** One render per language unless the recipient's name is used (it always differs): cheap at 100k. */
function renderFor(template: LoadedTemplate, blast: BlastRow, recipient: Recipient, cache: Map<string, Rendered>): Rendered {
  const variant = chooseVariant(template, recipient.language || blast.language);
  const key = `${variant.language}\u0000${recipient.name}`;
  let content = cache.get(key);
  if (!content) cache.set(key, (content = renderVariant(variant, { ...blast.variables, name: recipient.name })));
  return content;
}

function sendAtFor(deps: MessagingDeps, blast: BlastRow, recipient: Recipient, now: Date): Date | undefined {
  if (!blast.sendAt && !blast.localTime && !blast.quietStart) return undefined;
  const quietHours = blast.quietStart ? { start: blast.quietStart, end: blast.quietEnd } : undefined;
  const input = { at: blast.sendAt ?? undefined, localTime: blast.localTime || undefined, quietHours, now };
  try {
    return sendTimeFor(deps.time, { ...input, timeZone: recipient.timeZone });
  } catch {
    // A contact's zone this server's ICU does not know: read the time in UTC rather than skip the person.
    return sendTimeFor(deps.time, { ...input, timeZone: "" });
  }
}
