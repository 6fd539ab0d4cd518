import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { dump } from 'js-yaml';
import { ClusterBootstrap, KONNECTIVITY, konnectivityAgentArgs, konnectivityServerArgs, parseClusterConfig } from '../../lib';
import { DEFAULT_KONNECTIVITY_FACTS } from '../../lib/doctor/check-context';
import { documentsFromConfig, documentsFromDist, KONNECTIVITY_FILES } from '../../lib/doctor/konnectivity-documents';
import { checkStaticConsistency, factsFromDocuments, flagValue, podSpecOf, type KonnectivityDocuments } from '../../lib/doctor/static-consistency';
import { tempDir } from '../support/temp-dir';

const ON = { components: { konnectivity: { enabled: true } } };

/** Synthesizes a config into a temp dist/ the way synth writes it (charts as YAML, then the component files). */
function synthDist(file: object): string {
  const dir = tempDir('cb-doctor-');
  const bootstrap = new ClusterBootstrap(new App(), { config: parseClusterConfig(file) });
  for (const [id, chart] of bootstrap.charts) fs.writeFileSync(path.join(dir, `${id}.k8s.yaml`), chart.toJson().map((o: object) => dump(o)).join('---\n'));
  for (const f of [...bootstrap.files.values()].flat()) {
    fs.mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, f.path), f.content);
  }
  return dir;
}

const problems = (docs: KonnectivityDocuments | undefined) => checkStaticConsistency(docs).filter((f) => f.status === 'problem');
const clone = (d: KonnectivityDocuments): KonnectivityDocuments => JSON.parse(JSON.stringify(d));
const serverArgs = (d: KonnectivityDocuments): string[] => podSpecOf(d.server).containers[0].args;
const agentArgs = (d: KonnectivityDocuments): string[] => podSpecOf(d.agent).containers[0].args;
const setFlag = (args: string[], name: string, value: string) => args.splice(args.findIndex((a) => a.startsWith(`--${name}=`)), 1, `--${name}=${value}`);

describe('static consistency of the synthesized Konnectivity files', () => {
  let dist: string;
  beforeAll(() => (dist = synthDist(ON)));
  afterAll(() => fs.rmSync(dist, { recursive: true, force: true }));

  test('the dist files as synthesized agree on all five pairs; they hold the component\'s own args', () => {
    const docs = documentsFromDist(dist)!;
    const config = parseClusterConfig(ON);
    expect(serverArgs(docs)).toEqual(konnectivityServerArgs(config));
    expect(agentArgs(docs)).toEqual(konnectivityAgentArgs(config));
    const findings = checkStaticConsistency(docs);
    expect(findings.map((f) => [f.subject, f.status])).toEqual([['audience', 'ok'], ['agent port', 'ok'], ['socket', 'ok'], ['mode', 'ok'], ['agent identity', 'ok']]);
    expect(findings[0].detail).toContain(KONNECTIVITY.audience);
  });

  test('--config gives the same documents as --dist', () => {
    const fromConfig = documentsFromConfig(parseClusterConfig(ON), 'cluster.yaml')!;
    const fromDist = documentsFromDist(dist)!;
    expect({ ...fromConfig, source: '' }).toEqual({ ...fromDist, source: '' });
  });

  test('a changed server flag in the static Pod file is found, naming both sides and the cause', () => {
    const file = path.join(dist, KONNECTIVITY_FILES.staticPod);
    const original = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(file, original.replace('--authentication-audience=system:konnectivity-server', '--authentication-audience=other'));
      const found = problems(documentsFromDist(dist));
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ subject: 'audience', cause: { id: 'agent-token-audience' } });
      expect(found[0].detail).toBe('agent token audience "system:konnectivity-server" but server --authentication-audience "other"');
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  test.each([
    ['agent port', (d: KonnectivityDocuments) => setFlag(agentArgs(d), 'proxy-server-port', '9999'), 'agent-port-mismatch'],
    ['socket', (d: KonnectivityDocuments) => setFlag(serverArgs(d), 'uds-name', '/tmp/other.socket'), 'socket-mismatch'],
    ['mode', (d: KonnectivityDocuments) => setFlag(serverArgs(d), 'mode', 'http-connect'), 'mode-mismatch'],
    ['agent identity', (d: KonnectivityDocuments) => setFlag(serverArgs(d), 'agent-service-account', 'someone'), 'agent-identity-mismatch'],
    ['audience', (d: KonnectivityDocuments) => (podSpecOf(d.agent).volumes[0].projected.sources[0].serviceAccountToken.audience = 'kubernetes'), 'agent-token-audience'],
  ])('one changed value (%s) is the one problem', (subject, change, cause) => {
    const docs = clone(documentsFromDist(dist)!);
    change(docs);
    expect(problems(docs).map((f) => [f.subject, f.cause?.id])).toEqual([[subject, cause]]);
  });

  test('the DaemonSet server form and http-connect mode are read as well', () => {
    const docs = documentsFromConfig(parseClusterConfig({ components: { konnectivity: { enabled: true, serverForm: 'daemonset', mode: 'http-connect' } } }), 'x')!;
    expect(docs.server.kind).toBe('DaemonSet');
    expect(problems(docs)).toEqual([]);
  });

  test('Konnectivity off: nothing to compare', () => {
    expect(documentsFromConfig(parseClusterConfig({}), 'x')).toBeUndefined();
    expect(checkStaticConsistency(undefined)[0].status).toBe('skipped');
  });

  test("the doctor's defaults are where the component puts Konnectivity; --dist gives the config's health port", () => {
    const facts = factsFromDocuments(documentsFromDist(dist), DEFAULT_KONNECTIVITY_FACTS);
    expect(facts).toEqual({ ...DEFAULT_KONNECTIVITY_FACTS, healthPort: parseClusterConfig(ON).components.konnectivity.healthPort, enabled: true });
    expect(DEFAULT_KONNECTIVITY_FACTS.namespace).toBe(KONNECTIVITY.agentNamespace);
  });

  test('flagValue reads both --name=value and --name value', () => {
    expect(flagValue(['--a=1', '--b', '2', '--c'], 'a')).toBe('1');
    expect(flagValue(['--a=1', '--b', '2', '--c'], 'b')).toBe('2');
    expect(flagValue(['--a=1', '--b', '2', '--c'], 'c')).toBeUndefined();
  });
});
