// ProviderService through the real server on PostgreSQL: provider kinds, providers created, read, listed,
// updated and deleted with their secrets sealed (never returned, kept when an update leaves them out), schema
// errors naming the field, rate overrides, chains per scope, and resolveChain's precedence and consent filter.
import { ConnectError, Code } from "@connectrpc/connect";
import { toJsonString } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { type ProviderKind, ProviderSchema, type Provider } from "../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import { ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { randomBytes } from "node:crypto";
import { resolveChain } from "../../mod/messaging/providers/chain.js";
import { rotateProviderSecrets } from "../../mod/messaging/providers/secrets-rotation.js";
import { createKeyring } from "../../sys/core/secrets/keyring.js";
import type { Recipient } from "../../mod/messaging/contacts/recipients.js";
import { sampleConfig } from "./providers-sample.js";
import { type ProviderStage, startProviderStage } from "./providers-stage.js";

let stage: ProviderStage;
let kinds: ProviderKind[];
const SECRET = "a-very-secret-credential-9f3a";

async function failure(call: Promise<unknown>): Promise<{ code: Code; reason?: string; field?: string }> {
  try {
    await call;
  } catch (error) {
    const e = ConnectError.from(error);
    const info = e.findDetails(ErrorInfoSchema)[0];
    return { code: e.code, reason: info?.reason, field: info?.metadata.field };
  }
  throw new Error("expected the call to fail");
}

const kindOf = (channel: Channel) => {
  const kind = kinds.find((k) => k.channel === channel);
  if (!kind) throw new Error(`no shipped provider kind for channel ${Channel[channel]}`);
  return kind;
};

/** A provider of the kind for `channel`, every secret set to SECRET. */
async function createProvider(channel: Channel, name: string, extra: Record<string, unknown> = {}): Promise<Provider> {
  const kind = kindOf(channel);
  const secrets = Object.fromEntries(kind.secretFields.map((f) => [f, SECRET]));
  const { provider } = await stage.providers.createProvider({ orgId: stage.orgId, kind: kind.kind, name, config: sampleConfig(kind, { ...secrets, ...(extra as Record<string, never>) }) });
  return provider!;
}

beforeAll(async () => {
  stage = await startProviderStage("providers");
  ({ kinds } = await stage.providers.listProviderKinds({ orgId: stage.orgId }));
}, 90_000);
afterAll(async () => {
  await stage?.stop();
});

describe("provider kinds", () => {
  it("lists the shipped kinds with their channel, schema, secrets and default rate", async () => {
    const sms = kindOf(Channel.SMS);
    expect(sms.configSchema).toBeDefined();
    expect(sms.secretFields.length).toBeGreaterThan(0);
    expect(sms.defaultRatePerSecond).toBeGreaterThan(0);
    expect(sms.inbound).toBe(true);
    expect(kinds.some((k) => k.channel === Channel.EMAIL)).toBe(true);
  });

  it("refuses a person without a role in the org", async () => {
    expect((await failure(stage.strangerProviders.listProviderKinds({ orgId: stage.orgId }))).code).toBe(Code.PermissionDenied);
    expect((await failure(stage.strangerProviders.listProviders({ orgId: stage.orgId }))).code).toBe(Code.PermissionDenied);
  });
});

