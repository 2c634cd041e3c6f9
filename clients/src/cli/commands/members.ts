// polity members list | requests | approve | deny | invite | accept | remove | set-role.
import type { Command } from "commander";
import {
  AcceptInviteResponseSchema, CreateInviteResponseSchema, ListJoinRequestsResponseSchema, ListMembersResponseSchema, SetMemberRoleResponseSchema,
} from "../../gen/polity/sys/community/v1/community_pb.js";
import { action } from "../session.js";
import { int, page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, time } from "../output.js";
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
        printTable(s.io, ["ACCOUNT", "NAME", "ROLE", "JOINED"], res.members.map((x) => [x.accountId, x.displayName, nameOf(ROLES, x.role), time(x.joinedAt)]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  withCommunity(withPaging(m.command("requests")))
    .description("list pending join requests")
    .action(action(io, async (s, o: C & PageOptions) => {
      const res = await s.client.communities.listJoinRequests({ communityId: await communityId(s, o.community), ...page(o) });
      s.emit(ListJoinRequestsResponseSchema, res, () => {
        printTable(s.io, ["REQUEST", "ACCOUNT", "NAME", "MESSAGE", "CREATED"], res.requests.map((r) => [r.id, r.accountId, r.accountDisplayName, r.message, time(r.createdAt)]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  for (const [verb, approve] of [["approve", true], ["deny", false]] as const) {
    withCommunity(m.command(`${verb} <request-id>`))
      .description(`${verb} a join request`)
      .action(action(io, async (s, requestId: string, o: C) => {
        await s.client.communities.decideJoinRequest({ communityId: await communityId(s, o.community), requestId, approve });
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
    s.emit(AcceptInviteResponseSchema, res, () => s.io.stdout(`joined community ${res.communityId} as ${nameOf(ROLES, res.role)}\n`));
  }));

  withCommunity(m.command("remove <member>"))
    .description("remove a member (account id, or a name matched among the members)")
    .action(action(io, async (s, ref: string, o: C) => {
      const id = await communityId(s, o.community);
      const accountId = await resolveMember(s, id, ref);
      await s.client.communities.removeMember({ communityId: id, accountId });
      if (!s.json) s.io.stderr(`removed ${accountId}\n`);
    }));

  withCommunity(m.command("set-role <member> <role>"))
    .description("change a member's role: admin | moderator | member | observer")
    .action(action(io, async (s, ref: string, role: string, o: C) => {
      const id = await communityId(s, o.community);
      const r = parseName(ROLES, "role", role);
      const res = await s.client.communities.setMemberRole({ communityId: id, accountId: await resolveMember(s, id, ref), role: r });
      s.emit(SetMemberRoleResponseSchema, res, () =>
        printRecord(s.io, { account: res.member?.accountId, name: res.member?.displayName, role: nameOf(ROLES, res.member?.role ?? 0), joined: time(res.member?.joinedAt) }),
      );
    }));
}
