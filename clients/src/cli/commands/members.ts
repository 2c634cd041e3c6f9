// polity members list | requests | approve | deny | invite | accept | remove | set-role.
import type { Command } from "commander";
import {
  AcceptInviteResponseSchema, CreateInviteResponseSchema, ListJoinRequestsResponseSchema, ListMembersResponseSchema, SetMemberRoleResponseSchema,
} from "../../gen/polity/sys/community/v1/community_pb.js";
import { action } from "../session.js";
import { int, page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, shortId, tableTime, time } from "../output.js";
import { listAll, pick } from "../resolve.js";
import type { Session } from "../session.js";
import { communityId, resolveMember, withCommunity } from "../community-context.js";
import { nameOf, parseName, ROLES } from "../voting-names.js";
import type { Io } from "../io.js";

type C = { community?: string };

export function register(program: Command, io: Io): void {
  const m = program.command("members").description("community members, join requests and invites");

  withCommunity(withPaging(m.command("list")))
    .description("list a community's members")
    .option("--query <text>", "match name (and email, for moderators)")
    .option("--role <roles>", "only these roles, comma-separated: admin,moderator,member,observer")
    .action(action(io, async (s, o: C & PageOptions & { query?: string; role?: string }) => {
      const roles = (o.role ?? "").split(",").filter(Boolean).map((r) => parseName(ROLES, "role", r));
      const res = await s.client.communities.listMembers({ communityId: await communityId(s, o.community), ...page(o), query: o.query ?? "", roles });
      s.emit(ListMembersResponseSchema, res, () => {
        printTable(s.io, ["ACCOUNT", "NAME", "ROLE", "JOINED (UTC)"], res.members.map((x) => [shortId(x.accountId), x.displayName, nameOf(ROLES, x.role), tableTime(x.joinedAt)]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  withCommunity(withPaging(m.command("requests")))
    .description("list pending join requests")
    .action(action(io, async (s, o: C & PageOptions) => {
      const res = await s.client.communities.listJoinRequests({ communityId: await communityId(s, o.community), ...page(o) });
      s.emit(ListJoinRequestsResponseSchema, res, () => {
        printTable(s.io, ["REQUEST", "NAME", "MESSAGE", "CREATED (UTC)"], res.requests.map((r) => [shortId(r.id), r.accountDisplayName, r.message, tableTime(r.createdAt)]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  for (const [verb, approve] of [["approve", true], ["deny", false]] as const) {
    withCommunity(m.command(`${verb} <request>`))
      .description(`${verb} a join request (its id, a unique id prefix, or the requester's name)`)
      .action(action(io, async (s, ref: string, o: C) => {
        const community = await communityId(s, o.community);
        const requestId = await resolveRequest(s, community, ref);
        await s.client.communities.decideJoinRequest({ communityId: community, requestId, approve });
        if (!s.json) s.io.stderr(`${approve ? "approved" : "denied"} request ${requestId}\n`);
      }));
  }

  withCommunity(m.command("invite"))
    .description("create a one-time invite token (emailed when --email is given)")
    .option("--email <email>", "send the invite to this address")
    .option("--role <role>", "role on acceptance: admin | moderator | member | observer", "member")
    .option("--days <n>", "days until it expires (1-90, default 14)", int)
    .action(action(io, async (s, o: C & { email?: string; role: string; days?: number }) => {
      const res = await s.client.communities.createInvite({
        communityId: await communityId(s, o.community),
        email: o.email ?? "",
        role: parseName(ROLES, "role", o.role),
        expiresInDays: o.days ?? 0,
      });
      s.emit(CreateInviteResponseSchema, res, () => {
        printRecord(s.io, { invite: res.inviteId, token: res.token, expires: time(res.expiresAt) });
        s.io.stderr("the token is not shown again; the invitee runs `polity members accept TOKEN`\n");
      });
    }));

  m.command("accept <token>").description("accept an invite").action(action(io, async (s, token: string) => {
    const res = await s.client.communities.acceptInvite({ token });
    const name = s.json ? "" : ((await s.client.communities.getCommunity({ communityId: res.communityId })).community?.slug ?? res.communityId);
    s.emit(AcceptInviteResponseSchema, res, () => s.io.stdout(`joined community ${name} as ${nameOf(ROLES, res.role)}\n`));
  }));

  withCommunity(m.command("remove <member>"))
    .description("remove a member (email, name, account id or its prefix)")
    .action(action(io, async (s, ref: string, o: C) => {
      const id = await communityId(s, o.community);
      const accountId = await resolveMember(s, id, ref);
      await s.client.communities.removeMember({ communityId: id, accountId });
      if (!s.json) s.io.stderr(`removed ${ref} (${accountId})\n`);
    }));

  withCommunity(m.command("set-role <member> <role>"))
    .description("change a member's role (member: email, name, account id or its prefix): admin | moderator | member | observer")
    .action(action(io, async (s, ref: string, role: string, o: C) => {
      const id = await communityId(s, o.community);
      const r = parseName(ROLES, "role", role);
      const res = await s.client.communities.setMemberRole({ communityId: id, accountId: await resolveMember(s, id, ref), role: r });
      s.emit(SetMemberRoleResponseSchema, res, () =>
        printRecord(s.io, { account: res.member?.accountId, name: res.member?.displayName, role: nameOf(ROLES, res.member?.role ?? 0), joined: time(res.member?.joinedAt) }),
      );
    }));
}

async function resolveRequest(s: Session, communityId: string, ref: string): Promise<string> {
  const requests = await listAll(async (pageToken) => {
    const res = await s.client.communities.listJoinRequests({ communityId, pageSize: 1000, pageToken });
    return { items: res.requests, next: res.nextPageToken };
  });
  return pick("join request", ref, requests.map((r) => ({ id: r.id, names: [r.accountDisplayName], label: r.accountDisplayName })), "polity members requests");
}
