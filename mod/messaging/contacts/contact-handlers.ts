// CreateContact, GetContact, UpdateContact, DeleteContact. Authorization and input rules come from the proto.
import { Code, type ServiceImpl } from "@connectrpc/connect";
import type { ContactService } from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { apiError, invalidArgument, notFound } from "../../../sys/core/errors.js";
import { isUniqueViolation, query, tableOf } from "../../../sys/core/sql.js";
import { writeTransaction } from "../../../sys/core/write-transaction.js";
import type { MessagingDeps } from "../deps.js";
import { adminSource } from "./caller-source.js";
import { contactToProto, fieldsFromProto } from "./contact-convert.js";
import { checkCommunity, cleanFields, type ContactFields } from "./contact-fields.js";
import { readContact, type ContactRow } from "./contact-rows.js";
import { eraseContact, insertContact, updateContactFields, type WritableField } from "./contact-writes.js";
import { ContactEntity } from "./entities.js";

type Handlers = Pick<ServiceImpl<typeof ContactService>, "createContact" | "getContact" | "updateContact" | "deleteContact">;

const WRITABLE: Record<string, WritableField> = {
  name: "name",
  addresses: "addresses",
  categories: "categories",
  language: "language",
  time_zone: "time_zone",
  timeZone: "time_zone",
  default_region: "default_region",
  defaultRegion: "default_region",
  community_id: "community_id",
  communityId: "community_id",
};

/** A unique-key violation lost to a concurrent write of the same address. */
function addressRace(error: unknown): never {
  if (isUniqueViolation(error)) throw apiError(Code.AlreadyExists, "ADDRESS_TAKEN", "an address was taken by another contact meanwhile");
  throw error;
}

export function createContactHandlers(deps: MessagingDeps): Handlers {
  const found = async (orgId: string, id: string): Promise<ContactRow> => {
    const row = await readContact(deps.db.em(), orgId, id);
    if (!row) throw notFound("contact", id);
    return row;
  };

  return {
    async createContact(req, ctx) {
      const fields = cleanFields(deps, fieldsFromProto(req.contact!, adminSource(ctx)));
      await checkCommunity(deps, req.orgId, fields.communityId, "contact.community_id");
      const id = await writeTransaction(deps.db, (tx) => insertContact(tx, req.orgId, fields, new Date())).catch(addressRace);
      return { contact: contactToProto(await found(req.orgId, id)) };
    },

    async getContact(req) {
      return { contact: contactToProto(await found(req.orgId, req.contactId)) };
    },

    async updateContact(req, ctx) {
      const paths = new Set<WritableField>();
      for (const path of req.updateMask?.paths ?? []) {
        const field = WRITABLE[path];
        if (!field) throw invalidArgument("update_mask", `"${path}" is not writable (${[...new Set(Object.values(WRITABLE))].join(", ")})`);
        paths.add(field);
      }
      if (paths.size === 0) for (const field of Object.values(WRITABLE)) paths.add(field);
      const id = req.contact!.id.toLowerCase();
      const given = fieldsFromProto(req.contact!, adminSource(ctx));
      await writeTransaction(deps.db, async (tx) => {
        const locked = await query(tx, `select id from ${tableOf(tx, ContactEntity)} where org_id = ? and id = ? and erased_at is null for update`, [req.orgId, id]);
        if (locked.length === 0) throw notFound("contact", id);
        const current = (await readContact(tx, req.orgId, id))!;
        const merged: ContactFields = {
          name: paths.has("name") ? given.name : current.name,
          communityId: paths.has("community_id") ? given.communityId : (current.communityId ?? ""),
          language: paths.has("language") ? given.language : current.language,
          timeZone: paths.has("time_zone") ? given.timeZone : current.timeZone,
          defaultRegion: paths.has("default_region") ? given.defaultRegion : current.defaultRegion,
          categories: paths.has("categories") ? given.categories : current.categories,
          addresses: paths.has("addresses") ? given.addresses : current.addresses,
        };
        const fields = cleanFields(deps, merged);
        if (paths.has("community_id")) await checkCommunity(deps, req.orgId, fields.communityId, "contact.community_id");
        await updateContactFields(tx, req.orgId, id, fields, paths, new Date());
      }).catch(addressRace);
      return { contact: contactToProto(await found(req.orgId, id)) };
    },

    async deleteContact(req) {
      const erased = await writeTransaction(deps.db, (tx) => eraseContact(tx, req.orgId, req.contactId, new Date()));
      if (!erased) throw notFound("contact", req.contactId);
      return {};
    },
  };
}