describe("providers", () => {
  it("stores secrets sealed to the row and never returns them", async () => {
    const created = await createProvider(Channel.SMS, "sms-secret");
    const sms = kindOf(Channel.SMS);
    expect(created.secretsSet.sort()).toEqual([...sms.secretFields].sort());
    expect(created.webhookUrl).toBe(`${stage.server.url}/api/messaging/hooks/${created.id}`);
    const got = (await stage.providers.getProvider({ orgId: stage.orgId, providerId: created.id })).provider!;
    const listed = (await stage.providers.listProviders({ orgId: stage.orgId })).providers.find((p) => p.id === created.id)!;
    for (const p of [created, got, listed]) {
      expect(toJsonString(ProviderSchema, p)).not.toContain(SECRET);
      for (const field of sms.secretFields) expect(p.config).not.toHaveProperty(field);
    }
    const { rows } = await stage.sql.query<{ config: unknown; secrets: string }>("select config, secrets from mod.messaging_providers where id = $1", [created.id]);
    expect(JSON.stringify(rows[0]!.config)).not.toContain(SECRET);
    expect(rows[0]!.secrets).not.toContain(SECRET);
    expect(JSON.parse(stage.keyring.open(rows[0]!.secrets, created.id))).toMatchObject(Object.fromEntries(sms.secretFields.map((f) => [f, SECRET])));
    // Sealed to its row: copied onto another, it does not open.
    expect(() => stage.keyring.open(rows[0]!.secrets, crypto.randomUUID())).toThrow();
  });

  it("keeps the secrets an update leaves out, and replaces the plain config", async () => {
    const created = await createProvider(Channel.SMS, "sms-update");
    const sms = kindOf(Channel.SMS);
    const plain = sampleConfig(sms);
    for (const field of sms.secretFields) delete plain[field];
    const { provider } = await stage.providers.updateProvider({ orgId: stage.orgId, providerId: created.id, name: "sms-renamed", config: plain, enabled: false });
    expect(provider!.name).toBe("sms-renamed");
    expect(provider!.enabled).toBe(false);
    expect(provider!.secretsSet.sort()).toEqual([...sms.secretFields].sort());
    const { rows } = await stage.sql.query<{ secrets: string }>("select secrets from mod.messaging_providers where id = $1", [created.id]);
    expect(JSON.parse(stage.keyring.open(rows[0]!.secrets, created.id))).toMatchObject(Object.fromEntries(sms.secretFields.map((f) => [f, SECRET])));
  });

  it("answers schema errors with INVALID_ARGUMENT naming the field", async () => {
    const sms = kindOf(Channel.SMS);
    const required = ((sms.configSchema?.required ?? []) as string[])[0]!;
    const missing = sampleConfig(sms);
    delete missing[required];
    const error = await failure(stage.providers.createProvider({ orgId: stage.orgId, kind: sms.kind, name: "sms-missing", config: missing }));
    expect(error).toEqual({ code: Code.InvalidArgument, reason: "SCHEMA_MISMATCH", field: `config.${required}` });
    const wrongType = await failure(stage.providers.createProvider({ orgId: stage.orgId, kind: sms.kind, name: "sms-wrong", config: sampleConfig(sms, { [required]: { not: "a string" } }) }));
    expect(wrongType).toEqual({ code: Code.InvalidArgument, reason: "SCHEMA_MISMATCH", field: `config.${required}` });
    expect(await failure(stage.providers.createProvider({ orgId: stage.orgId, kind: "no-such-kind", name: "x", config: {} })))
      .toEqual({ code: Code.InvalidArgument, reason: "UNKNOWN_PROVIDER_KIND", field: "kind" });
    const { rows } = await stage.sql.query("select 1 from mod.messaging_providers where name in ('sms-missing', 'sms-wrong')");
    expect(rows).toEqual([]);
  });

  it("keeps names unique in the org", async () => {
    await createProvider(Channel.EMAIL, "mail-unique");
    expect((await failure(createProvider(Channel.EMAIL, "mail-unique"))).code).toBe(Code.AlreadyExists);
  });

  it("uses the kind's rate until the org overrides it, and 0 goes back to the default", async () => {
    const sms = kindOf(Channel.SMS);
    const created = await createProvider(Channel.SMS, "sms-rate");
    expect(created.ratePerSecond).toBe(sms.defaultRatePerSecond);
    expect(created.ratePerSecondOverride).toBeUndefined();
    const faster = (await stage.providers.updateProvider({ orgId: stage.orgId, providerId: created.id, ratePerSecond: 7.5 })).provider!;
    expect([faster.ratePerSecond, faster.ratePerSecondOverride]).toEqual([7.5, 7.5]);
    const back = (await stage.providers.updateProvider({ orgId: stage.orgId, providerId: created.id, ratePerSecond: 0 })).provider!;
    expect([back.ratePerSecond, back.ratePerSecondOverride]).toEqual([sms.defaultRatePerSecond, undefined]);
  });

  it("re-seals provider secrets with a new key on secrets rotation", async () => {
    const created = await createProvider(Channel.SMS, "sms-rotate");
    const newKey = randomBytes(32);
    const both = createKeyring({ current: newKey, previous: [stage.keyKey] });
    expect(await rotateProviderSecrets(stage.deps.db, both)).toBeGreaterThan(0);
    const { rows } = await stage.sql.query<{ secrets: string }>("select secrets from mod.messaging_providers where id = $1", [created.id]);
    const onlyNew = createKeyring({ current: newKey });
    expect(JSON.parse(onlyNew.open(rows[0]!.secrets, created.id))).toMatchObject(Object.fromEntries(kindOf(Channel.SMS).secretFields.map((f) => [f, SECRET])));
    expect(await rotateProviderSecrets(stage.deps.db, both)).toBe(0);
    // Back to the server's key, for the tests after this one.
    await rotateProviderSecrets(stage.deps.db, createKeyring({ current: stage.keyKey, previous: [newKey] }));
    expect((await stage.providers.getProvider({ orgId: stage.orgId, providerId: created.id })).provider!.secretsSet.length).toBeGreaterThan(0);
  });

  it("answers NOT_FOUND for another org's provider or an unknown id", async () => {
    const created = await createProvider(Channel.EMAIL, "mail-mine");
    const { org } = await stage.admin.orgs.createOrg({ slug: "providers-other", displayName: "Other" });
    expect((await failure(stage.providers.getProvider({ orgId: org!.id, providerId: created.id }))).code).toBe(Code.NotFound);
    expect((await failure(stage.providers.deleteProvider({ orgId: stage.orgId, providerId: crypto.randomUUID() }))).code).toBe(Code.NotFound);
  });
});

