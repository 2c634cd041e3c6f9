// The sys tier's modules. The authorization engine, token issuer and mailer they share are built by the host.
import type { PolityModule } from "./core/module.js";
import type { SysContext } from "./core/sys-context.js";
import { accountModule } from "./account/module.js";
import { authModule } from "./auth/module.js";
import { authzModule } from "./authz/module.js";
import { communityModule } from "./community/module.js";

export const sysModules: PolityModule<SysContext>[] = [authzModule, accountModule, authModule, communityModule];
