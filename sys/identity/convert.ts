// Links as the API and the identity port show them; the proto enums' names, lower-cased, are the stored strings.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Identity, IdentitySchema, LinkQuality as ProtoQuality, LinkType as ProtoType } from "../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import type { LinkedIdentity, LinkQuality, LinkType } from "../core/ports/identity-port.js";
import type { IdentityLink } from "./entities.js";

export const typeToProto = (t: LinkType): ProtoType => ProtoType[t.toUpperCase() as keyof typeof ProtoType];
export const qualityToProto = (q: LinkQuality): ProtoQuality => ProtoQuality[q.toUpperCase() as keyof typeof ProtoQuality];
export const typeOf = (t: ProtoType): LinkType | undefined => (t === ProtoType.UNSPECIFIED ? undefined : (ProtoType[t].toLowerCase() as LinkType));
export const qualityOf = (q: ProtoQuality): LinkQuality | undefined => (q === ProtoQuality.UNSPECIFIED ? undefined : (ProtoQuality[q].toLowerCase() as LinkQuality));

export function toProto(link: IdentityLink): Identity {
  return create(IdentitySchema, {
    accountId: link.accountId,
    platform: link.platform,
    platformUserId: link.platformUserId,
    platformUsername: link.platformUsername,
    linkType: typeToProto(link.linkType),
    linkQuality: qualityToProto(link.linkQuality),
    linkedAt: timestampFromDate(link.linkedAt),
    updatedAt: timestampFromDate(link.updatedAt),
  });
}

export function toLinked(link: Pick<IdentityLink, "accountId" | "platform" | "platformUserId" | "platformUsername" | "linkType" | "linkQuality">): LinkedIdentity {
  return {
    accountId: link.accountId,
    platform: link.platform,
    platformUserId: link.platformUserId,
    platformUsername: link.platformUsername,
    linkType: link.linkType,
    quality: link.linkQuality,
  };
}
