// SetConsent and ListConsentEvents, for contacts and for community members alike.
import type { ServiceImpl } from "@connectrpc/connect";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ContactService, RecipientRef } from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { bearerOf } from "../../../sys/core/authn/principal.js";
import { failedPrecondition, notFound } from "../../../sys/core/errors.js";
import { decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { writeTransaction } from "../../../sys/core/write-transaction.js";
import type { MessagingDeps } from "../deps.js";
import { CHANNEL_NAMES } from "./addresses.js";
import { consentEventToProto } from "./contact-convert.js";
import { adminSource } from "./caller-source.js";
import { readContact } from "./contact-rows.js";
import { setContactConsent, setMemberConsent } from "./consent.js";
import { ConsentEventEntity } from "./entities.js";
import { memberDirectory } from "./member-directory.js";

type Handlers = Pick<ServiceImpl<typeof ContactService>, "setConsent" | "listConsentEvents">;

interface EventRow {
  id: string;
  channel: number;
  change: string;
  source: string;
  at: Date | string;
}

export function createConsentHandlers(deps: MessagingDeps): Handlers {
  /** The subject's column and id, once it is known to exist in the org. */
  const subjectOf = async (orgId: string, ref: RecipientRef, bearer: string | undefined): Promise<{ column: "contact_id" | "account_id"; id: string }> => {
    if (ref.target.case === "contactId") {
      if (!(await readContact(deps.db.em(), orgId, ref.target.value))) throw notFound("contact", ref.target.value);
      return { column: "contact_id", id: ref.target.value };
    }
    const member = ref.target.value!;
    if (!(await memberDirectory(deps.directory).isMember(orgId, member.communityId, member.accountId, bearer))) {
      throw notFound("member", `${member.communityId}/${member.accountId}`);
    }
    return { column: "account_id", id: member.accountId };
  };

  return {
    async setConsent(req, ctx) {
      const subject = await subjectOf(req.orgId, req.recipient!, bearerOf(ctx));
      const source = req.source || adminSource(ctx);
      const at = req.at ? timestampDate(req.at) : new Date();
      const eventId = await writeTransaction(deps.db, async (tx) => {
        if (subject.column === "account_id") return setMemberConsent(tx, req.orgId, subject.id, req.channel, req.granted, source, at);
        const id = await setContactConsent(tx, req.orgId, subject.id, req.channel, req.granted, source, at);
        if (!id) throw failedPrecondition("NO_ADDRESS", `the contact has no ${CHANNEL_NAMES[req.channel]} address to consent to`);
        return id;
      });
      const [event] = await query<EventRow>(
        deps.db.em(),
        `select id, channel, change, source, at from ${tableOf(deps.db.em(), ConsentEventEntity)} where id = ?`,
        [eventId],
      );
      return { event: consentEventToProto({ ...event!, at: new Date(event!.at) }) };
    },

    async listConsentEvents(req, ctx) {
      const subject = req.recipient ? await subjectOf(req.orgId, req.recipient, bearerOf(ctx)) : undefined;
      const size = pageSizeOf(req.pageSize);
      const cursor = decodeCursor(req.pageToken);
      const em = deps.db.em();
      const rows = await query<EventRow>(
        em,
        `select id, channel, change, source, at from ${tableOf(em, ConsentEventEntity)}
         where org_id = ? ${subject ? `and ${subject.column} = ?` : ""} ${cursor ? "and (at, id) > (?, ?)" : ""} order by at, id limit ?`,
        [req.orgId, ...(subject ? [subject.id] : []), ...(cursor ? [cursor.createdAt, cursor.id] : []), size + 1],
      );
      const page = pageOf(
        rows.map((r) => ({ ...r, at: new Date(r.at) })),
        size,
        (r) => ({ createdAt: r.at, id: r.id }),
      );
      return { events: page.items.map(consentEventToProto), nextPageToken: page.nextPageToken };
    },
  };
}
