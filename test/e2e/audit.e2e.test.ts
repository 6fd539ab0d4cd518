// Our audit policy in force on the tier's real kube-apiserver: requests of every kind the README names are
// driven, then the audit log the API server wrote is read back and checked against what the README promises.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AUDIT_NAMESPACE as NS, AUDIT_NAMESPACE_SA, readControlPlane } from './harness/control-plane';
import { kubectl, kubectlOk } from './harness/kubectl';
import { cluster } from './support';

interface AuditEvent {
  level: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
  requestObject?: unknown;
  responseObject?: unknown;
}

const state = cluster();
const plane = readControlPlane(state.dir);
const auditLog = plane.pods.find((p) => p.program === 'kube-apiserver')!.command.find((a) => a.startsWith('--audit-log-path='))!.split('=')[1];
const admin = 'kubernetes-admin';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-audit-'));
const canary = `audit-canary-${Date.now()}`;
const tokens: string[] = [];

/** A kubeconfig that authenticates as a ServiceAccount with a real token (`kubectl create token`). */
function serviceAccountKubeconfig(name: string): string {
  const token = kubectlOk(state.kubeconfig, ['create', 'token', name, '-n', NS, '--duration=10m']).trim();
  tokens.push(token);
  const file = path.join(work, `${name}.kubeconfig`);
  const ca = fs.readFileSync(path.join(plane.root, 'etc/kubernetes/pki/ca.crt')).toString('base64');
  fs.writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: tier\n  cluster: {server: "${plane.server}", certificate-authority-data: ${ca}}\nusers:\n- name: ${name}\n  user: {token: "${token}"}\ncontexts:\n- name: tier\n  context: {cluster: tier, user: ${name}}\ncurrent-context: tier\n`,
    { mode: 0o600 },
  );
  return file;
}

let events: AuditEvent[] = [];
let logText = '';
const where = (f: (e: AuditEvent) => boolean) => events.filter(f);
const levels = (list: AuditEvent[]) => [...new Set(list.map((e) => e.level))];
const bodies = (list: AuditEvent[]) => list.filter((e) => e.requestObject !== undefined || e.responseObject !== undefined);

beforeAll(() => {
  kubectlOk(state.kubeconfig, ['create', 'namespace', NS]);
  for (const sa of ['quiet', 'auditor', 'other', 'audit-e2e-recorded']) kubectlOk(state.kubeconfig, ['create', 'serviceaccount', sa, '-n', NS]);
  kubectlOk(state.kubeconfig, ['create', 'rolebinding', 'audit-e2e-edit', '-n', NS, '--clusterrole=edit', `--group=system:serviceaccounts:${NS}`]);
  const quiet = serviceAccountKubeconfig('quiet');
  const auditor = serviceAccountKubeconfig('auditor');

  // Secrets and ConfigMaps: write, read, change, list, with a value that must never reach the log
  kubectlOk(state.kubeconfig, ['create', 'secret', 'generic', 'audited', '-n', NS, `--from-literal=password=${canary}`]);
  kubectlOk(state.kubeconfig, ['get', 'secret', 'audited', '-n', NS, '-o', 'yaml']);
  kubectlOk(state.kubeconfig, ['patch', 'secret', 'audited', '-n', NS, '-p', JSON.stringify({ stringData: { other: canary } })]);
  kubectlOk(state.kubeconfig, ['get', 'secrets', '-n', NS]);
  kubectlOk(state.kubeconfig, ['create', 'configmap', 'audited', '-n', NS, `--from-literal=setting=${canary}`]);
  kubectlOk(state.kubeconfig, ['get', 'configmap', 'audited', '-n', NS, '-o', 'yaml']);
  // a TokenReview of a real token: neither the token nor the review's answer may be logged
  kubectlOk(state.kubeconfig, ['create', '-f', '-', '-o', 'yaml'], JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: tokens[1] } }));
  // RBAC write (RequestResponse) and an ordinary write (Metadata)
  kubectlOk(state.kubeconfig, ['create', 'role', 'audit-e2e-reader', '-n', NS, '--verb=get', '--resource=pods']);
  kubectlOk(state.kubeconfig, ['create', 'serviceaccount', 'plain', '-n', NS]);
  // health, version and metrics endpoints
  for (const p of ['/healthz', '/livez', '/readyz', '/version', '/metrics', '/readyz/etcd']) kubectlOk(state.kubeconfig, ['get', '--raw', p]);

  // extraRules: users + verbs (None for the quiet ServiceAccount's reads, not its writes)
  kubectlOk(quiet, ['get', 'configmaps', '-n', NS]);
  kubectlOk(quiet, ['get', 'configmap', 'audited', '-n', NS]);
  kubectlOk(quiet, ['create', 'configmap', 'by-quiet', '-n', NS, '--from-literal=a=b']);
  // userGroups + namespaces + resources (Request) versus the same write by the admin (Metadata)
  const deployment = (name: string) => JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: NS }, spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } } } });
  kubectlOk(auditor, ['create', '-f', '-'], deployment('by-auditor'));
  kubectlOk(state.kubeconfig, ['create', '-f', '-'], deployment('by-admin'));
  // resourceNames (RequestResponse for one named ServiceAccount only)
  kubectlOk(state.kubeconfig, ['label', 'serviceaccount', 'audit-e2e-recorded', '-n', NS, 'audit=recorded']);
  kubectlOk(state.kubeconfig, ['label', 'serviceaccount', 'other', '-n', NS, 'audit=default']);
  // nonResourceURLs (Request for /apis, default Metadata for /api)
  kubectlOk(state.kubeconfig, ['get', '--raw', '/apis']);
  kubectlOk(state.kubeconfig, ['get', '--raw', '/api']);
  // omitStages on one rule: the auditor's watch has no ResponseStarted event, the admin's has
  for (const who of [auditor, state.kubeconfig]) kubectlOk(who, ['get', '--raw', `/api/v1/namespaces/${NS}/configmaps?watch=1&timeoutSeconds=1`]);

  logText = fs.readFileSync(auditLog, 'utf8');
  events = logText
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as AuditEvent);
}, 120_000);

afterAll(() => {
  kubectl(state.kubeconfig, ['delete', 'namespace', NS, '--wait=false']);
  fs.rmSync(work, { recursive: true, force: true });
});

const inNs = (resource: string) => (e: AuditEvent) => e.objectRef?.namespace === NS && e.objectRef?.resource === resource;

describe('the README’s promises, read from the log', () => {
  test('Secrets, ConfigMaps and TokenReviews: Metadata only, no bodies, and neither the value nor a token appears anywhere', () => {
    const secrets = where((e) => inNs('secrets')(e) && e.user.username === admin);
    const configMaps = where((e) => inNs('configmaps')(e) && e.user.username === admin && e.verb !== 'watch');
    const reviews = where((e) => e.objectRef?.resource === 'tokenreviews' && e.user.username === admin);
    expect(secrets.map((e) => e.verb).sort()).toEqual(['create', 'get', 'get', 'list', 'patch']); // kubectl patch reads first
    expect(configMaps.map((e) => e.verb).sort()).toEqual(['create', 'get']);
    expect(reviews.length).toBe(1);
    for (const list of [secrets, configMaps, reviews]) {
      expect(levels(list)).toEqual(['Metadata']);
      expect(bodies(list)).toEqual([]);
    }
    expect(logText.includes(canary)).toBe(false);
    for (const t of tokens) expect(logText.includes(t)).toBe(false);
  });

  test('ServiceAccount tokens (serviceaccounts/token) are Metadata only', () => {
    const minted = where((e) => inNs('serviceaccounts')(e) && e.objectRef?.subresource === 'token');
    expect(minted.length).toBe(2);
    expect(levels(minted)).toEqual(['Metadata']);
  });

  test('writes to RBAC are RequestResponse, everything else Metadata', () => {
    const [role] = where((e) => inNs('roles')(e) && e.verb === 'create');
    expect(role).toMatchObject({ level: 'RequestResponse', objectRef: { apiGroup: 'rbac.authorization.k8s.io' } });
    expect(role.requestObject).toMatchObject({ kind: 'Role', metadata: { name: 'audit-e2e-reader' } });
    expect(role.responseObject).toMatchObject({ kind: 'Role' });
    const accounts = where((e) => inNs('serviceaccounts')(e) && e.verb === 'create' && !e.objectRef?.subresource && e.user.username === admin);
    expect(accounts.length).toBe(5);
    expect(levels(accounts)).toEqual(['Metadata']);
    expect(bodies(accounts)).toEqual([]);
  });

  test('health, version, metrics and OpenAPI are not logged, nor lease renewals or Events', () => {
    expect(where((e) => /^\/(healthz|livez|readyz|version|metrics|openapi)/.test(e.requestURI)).map((e) => e.requestURI)).toEqual([]);
    expect(where((e) => e.objectRef?.resource === 'leases' && ['kube-system', 'kube-node-lease'].includes(e.objectRef.namespace ?? '') && ['get', 'update'].includes(e.verb))).toEqual([]);
    expect(where((e) => e.objectRef?.resource === 'events').map((e) => e.requestURI)).toEqual([]);
    // the controller-manager's and scheduler's lease renewals did happen: the rule had something to drop
    expect(kubectlOk(state.kubeconfig, ['get', 'lease', 'kube-scheduler', '-n', 'kube-system', '-o', 'jsonpath={.spec.renewTime}'])).not.toBe('');
  });

  test('the RequestReceived stage is omitted from every event', () => {
    expect(events.length).toBeGreaterThan(50);
    expect(where((e) => e.stage === 'RequestReceived')).toEqual([]);
  });
});

describe('each extraRules form, first match wins', () => {
  test('users + verbs: the quiet ServiceAccount’s reads are not logged, its write is', () => {
    const quiet = where((e) => e.user.username === AUDIT_NAMESPACE_SA('quiet'));
    expect(quiet.map((e) => `${e.verb} ${e.objectRef?.resource}`)).toEqual(['create configmaps']);
    expect(quiet[0].level).toBe('Metadata');
  });

  test('userGroups + namespaces + resources: Request level (request body, no response body) for the group only', () => {
    const [byAuditor] = where((e) => inNs('deployments')(e) && e.verb === 'create' && e.user.username === AUDIT_NAMESPACE_SA('auditor'));
    const [byAdmin] = where((e) => inNs('deployments')(e) && e.verb === 'create' && e.user.username === admin);
    expect(byAuditor.level).toBe('Request');
    expect(byAuditor.requestObject).toMatchObject({ kind: 'Deployment', metadata: { name: 'by-auditor' } });
    expect(byAuditor.responseObject).toBeUndefined();
    expect(byAdmin.level).toBe('Metadata');
  });

  test('resourceNames: RequestResponse for the named ServiceAccount, Metadata for another', () => {
    const patch = (name: string) => where((e) => inNs('serviceaccounts')(e) && e.verb === 'patch' && e.objectRef?.name === name)[0];
    expect(patch('audit-e2e-recorded').level).toBe('RequestResponse');
    expect(patch('audit-e2e-recorded').responseObject).toMatchObject({ metadata: { labels: { audit: 'recorded' } } });
    expect(patch('other').level).toBe('Metadata');
  });

  test('nonResourceURLs: /apis at Request level, /api at the default Metadata', () => {
    const get = (uri: string) => where((e) => e.requestURI === uri && e.user.username === admin).map((e) => e.level);
    expect(new Set(get('/apis'))).toEqual(new Set(['Request']));
    expect(new Set(get('/api'))).toEqual(new Set(['Metadata']));
  });

  test('omitStages on one rule: the group’s watch has no ResponseStarted event, the admin’s has', () => {
    const watch = (user: string) => where((e) => inNs('configmaps')(e) && e.verb === 'watch' && e.user.username === user).map((e) => e.stage);
    expect(watch(AUDIT_NAMESPACE_SA('auditor'))).toEqual(['ResponseComplete']);
    expect(watch(admin)).toEqual(['ResponseStarted', 'ResponseComplete']);
  });
});
