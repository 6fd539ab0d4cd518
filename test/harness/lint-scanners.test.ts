// The lint tier's scanner plumbing without the scanners (test/e2e/lint.e2e.test.ts and checkov.e2e.test.ts run
// them): Checkov's report placed on our objects, and the allowlist matching, stale detection and messages.
import { checkovFindings, checkovSummary, containerOf, documentLines } from '../e2e/harness/checkov';
import { allows, describeFindings, describeStale, parseAllowlist, stale, unlisted, type AllowEntry, type Finding } from '../e2e/harness/scanner-allowlist';

const MANIFEST = [
  'apiVersion: v1',
  'kind: Namespace',
  'metadata:',
  '  name: kube-flannel',
  '---',
  'apiVersion: rbac.authorization.k8s.io/v1',
  'kind: ClusterRole',
  'metadata:',
  '  name: approver',
  'rules: []',
  '---',
  'apiVersion: apps/v1',
  'kind: DaemonSet',
  'metadata:',
  '  name: kube-flannel-ds',
  '  namespace: kube-flannel',
  'spec:',
  '  template:',
  '    spec:',
  '      initContainers:',
  '        - name: install-cni',
  '          image: x',
  '      containers:',
  '        - name: kube-flannel',
  '          image: y',
  '',
].join('\n');

/** A failed check as Checkov 3.3 reports it (fields the tier reads, plus a few it ignores). */
function failed(check: string, resource: string, line: number, keys: string[] = []): object {
  return { check_id: check, check_name: `name of ${check}`, resource, file_path: '/flannel.k8s.yaml', file_line_range: [line, line + 5], check_result: { result: 'FAILED', evaluated_keys: keys }, severity: null };
}

const REPORT = {
  check_type: 'kubernetes',
  results: {
    failed_checks: [
      failed('CKV_K8S_10', 'DaemonSet.kube-flannel.kube-flannel-ds', 12, ['spec/template/spec/initContainers/[0]/resources/requests/cpu']),
      failed('CKV_K8S_20', 'DaemonSet.kube-flannel.kube-flannel-ds', 12, ['spec/template/spec/containers/[0]/securityContext/allowPrivilegeEscalation']),
      // a graph check names the pod template with its labels; the file and line place it on the DaemonSet
      failed('CKV2_K8S_6', 'Pod.kube-flannel.kube-flannel-ds.app-flannel', 12, ['resource_type']),
      // Checkov puts cluster-scoped objects in "default"; ours have no namespace
      failed('CKV_K8S_156', 'ClusterRole.default.approver', 6),
    ],
  },
  summary: { passed: 40, failed: 4, skipped: 0, parsing_errors: 0, resource_count: 3, checkov_version: '3.3.30' },
};

const files = (p: string) => {
  if (p !== '/flannel.k8s.yaml') throw new Error(`unexpected ${p}`);
  return MANIFEST;
};

describe('Checkov report', () => {
  test('documentLines gives each document its lines, from its separator to the next', () => {
    expect(documentLines(MANIFEST).map((d) => [d.object.kind, d.start, d.end])).toEqual([
      ['Namespace', 1, 5],
      ['ClusterRole', 5, 11],
      ['DaemonSet', 11, 26],
    ]);
  });

  test('findings are named Kind/namespace/name from the document at their line, with the container of the key', () => {
    expect(checkovFindings(REPORT, files).map((f) => [f.object, f.check, f.container, f.location])).toEqual([
      ['DaemonSet/kube-flannel/kube-flannel-ds', 'CKV_K8S_10', 'install-cni', 'flannel.k8s.yaml:12'],
      ['DaemonSet/kube-flannel/kube-flannel-ds', 'CKV_K8S_20', 'kube-flannel', 'flannel.k8s.yaml:12'],
      ['DaemonSet/kube-flannel/kube-flannel-ds', 'CKV2_K8S_6', '', 'flannel.k8s.yaml:12'],
      ['ClusterRole/approver', 'CKV_K8S_156', '', 'flannel.k8s.yaml:6'],
    ]);
    expect(checkovFindings(REPORT, files)[0].summary).toBe('name of CKV_K8S_10');
  });

  test('a finding on a line no document covers is an error, not a silent miss', () => {
    const report = { results: { failed_checks: [failed('CKV_K8S_10', 'DaemonSet.x.y', 400)] } };
    expect(() => checkovFindings(report, files)).toThrow(/CKV_K8S_10 on DaemonSet.x.y at \/flannel.k8s.yaml:400/);
  });

  test('summary: one report, several (a list), or the bare summary of a run that found nothing', () => {
    expect(checkovSummary(REPORT)).toEqual({ passed: 40, failed: 4, resourceCount: 3, parsingErrors: 0, version: '3.3.30' });
    expect(checkovSummary([REPORT, REPORT]).resourceCount).toBe(6);
    expect(checkovSummary({ passed: 0, failed: 0, skipped: 0, parsing_errors: 0, resource_count: 0, checkov_version: '3.3.30' }).resourceCount).toBe(0);
    expect(checkovFindings({ passed: 0, failed: 0, resource_count: 0 }, files)).toEqual([]);
  });

  test('containerOf reads Pods, templates and CronJob templates', () => {
    const c = { containers: [{ name: 'a' }, { name: 'b' }] };
    expect(containerOf({ kind: 'Pod', spec: c }, ['spec/containers/[1]/image'])).toBe('b');
    expect(containerOf({ kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: c } } } } }, ['spec/jobTemplate/spec/template/spec/containers/[0]/image'])).toBe('a');
    expect(containerOf({ kind: 'Pod', spec: c }, ['metadata/namespace'])).toBe('');
  });
});

