// ListMemberRecipients: a community's members as recipients, read through the directory page by page (in
// account order) and never copied; only their opt-outs live here.
import type { ServiceImpl } from "@connectrpc/connect";
import { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { ContactService } from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { bearerOf } from "../../../sys/core/authn/principal.js";
import { notFound } from "../../../sys/core/errors.js";
import { decodeIdCursor, encodeIdCursor, pageSizeOf } from "../../../sys/core/pagination.js";
import type { MessagingDeps } from "../deps.js";
import { memberOptOuts } from "./contact-rows.js";
import { memberDirectory } from "./member-directory.js";
import { recipientOfMember } from "./recipients.js";

export function createMemberRecipientsHandler(deps: MessagingDeps): Pick<ServiceImpl<typeof ContactService>, "listMemberRecipients"> {
  return {
    async listMemberRecipients(req, ctx) {
      const directory = memberDirectory(deps.directory);
      const members = await directory.membersOf(req.orgId, req.communityId, bearerOf(ctx));
      if (!members) throw notFound("community", req.communityId);
      const size = pageSizeOf(req.pageSize);
      const after = decodeIdCursor(req.pageToken);
      const from = after ? members.findIndex((m) => m.accountId > after) : 0;
      const page = from < 0 ? [] : members.slice(from, from + size);
      const ids = page.map((m) => m.accountId);
      const [profiles, optOuts] = await Promise.all([directory.profilesOf(req.communityId, ids, bearerOf(ctx)), memberOptOuts(deps.db.em(), req.orgId, ids)]);
      return {
        members: page.map((m) => {
          const recipient = recipientOfMember(req.orgId, req.communityId, m.accountId, profiles.get(m.accountId), optOuts.get(m.accountId) ?? []);
          return {
            communityId: req.communityId,
            accountId: m.accountId,
            displayName: recipient.name,
            email: recipient.addresses.find((a) => a.channel === Channel.EMAIL)?.address ?? "",
            emailConsented: !recipient.optedOut.includes(Channel.EMAIL),
            optedOut: recipient.optedOut,
          };
        }),
        nextPageToken: from >= 0 && from + size < members.length ? encodeIdCursor(page.at(-1)!.accountId) : "",
      };
    },
  };
}