describe("chains", () => {
  const orgDefault = { scope: { case: "orgDefault" as const, value: true } };
  const category = (value: string) => ({ scope: { case: "category" as const, value } });
  const contact = (value: string) => ({ scope: { case: "contactId" as const, value } });

  it("are set, read, listed and deleted per scope; a provider in a chain cannot be deleted", async () => {
    const sms = await createProvider(Channel.SMS, "chain-sms");
    const mail = await createProvider(Channel.EMAIL, "chain-mail");
    const set = (await stage.providers.setChain({ orgId: stage.orgId, scope: category("chain-news"), providerIds: [sms.id, mail.id] })).chain!;
    expect(set.providerIds).toEqual([sms.id, mail.id]);
    const replaced = (await stage.providers.setChain({ orgId: stage.orgId, scope: category("chain-news"), providerIds: [mail.id, sms.id] })).chain!;
    expect((await stage.providers.getChain({ orgId: stage.orgId, scope: category("chain-news") })).chain!.providerIds).toEqual(replaced.providerIds);
    const listed = (await stage.providers.listChains({ orgId: stage.orgId })).chains;
    expect(listed.filter((c) => c.scope?.scope.case === "category" && c.scope.scope.value === "chain-news")).toHaveLength(1);

    expect(await failure(stage.providers.deleteProvider({ orgId: stage.orgId, providerId: sms.id }))).toMatchObject({ code: Code.FailedPrecondition, reason: "PROVIDER_IN_CHAIN" });
    expect((await failure(stage.providers.setChain({ orgId: stage.orgId, scope: orgDefault, providerIds: [crypto.randomUUID()] }))).code).toBe(Code.NotFound);
    expect((await failure(stage.providers.setChain({ orgId: stage.orgId, scope: contact(crypto.randomUUID()), providerIds: [sms.id] }))).code).toBe(Code.NotFound);
    expect((await failure(stage.providers.setChain({ orgId: stage.orgId, scope: orgDefault, providerIds: [sms.id, sms.id] }))).code).toBe(Code.InvalidArgument);

    await stage.providers.deleteChain({ orgId: stage.orgId, scope: category("chain-news") });
    expect((await failure(stage.providers.getChain({ orgId: stage.orgId, scope: category("chain-news") }))).code).toBe(Code.NotFound);
    await stage.providers.deleteProvider({ orgId: stage.orgId, providerId: sms.id });
    expect((await failure(stage.providers.getProvider({ orgId: stage.orgId, providerId: sms.id }))).code).toBe(Code.NotFound);
  });

  it("resolve contact override > category > org default > every enabled provider, keeping reachable channels only", async () => {
    // A separate org, so the providers above do not take part.
    const { org } = await stage.admin.orgs.createOrg({ slug: "chains-resolve", displayName: "Chains" });
    const orgId = org!.id;
    const make = async (channel: Channel, name: string, enabled = true) => {
      const kind = kindOf(channel);
      const secrets = Object.fromEntries(kind.secretFields.map((f) => [f, SECRET]));
      return (await stage.providers.createProvider({ orgId, kind: kind.kind, name, config: sampleConfig(kind, secrets), disabled: !enabled })).provider!;
    };
    const smsA = await make(Channel.SMS, "sms-a");
    const mail = await make(Channel.EMAIL, "mail");
    const smsB = await make(Channel.SMS, "sms-b");
    const off = await make(Channel.EMAIL, "mail-off", false);
    const { contact: person } = await stage.contacts.createContact({ orgId, contact: {
      name: "Ada", addresses: [
        { channel: Channel.SMS, address: "+32470123456", consent: { granted: true, source: "form" } },
        { channel: Channel.EMAIL, address: "ada@example.org", consent: { granted: true, source: "form" } },
      ],
    } });
    const recipient = (over: Partial<Recipient> = {}): Recipient => ({
      orgId, ref: { contactId: person!.id }, contactId: person!.id, name: "Ada", language: "", timeZone: "", categories: [],
      addresses: [{ channel: Channel.SMS, address: "+32470123456", consented: true }, { channel: Channel.EMAIL, address: "ada@example.org", consented: true }],
      optedOut: [], ...over,
    });
    const ids = async (r: Recipient, cat?: string) => (await resolveChain(stage.deps, stage.deps.db.em().fork(), r, cat)).map((p) => p.id);

    // No chain: every enabled provider, in the order of the contact's addresses (SMS first), oldest first.
    expect(await ids(recipient())).toEqual([smsA.id, smsB.id, mail.id]);
    expect(await ids(recipient({ addresses: [...recipient().addresses].reverse() }))).toEqual([mail.id, smsA.id, smsB.id]);

    await stage.providers.setChain({ orgId, scope: orgDefault, providerIds: [mail.id, smsB.id] });
    expect(await ids(recipient())).toEqual([mail.id, smsB.id]);
    await stage.providers.setChain({ orgId, scope: category("alerts"), providerIds: [smsB.id, off.id, smsA.id] });
    expect(await ids(recipient(), "alerts")).toEqual([smsB.id, smsA.id]); // the disabled one is skipped
    expect(await ids(recipient(), "other")).toEqual([mail.id, smsB.id]);
    await stage.providers.setChain({ orgId, scope: contact(person!.id), providerIds: [smsA.id, mail.id] });
    expect(await ids(recipient(), "alerts")).toEqual([smsA.id, mail.id]);

    // Consent: an opted-out or unconsented channel is never tried, whatever the chain says.
    expect(await ids(recipient({ optedOut: [Channel.SMS] }), "alerts")).toEqual([mail.id]);
    expect(await ids(recipient({ addresses: [{ channel: Channel.SMS, address: "+32470123456", consented: true }, { channel: Channel.EMAIL, address: "ada@example.org", consented: false }] }))).toEqual([smsA.id]);
    // A member (no contact): the contact override does not apply.
    expect(await ids(recipient({ contactId: undefined, ref: { member: { communityId: crypto.randomUUID(), accountId: crypto.randomUUID() } } }), "alerts")).toEqual([smsB.id, smsA.id]);

    // The resolved providers carry the opened config and the kind's definition.
    const [first] = await resolveChain(stage.deps, stage.deps.db.em().fork(), recipient());
    for (const field of kindOf(Channel.SMS).secretFields) expect(first!.config[field]).toBe(SECRET);
    expect(first!.definition.kind).toBe(smsA.kind);
  });
});
