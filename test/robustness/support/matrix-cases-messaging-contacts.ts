// Authorization-matrix cases for ContactService (to be merged into CASES of matrix-cases.ts): every RPC names
// the org ("org/{org_id}"). Ids that name nothing are answered NOT_FOUND after authorization; what the allowed
// cells create is a contact with a unique address that nothing else reads, and the CSV is a dry run.
import type { Case, Cell } from "./matrix-cases.js";
import { unique } from "./matrix-fixture.js";

type Request = Record<string, unknown>;

const uuid = () => crypto.randomUUID();
const one = (build: (c: Cell) => Request): Case["variants"] => ({ default: build });
const EMAIL = 1;
const contactRef = () => ({ target: { case: "contactId", value: uuid() } });
const memberRef = (c: Cell) => ({ target: { case: "member", value: { communityId: c.org.pub.id, accountId: uuid() } } });
const csv = (c: Cell) => new TextEncoder().encode(`name,email,community_id\nMatrix,${unique("matrix")}@matrix.example.org,${c.org.pub.id}\n`);

export const MESSAGING_CONTACT_CASES: Record<string, Case> = {
  "ContactService/CreateContact": {
    variants: one((c) => ({ orgId: c.org.id, contact: { name: "Matrix", addresses: [{ channel: EMAIL, address: `${unique("matrix")}@matrix.example.org` }] } })),
  },
  "ContactService/GetContact": { variants: one((c) => ({ orgId: c.org.id, contactId: uuid() })) },
  "ContactService/ListContacts": { variants: one((c) => ({ orgId: c.org.id })) },
  "ContactService/UpdateContact": { variants: one((c) => ({ orgId: c.org.id, contact: { id: uuid(), name: "Matrix" }, updateMask: { paths: ["name"] } })) },
  "ContactService/DeleteContact": { variants: one((c) => ({ orgId: c.org.id, contactId: uuid() })), late: true },
  "ContactService/SetConsent": {
    variants: {
      contact: (c) => ({ orgId: c.org.id, recipient: contactRef(), channel: EMAIL, granted: false }),
      member: (c) => ({ orgId: c.org.id, recipient: memberRef(c), channel: EMAIL, granted: false }),
    },
  },
  "ContactService/ListConsentEvents": {
    variants: {
      org: (c) => ({ orgId: c.org.id }),
      contact: (c) => ({ orgId: c.org.id, recipient: contactRef() }),
      member: (c) => ({ orgId: c.org.id, recipient: memberRef(c) }),
    },
  },
  "ContactService/ImportContacts": { variants: one((c) => ({ orgId: c.org.id, csv: csv(c), dryRun: true })) },
  "ContactService/ExportContacts": { variants: one((c) => ({ orgId: c.org.id })) },
  "ContactService/ListMemberRecipients": {
    variants: {
      public: (c) => ({ orgId: c.org.id, communityId: c.org.pub.id }),
      membersOnly: (c) => ({ orgId: c.org.id, communityId: c.org.mo.id }),
    },
  },
};
