// Reminds the members of communities that asked for it that an open poll closes within their lead time (24 h
// by default): once per poll, recorded in messaging_notifications_sent in the transaction that creates the
// messages, so a second worker or a later sweep finds it done.
import type { EntityManager } from "../../../sys/core/db.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { MessagingDeps } from "../deps.js";
import { createOutgoingMessages } from "../messages/store.js";
import { NotificationSentEntity, NotificationSettingsEntity } from "./entities.js";
import { draftsFor, membersToNotify } from "./fan-out.js";
import { settingsOf } from "./settings.js";
import type { NotificationSources } from "./sources.js";

/** Sends the reminders due now; returns how many polls were announced. */
export async function remindClosing(deps: MessagingDeps, sources: NotificationSources, now = new Date()): Promise<number> {
  const voting = sources.voting?.();
  if (!voting) return 0;
  const em = deps.db.em().fork() as EntityManager;
  const rows = (await em.find(NotificationSettingsEntity, { active: true })).filter((r) => settingsOf(r).events.poll_closing_soon.enabled);
  if (rows.length === 0) return 0;
  const byCommunity = new Map(rows.map((r) => [r.communityId, r]));
  const longest = Math.max(...rows.map((r) => r.closingSoonLeadSeconds));
  const polls = await voting.pollsClosingBetween([...byCommunity.keys()], now, new Date(now.getTime() + longest * 1000));
  let announced = 0;
  for (const poll of polls) {
    const row = byCommunity.get(poll.communityId)!;
    if (!poll.closesAt || poll.closesAt.getTime() - now.getTime() > row.closingSoonLeadSeconds * 1000) continue;
    const key = `closing:${poll.id}`;
    if (await em.findOne(NotificationSentEntity, { communityId: poll.communityId, key })) continue;
    const settings = settingsOf(row);
    const event = { kind: "poll_closing_soon" as const, key, communityId: poll.communityId, poll };
    try {
      const drafts = await draftsFor(deps, em, row.orgId, settings, event, await membersToNotify(deps, em, row.orgId, poll.communityId, settings.roles));
      const done = await deps.db.em().fork().transactional(async (txem) => {
        const tx = txem as EntityManager;
        const claimed = await query(tx, `insert into ${tableOf(tx, NotificationSentEntity)} (community_id, key, created_at) values (?, ?, ?) on conflict do nothing returning key`, [poll.communityId, key, new Date()]);
        if (claimed.length === 0) return false;
        if (drafts.length > 0) await createOutgoingMessages(deps, tx, drafts);
        return true;
      });
      if (done) announced++;
    } catch (error) {
      deps.logger.warn({ err: error, community: poll.communityId, poll: poll.id }, "notifications: a closing reminder failed; retried on the next sweep");
    }
  }
  return announced;
}
