// polity communities list | create | show | update | archive | unarchive | join | leave | use.
import type { Command } from "commander";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import {
  CommunitySchema, GetCommunityResponseSchema, JoinCommunityResponseSchema, JoinState, ListCommunitiesResponseSchema, type Community,
} from "../../gen/polity/sys/community/v1/community_pb.js";
import { action, type Session } from "../session.js";
import { page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, shortId, time } from "../output.js";
import { resolveOrg } from "../resolve.js";
import { UsageError } from "../exit.js";
import { markdownToText } from "../markdown-text.js";
import { communityId, resolveCommunity, storeCommunity, storedCommunity } from "../community-context.js";
import { JOIN_POLICIES, nameOf, parseName, VISIBILITIES } from "../voting-names.js";
import type { Io } from "../io.js";

interface Fields {
  name?: string;
  description?: string;
  visibility?: string;
  join?: string;
}

export function register(program: Command, io: Io): void {
  const c = program.command("communities").description("communities: create, join, and choose the default one");

  withPaging(c.command("list"))
    .description("list public communities and those you belong to")
    .option("--query <text>", "match slug, name or description")
    .option("--org <org>", "only this org's communities (slug, id or its prefix)")
    .option("--archived", "include archived communities", false)
    .action(action(io, async (s, o: PageOptions & { query?: string; org?: string; archived: boolean }) => {
      const res = await s.client.communities.listCommunities({ ...page(o), query: o.query ?? "", orgId: o.org ? await resolveOrg(s, o.org) : "", includeArchived: o.archived });
      const current = storedCommunity(s);
      s.emit(ListCommunitiesResponseSchema, res, () => {
        printTable(s.io, ["ID", "SLUG", "NAME", "VISIBILITY", "JOIN", "ARCHIVED", "DEFAULT"], res.communities.map((x) => [
          shortId(x.id), x.slug, x.name, nameOf(VISIBILITIES, x.visibility), nameOf(JOIN_POLICIES, x.joinPolicy), x.archived, x.id === current ? "yes" : "",
        ]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  c.command("create <slug>")
    .description("create a community in an org (you become its admin)")
    .requiredOption("--org <org-id-or-slug>", "the org it belongs to")
    .requiredOption("--name <name>", "display name")
    .option("--description <text>", "description (Markdown)")
    .option("--visibility <v>", "public | members-only", "public")
    .option("--join <policy>", "open | approval | invite", "open")
    .action(action(io, async (s, slug: string, o: Fields & { org: string }) => {
      const res = await s.client.communities.createCommunity({
        orgId: await resolveOrg(s, o.org),
        slug,
        name: o.name ?? "",
        description: o.description ?? "",
        visibility: parseName(VISIBILITIES, "visibility", o.visibility!),
        joinPolicy: parseName(JOIN_POLICIES, "join policy", o.join!),
      });
      show(s, res.community);
    }));

  c.command("show [community]").description("show a community (default: the current one)").action(action(io, async (s, ref?: string) => {
    show(s, (await s.client.communities.getCommunity({ communityId: await communityId(s, ref) })).community);
  }));

  c.command("update <community>")
    .description("change a community's name, description, visibility or join policy")
    .option("--name <name>", "display name")
    .option("--description <text>", "description")
    .option("--visibility <v>", "public | members-only")
    .option("--join <policy>", "open | approval | invite")
    .option("--etag <etag>", "fail if the community changed since this etag")
    .action(action(io, async (s, ref: string, o: Fields & { etag?: string }) => {
      const paths: string[] = [];
      const community = create(CommunitySchema, { id: await resolveCommunity(s, ref) });
      if (o.name !== undefined) (community.name = o.name), paths.push("name");
      if (o.description !== undefined) (community.description = o.description), paths.push("description");
      if (o.visibility !== undefined) (community.visibility = parseName(VISIBILITIES, "visibility", o.visibility)), paths.push("visibility");
      if (o.join !== undefined) (community.joinPolicy = parseName(JOIN_POLICIES, "join policy", o.join)), paths.push("join_policy");
      if (paths.length === 0) throw new UsageError("nothing to update: pass --name, --description, --visibility or --join");
      const res = await s.client.communities.updateCommunity({ community, updateMask: create(FieldMaskSchema, { paths }), etag: o.etag ?? "" });
      show(s, res.community);
    }));

  c.command("archive <community>").description("make a community read-only").action(action(io, async (s, ref: string) => {
    show(s, (await s.client.communities.archiveCommunity({ communityId: await resolveCommunity(s, ref) })).community);
  }));
  c.command("unarchive <community>").description("reopen an archived community").action(action(io, async (s, ref: string) => {
    show(s, (await s.client.communities.unarchiveCommunity({ communityId: await resolveCommunity(s, ref) })).community);
  }));

  c.command("join <community>")
    .description("join an open community, or ask to join one that needs approval")
    .option("--message <text>", "a note for the moderators (approval communities)")
    .action(action(io, async (s, ref: string, o: { message?: string }) => {
      const id = await resolveCommunity(s, ref);
      const res = await s.client.communities.joinCommunity({ communityId: id, message: o.message ?? "" });
      s.emit(JoinCommunityResponseSchema, res, () =>
        s.io.stdout(res.state === JoinState.PENDING ? `requested to join ${ref}; a moderator has to approve it\n` : `joined ${ref}\n`),
      );
    }));

  c.command("leave <community>").description("leave a community").action(action(io, async (s, ref: string) => {
    await s.client.communities.leaveCommunity({ communityId: await resolveCommunity(s, ref) });
    if (!s.json) s.io.stderr(`left ${ref}\n`);
  }));

  c.command("use [community]")
    .description("set the default community of this server for the voting commands (no argument: show it)")
    .option("--clear", "forget the default", false)
    .action(action(io, async (s, ref: string | undefined, o: { clear: boolean }) => {
      if (o.clear) {
        storeCommunity(s, undefined);
        if (!s.json) s.io.stderr("no default community\n");
        return;
      }
      if (!ref) {
        const current = storedCommunity(s);
        if (!current) throw new UsageError("no default community: run `polity communities use ID_OR_SLUG`");
        return show(s, (await s.client.communities.getCommunity({ communityId: current })).community);
      }
      // Checked against the server, so a typo is caught now rather than by the next vote.
      const { community } = await s.client.communities.getCommunity({ communityId: await resolveCommunity(s, ref) });
      storeCommunity(s, community!.id);
      if (s.json) show(s, community);
      else s.io.stdout(`default community: ${community!.slug} (${community!.id})\n`);
    }));
}

function show(s: Session, c: Community | undefined): void {
  s.emit(GetCommunityResponseSchema, { $typeName: GetCommunityResponseSchema.typeName, community: c }, () =>
    printRecord(s.io, {
      id: c?.id,
      org: c?.orgId,
      slug: c?.slug,
      name: c?.name,
      description: c?.description ? markdownToText(c.description) : "",
      visibility: c ? nameOf(VISIBILITIES, c.visibility) : "",
      join: c ? nameOf(JOIN_POLICIES, c.joinPolicy) : "",
      archived: c?.archived,
      created: time(c?.createdAt),
      updated: time(c?.updatedAt),
      etag: c?.etag,
    }),
  );
}
