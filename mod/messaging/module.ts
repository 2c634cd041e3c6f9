// mod-messaging: reach contacts and community members on the channel that works — contacts and consent,
// providers (email, SMS, Telegram, webhooks, Slack, Discord) chained as fallbacks, messages with Voluble's
// delivery states, templates and blasts — sent by the worker tier through a durable queue.
import { defineModule, type ModContext } from "../../sys/core/module.js";
import { createNotifier } from "../../sys/core/notifier.js";
import { createSafeFetch } from "../../sys/core/outbound/safe-fetch.js";
import { loadSecretsKeyring } from "../../sys/core/secrets/secrets-key.js";
import { timeFunctions } from "../../sys/timespace/time/index.js";
import type { MessagingArea } from "./area.js";
import { blastsArea } from "./blasts/area.js";
import { contactsArea } from "./contacts/area.js";
import type { MessagingDeps } from "./deps.js";
import { inboundArea } from "./inbound/area.js";
import { messagesArea } from "./messages/area.js";
import { notificationsArea } from "./notifications/area.js";
import type { NotificationSources } from "./notifications/sources.js";
import { providersArea } from "./providers/area.js";
import { rotateProviderSecrets } from "./providers/secrets-rotation.js";
import { templatesArea } from "./templates/area.js";

const AREAS: MessagingArea[] = [contactsArea, providersArea, templatesArea, messagesArea, blastsArea, notificationsArea, inboundArea];

/** The voting and governance modules' ports, which notifications follow. */
export type MessagingModuleOptions = NotificationSources;

export function createMessagingModule(options: MessagingModuleOptions = {}) {
  let deps: MessagingDeps | undefined;
  const stops: Array<() => Promise<void> | void> = [];

  const depsFor = (ctx: ModContext): MessagingDeps => {
    if (deps) return deps;
    const notifier = createNotifier(ctx.db, ctx.logger);
    const safeFetch = createSafeFetch({ allowPrivate: ctx.config.outboundAllowPrivate });
    stops.push(() => notifier.close(), () => safeFetch.close());
    deps = {
      ...options,
      db: ctx.db,
      config: ctx.config,
      logger: ctx.logger.child({ module: "messaging" }),
      authz: ctx.authz,
      directory: ctx.directory,
      secrets: loadSecretsKeyring(ctx.config, ctx.db.kind === "pglite"),
      notifier,
      jobs: ctx.jobs,
      metrics: ctx.metrics,
      // The port's time functions; the same pure library when a context built by hand has no timespace port.
      time: ctx.timespace?.time ?? timeFunctions,
      fetch: safeFetch as typeof fetch,
      selfUrl: () => {
        if (!ctx.selfUrl) throw new Error("the server is not listening yet");
        return ctx.selfUrl();
      },
    };
    return deps;
  };

  return {
    ...defineModule<ModContext>({
      id: "messaging",
      tier: "mod",
      entities: AREAS.flatMap((a) => a.entities) as never[],
      migrations: AREAS.flatMap((a) => a.migrations),
      services: (ctx) => AREAS.flatMap((a) => a.services?.(depsFor(ctx)) ?? []),
      routes: (ctx) => AREAS.flatMap((a) => a.routes?.(depsFor(ctx)) ?? []),
      async work(ctx) {
        for (const area of AREAS) if (area.work) stops.unshift(await area.work(depsFor(ctx)));
      },
      async stop() {
        for (const stop of stops.splice(0)) await stop();
        deps = undefined;
      },
      // Provider credentials are the only values the module keeps sealed at rest.
      rotateSecrets: (db, keyring) => rotateProviderSecrets(db, keyring),
    }),
    /** Builds the shared parts without serving (tests and other areas' helpers). */
    depsFor,
  };
}
