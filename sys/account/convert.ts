// Entity → message conversions; the etag is the row's optimistic-lock version.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { AccountKind, AccountSchema, type Account as AccountMessage } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgSchema, ProjectSchema, type Org as OrgMessage, type Project as ProjectMessage } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { etagOf } from "../shared/etag.js";
import type { Account, Org, Project } from "./entities.js";

/** `withEmail`: whether the caller may read this account's email (sys/authz/email-privacy.ts decides). */
export function accountToProto(a: Account, withEmail = false): AccountMessage {
  return create(AccountSchema, {
    id: a.id,
    kind: a.kind === "service" ? AccountKind.SERVICE : AccountKind.PERSON,
    email: withEmail ? (a.email ?? "") : "",
    displayName: a.displayName,
    emailVerified: Boolean(a.emailVerifiedAt),
    disabled: Boolean(a.disabledAt),
    ownerOrgId: a.ownerOrgId ?? "",
    createdAt: timestampFromDate(a.createdAt),
    updatedAt: timestampFromDate(a.updatedAt),
    etag: etagOf(a),
  });
}

export function orgToProto(o: Org): OrgMessage {
  return create(OrgSchema, {
    id: o.id,
    slug: o.slug,
    displayName: o.displayName,
    description: o.description,
    createdAt: timestampFromDate(o.createdAt),
    updatedAt: timestampFromDate(o.updatedAt),
    etag: etagOf(o),
  });
}

export function projectToProto(p: Project): ProjectMessage {
  return create(ProjectSchema, {
    id: p.id,
    orgId: p.orgId,
    slug: p.slug,
    displayName: p.displayName,
    description: p.description,
    createdAt: timestampFromDate(p.createdAt),
    updatedAt: timestampFromDate(p.updatedAt),
    etag: etagOf(p),
  });
}
