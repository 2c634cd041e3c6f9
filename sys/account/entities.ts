// The sys tier's identities and tenancy: accounts (people and service accounts), API keys, orgs and projects.
// Relations hold plain ids (mapToPk) so handlers never juggle references; the database still enforces them.
import { defineEntity, p, type InferEntity } from "@mikro-orm/core";

const now = () => new Date();

export const Org = defineEntity({
  name: "Org",
  tableName: "orgs",
  properties: {
    id: p.uuid().primary(),
    slug: p.string().length(63).unique(),
    displayName: p.string().length(100),
    description: p.text().default(""),
    createdAt: p.datetime().onCreate(now),
    updatedAt: p.datetime().onCreate(now).onUpdate(now),
    // Optimistic lock, exposed as the etag.
    version: p.integer().version(),
  },
});
export type Org = InferEntity<typeof Org>;

export const Project = defineEntity({
  name: "Project",
  tableName: "projects",
  uniques: [{ properties: ["orgId", "slug"] }],
  properties: {
    id: p.uuid().primary(),
    orgId: p.manyToOne(Org).mapToPk().fieldName("org_id").deleteRule("cascade"),
    slug: p.string().length(63),
    displayName: p.string().length(100),
    description: p.text().default(""),
    createdAt: p.datetime().onCreate(now),
    updatedAt: p.datetime().onCreate(now).onUpdate(now),
    version: p.integer().version(),
  },
});
export type Project = InferEntity<typeof Project>;

export const Account = defineEntity({
  name: "Account",
  tableName: "accounts",
  properties: {
    id: p.uuid().primary(),
    kind: p.enum(["person", "service"]),
    // Lower-cased; null for service accounts.
    email: p.string().length(254).unique().nullable(),
    displayName: p.string().length(100),
    passwordHash: p.string().nullable(),
    emailVerifiedAt: p.datetime().nullable(),
    // Indexed: the revocation reload every sys replica runs at start reads recently disabled accounts.
    disabledAt: p.datetime().nullable().index(),
    // Deleting an org deletes the service accounts it owns (their bindings are removed by the org service).
    ownerOrgId: p.manyToOne(Org).mapToPk().fieldName("owner_org_id").deleteRule("cascade").nullable(),
    createdAt: p.datetime().onCreate(now),
    updatedAt: p.datetime().onCreate(now).onUpdate(now),
    version: p.integer().version(),
  },
});
export type Account = InferEntity<typeof Account>;

export const ApiKey = defineEntity({
  name: "ApiKey",
  tableName: "api_keys",
  properties: {
    id: p.uuid().primary(),
    accountId: p.manyToOne(Account).mapToPk().fieldName("account_id").deleteRule("cascade"),
    name: p.string().length(100),
    // Public part of `pol_<prefix>_<secret>`, looked up before the hash is compared.
    prefix: p.string().length(32).unique(),
    secretHash: p.string().length(64),
    createdAt: p.datetime().onCreate(now),
    lastUsedAt: p.datetime().nullable(),
    expiresAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export type ApiKey = InferEntity<typeof ApiKey>;

export const accountEntities = [Org, Project, Account, ApiKey];
