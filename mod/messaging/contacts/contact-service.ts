// ContactService: the handlers of each part, put together. Authorization and input rules come from the proto.
import type { ServiceImpl } from "@connectrpc/connect";
import type { ContactService } from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import type { MessagingDeps } from "../deps.js";
import { createConsentHandlers } from "./consent-handlers.js";
import { createExportHandler } from "./contact-export.js";
import { createContactHandlers } from "./contact-handlers.js";
import { createImportHandler } from "./contact-import.js";
import { createListHandler } from "./contact-list.js";
import { createMemberRecipientsHandler } from "./member-recipients.js";

export function createContactService(deps: MessagingDeps): ServiceImpl<typeof ContactService> {
  return {
    ...createContactHandlers(deps),
    ...createListHandler(deps),
    ...createConsentHandlers(deps),
    ...createImportHandler(deps),
    ...createExportHandler(deps),
    ...createMemberRecipientsHandler(deps),
  };
}
