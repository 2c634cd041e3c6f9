// Authorization-matrix cases for ProviderService (to be merged into CASES of matrix-cases.ts): every RPC names
// the org. Ids that name nothing are answered NOT_FOUND after authorization; the provider created uses a kind
// and config that may be refused by the handler (INVALID_ARGUMENT), which also comes after authorization, and
// writes nothing another cell reads.
import type { Case, Cell } from "./matrix-cases.js";
import { unique } from "./matrix-fixture.js";

type Request = Record<string, unknown>;

const uuid = () => crypto.randomUUID();
const one = (build: (c: Cell) => Request): Case["variants"] => ({ default: build });
const category = { scope: { case: "category", value: "matrix" } };

export const MESSAGING_PROVIDER_CASES: Record<string, Case> = {
  "ProviderService/ListProviderKinds": { variants: one((c) => ({ orgId: c.org.id })) },
  "ProviderService/CreateProvider": {
    variants: one((c) => ({ orgId: c.org.id, kind: "email", name: unique("matrix"), config: { host: "smtp.example.org", from: "Matrix <matrix@example.org>" }, disabled: true })),
  },
  "ProviderService/GetProvider": { variants: one((c) => ({ orgId: c.org.id, providerId: uuid() })) },
  "ProviderService/ListProviders": { variants: one((c) => ({ orgId: c.org.id })) },
  "ProviderService/UpdateProvider": { variants: one((c) => ({ orgId: c.org.id, providerId: uuid(), enabled: false })) },
  "ProviderService/DeleteProvider": { variants: one((c) => ({ orgId: c.org.id, providerId: uuid() })), late: true },
  // A provider that does not exist: NOT_FOUND after authorization, and no chain is written.
  "ProviderService/SetChain": { variants: one((c) => ({ orgId: c.org.id, scope: category, providerIds: [uuid()] })) },
  "ProviderService/GetChain": { variants: one((c) => ({ orgId: c.org.id, scope: category })) },
  "ProviderService/ListChains": { variants: one((c) => ({ orgId: c.org.id })) },
  "ProviderService/DeleteChain": { variants: one((c) => ({ orgId: c.org.id, scope: { scope: { case: "orgDefault", value: true } } })), late: true },
};