describe('scanner allowlist', () => {
  const finding = (object: string, check: string, container = ''): Finding => ({ object, check, container, summary: 's' });
  const entry = (object: string, check: string, containers?: string[]): AllowEntry => ({ object, check, ...(containers ? { containers } : {}), reason: 'a reason long enough to say why' });
  const ds = 'DaemonSet/kube-flannel/kube-flannel-ds';

  test('an entry allows its object and check only; containers narrow it, "*" or none cover all', () => {
    expect(allows(entry(ds, 'CKV_K8S_20'), finding(ds, 'CKV_K8S_20', 'kube-flannel'))).toBe(true);
    expect(allows(entry(ds, 'CKV_K8S_20'), finding(ds, 'CKV_K8S_22', 'kube-flannel'))).toBe(false);
    expect(allows(entry(ds, 'CKV_K8S_20'), finding('DaemonSet/kube-flannel/other', 'CKV_K8S_20'))).toBe(false);
    expect(allows(entry(ds, 'CKV_K8S_10', ['install-cni']), finding(ds, 'CKV_K8S_10', 'install-cni'))).toBe(true);
    expect(allows(entry(ds, 'CKV_K8S_10', ['install-cni']), finding(ds, 'CKV_K8S_10', 'kube-flannel'))).toBe(false);
    expect(allows(entry(ds, 'CKV_K8S_10', ['*']), finding(ds, 'CKV_K8S_10', 'kube-flannel'))).toBe(true);
  });

  test('unlisted findings and stale entries', () => {
    const list = [entry(ds, 'CKV_K8S_20'), entry(ds, 'CKV_K8S_43')];
    const findings = [finding(ds, 'CKV_K8S_20', 'kube-flannel'), finding(ds, 'CKV_K8S_22', 'kube-flannel')];
    expect(unlisted(findings, list)).toEqual([findings[1]]);
    expect(stale(list, findings)).toEqual([list[1]]);
    expect(stale(list, [])).toEqual(list);
  });

  test('messages name the object, container, check and file, and say what to do', () => {
    const msg = describeFindings([{ ...finding(ds, 'CKV_K8S_22', 'kube-flannel'), location: 'flannel.k8s.yaml:101' }], 'checkov-allowlist.yaml');
    expect(msg).toContain(`${ds} (container kube-flannel): CKV_K8S_22 s [flannel.k8s.yaml:101]`);
    expect(msg).toMatch(/fix the manifest, or add an entry .* to checkov-allowlist.yaml/);
    expect(describeFindings([], 'x')).toBe('');
    expect(describeStale([entry(ds, 'CKV_K8S_43')], 'checkov-allowlist.yaml')).toContain(`${ds}: CKV_K8S_43`);
    expect(describeStale([], 'x')).toBe('');
  });

  test('parseAllowlist refuses entries without a real reason, a malformed object, bad containers or a repeat', () => {
    const ok = `- object: ${ds}\n  check: CKV_K8S_20\n  reason: "flanneld runs as root to program routes"\n`;
    expect(parseAllowlist(ok, 'f')).toEqual([{ object: ds, check: 'CKV_K8S_20', reason: 'flanneld runs as root to program routes' }]);
    expect(() => parseAllowlist(`- object: ${ds}\n  check: CKV_K8S_20\n  reason: needed\n`, 'f')).toThrow(/f entry 1 .*reason must say why/);
    expect(() => parseAllowlist(`- object: ${ds}\n  check: CKV_K8S_20\n`, 'f')).toThrow(/`reason` must be a string/);
    expect(() => parseAllowlist(`- object: kube-flannel-ds\n  check: CKV_K8S_20\n  reason: "a reason long enough to say why"\n`, 'f')).toThrow(/Kind\/namespace\/name/);
    expect(() => parseAllowlist(`- object: ${ds}\n  check: X\n  containers: []\n  reason: "a reason long enough to say why"\n`, 'f')).toThrow(/containers/);
    expect(() => parseAllowlist(ok + ok, 'f')).toThrow(/entry 2 .*repeats/);
    expect(() => parseAllowlist('a: 1', 'f')).toThrow(/list of entries/);
  });
});
