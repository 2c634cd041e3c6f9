// Authorization-matrix cases for MessageService (to be merged into CASES of matrix-cases.ts): every RPC names
// the org ("org/{org_id}"). The allowed cells change nothing: messages and recipients named by fresh ids do not
// exist, so they are answered NOT_FOUND after authorization; lists and watches read.
import type { Case, Cell } from "./matrix-cases.js";

type Request = Record<string, unknown>;

const uuid = () => crypto.randomUUID();
const one = (build: (c: Cell) => Request): Case["variants"] => ({ default: build });

export const MESSAGING_MESSAGE_CASES: Record<string, Case> = {
  "MessageService/SendMessage": {
    variants: {
      contact: (c) => ({ orgId: c.org.id, recipient: { recipient: { case: "contactId", value: uuid() } }, content: { case: "message", value: { text: "Matrix" } } }),
      template: (c) => ({
        orgId: c.org.id, recipient: { recipient: { case: "contactId", value: uuid() } },
        content: { case: "template", value: { templateId: uuid(), variables: { a: "b" } } }, idempotencyKey: `matrix-${uuid()}`,
      }),
    },
  },
  "MessageService/GetMessage": { variants: one((c) => ({ orgId: c.org.id, messageId: uuid() })) },
  "MessageService/ListMessages": { variants: one((c) => ({ orgId: c.org.id, states: [8] })) },
  "MessageService/WatchMessages": { variants: one((c) => ({ orgId: c.org.id, contactId: uuid() })) },
  "MessageService/CancelMessage": { variants: one((c) => ({ orgId: c.org.id, messageId: uuid() })) },
  "MessageService/ListFailedMessages": { variants: one((c) => ({ orgId: c.org.id })) },
  "MessageService/RetryMessage": { variants: one((c) => ({ orgId: c.org.id, messageId: uuid() })) },
};
