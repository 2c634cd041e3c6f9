// Whose decision a consent is when the request names no source: the caller's, as "admin:<account id>".
import type { HandlerContext } from "@connectrpc/connect";
import { requirePrincipal } from "../../../sys/core/authn/principal.js";

export const adminSource = (ctx: HandlerContext) => `admin:${requirePrincipal(ctx).accountId}`;
