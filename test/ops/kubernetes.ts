// Kubernetes manifests as the tests read them: an overlay rendered by Kustomize (the one built into kubectl;
// no Kustomize implementation on npm is kept up), each object checked against the Kubernetes schema of its
// apiVersion and kind (kubernetes-models), and the label and path matching the API server and Ingress do.
import { execFileSync } from "node:child_process";
import { parseAllDocuments } from "yaml";

/** The fields the checks read; everything else stays as rendered. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export const hasKubectl = (() => {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

export function renderKustomization(dir: string): K8sObject[] {
  const out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(out).map((doc) => doc.toJS() as K8sObject).filter(Boolean);
}

/** The schema's complaint about `object`, or undefined when it is valid. */
export async function schemaError(object: K8sObject): Promise<string | undefined> {
  // kubernetes-models lays its classes out by apiVersion: v1/Service, apps/v1/Deployment, networking.k8s.io/v1/…
  let model: new (data: unknown) => { validate(): void };
  try {
    const specifier = `kubernetes-models/${object.apiVersion}/${object.kind}`;
    model = (await import(/* @vite-ignore */ specifier))[object.kind];
  } catch {
    return `no Kubernetes schema for ${object.apiVersion} ${object.kind}`;
  }
  try {
    new model(object).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: unknown[];
}

/** Whether a selector picks these labels. The manifests use matchLabels alone; anything else is a test failure. */
export function selects(selector: LabelSelector | Record<string, string> | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  if ("matchExpressions" in selector && selector.matchExpressions) throw new Error("matchExpressions are not checked here: use matchLabels");
  const wanted = ("matchLabels" in selector ? selector.matchLabels : selector) as Record<string, string> | undefined;
  if (!wanted || Object.keys(wanted).length === 0) return true;
  return Object.entries(wanted).every(([key, value]) => labels[key] === value);
}

/** The Service an Ingress sends `path` to: the longest matching rule path, by Ingress's whole-segment Prefix. */
export function ingressBackend(ingress: K8sObject, path: string): { service: string; port: string | number } | undefined {
  let best: { length: number; service: string; port: string | number } | undefined;
  for (const rule of ingress.spec?.rules ?? []) {
    for (const entry of rule.http?.paths ?? []) {
      const prefix: string = entry.path;
      const matches = entry.pathType === "Exact"
        ? path === prefix
        : prefix === "/" || path === prefix.replace(/\/$/, "") || path.startsWith(`${prefix.replace(/\/$/, "")}/`);
      if (!matches || (best && best.length >= prefix.length)) continue;
      const port = entry.backend.service.port;
      best = { length: prefix.length, service: entry.backend.service.name, port: port.name ?? port.number };
    }
  }
  return best && { service: best.service, port: best.port };
}

/** Deployments and Jobs with their pod templates. */
export function workloads(objects: K8sObject[]) {
  return objects
    .filter((o) => o.kind === "Deployment" || o.kind === "Job")
    .map((owner) => ({ owner, labels: (owner.spec.template.metadata?.labels ?? {}) as Record<string, string>, pod: owner.spec.template.spec }));
}

export type Workload = ReturnType<typeof workloads>[number];

/** A probe's or Service's port (a name or a number) as the container's port number, or undefined if undeclared. */
export function containerPort(container: { ports?: Array<{ name?: string; containerPort: number }> }, port: string | number): number | undefined {
  const declared = container.ports ?? [];
  const found = typeof port === "number" ? declared.find((p) => p.containerPort === port) : declared.find((p) => p.name === port);
  return found?.containerPort;
}
