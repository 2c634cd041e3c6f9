// Polity's identity links in the JSON shapes Metagov gateway's identity layer answers with (its LinkedAccount
// serialisation and its "identity data object"), and Metagov's link type and quality words in Polity's enums.
import type { JsonObject } from "@bufbuild/protobuf";
import { type Identity, LinkQuality, LinkType } from "../../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import { HttpError } from "../../../sys/core/http/route.js";

const typeWords: Record<string, LinkType> = {
  oauth: LinkType.OAUTH,
  "manual admin": LinkType.ADMIN,
  "email matching": LinkType.EMAIL,
  unknown: LinkType.UNSPECIFIED,
};
const qualityWords: Record<string, LinkQuality> = {
  "confirmed (strong)": LinkQuality.CONFIRMED_STRONG,
  "confirmed (weak)": LinkQuality.CONFIRMED_WEAK,
  unconfirmed: LinkQuality.UNCONFIRMED,
  unknown: LinkQuality.UNSPECIFIED,
};
const wordOf = <T>(words: Record<string, T>, value: T) => Object.keys(words).find((word) => words[word] === value) ?? "unknown";

/** Metagov's link_type word as Polity's enum; absent is unspecified (Polity's default applies). */
export function linkTypeOf(word: string | undefined, field = "link_type"): LinkType {
  if (word === undefined) return LinkType.UNSPECIFIED;
  if (!(word in typeWords)) throw new HttpError(400, `"${field}" must be one of ${Object.keys(typeWords).join(", ")}`);
  return typeWords[word]!;
}

export function linkQualityOf(word: string | undefined, field = "link_quality"): LinkQuality {
  if (word === undefined) return LinkQuality.UNSPECIFIED;
  if (!(word in qualityWords)) throw new HttpError(400, `"${field}" must be one of ${Object.keys(qualityWords).join(", ")}`);
  return qualityWords[word]!;
}

/** Metagov's LinkedAccount.serialize(); the community is the one the request named (Polity's links are platform-wide). */
export function linkedAccountJson(identity: Identity, community: string | null): JsonObject {
  return {
    external_id: identity.accountId,
    community,
    community_platform_id: null,
    platform_type: identity.platform,
    platform_identifier: identity.platformUserId,
    // Polity keeps the platform's handle, not Metagov's free-form custom data.
    custom_data: identity.platformUsername ? { username: identity.platformUsername } : {},
    link_type: wordOf(typeWords, identity.linkType),
    link_quality: wordOf(qualityWords, identity.linkQuality),
  };
}

/**
 * Metagov's identity data object. A merge in Polity moves the links to the surviving account rather than
 * chaining ids, so every account is its own primary.
 */
export function userJson(accountId: string, identities: Identity[], community: string | null): JsonObject {
  return { source_ID: accountId, primary_ID: accountId, linked_accounts: identities.map((i) => linkedAccountJson(i, community)) };
}

/** Whether a link passes Metagov's optional link_type / link_quality filters. */
export function matchesFilters(identity: Identity, filters: { linkType?: string; linkQuality?: string }): boolean {
  if (filters.linkType !== undefined && wordOf(typeWords, identity.linkType) !== filters.linkType) return false;
  if (filters.linkQuality !== undefined && wordOf(qualityWords, identity.linkQuality) !== filters.linkQuality) return false;
  return true;
}
