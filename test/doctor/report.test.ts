import { CAUSES } from '../../lib/doctor/causes';
import { exitCode, type DoctorReport, type Finding } from '../../lib/doctor/findings';
import { renderJson, renderText } from '../../lib/doctor/render';

const ok: Finding = { check: 'api-server', subject: '', status: 'ok', detail: 'ready (ok), v1.35.4' };
const problem: Finding = { check: 'kubelet-logs', subject: 'node-1', node: true, status: 'problem', detail: 'HTTP 500: dial tcp 10.0.0.1:10250: i/o timeout', cause: CAUSES['kubelet-port-blocked'] };
const forbidden: Finding = { check: 'apiservices', subject: '', status: 'unchecked', detail: 'forbidden: ...', cause: CAUSES.forbidden };
const skipped: Finding = { check: 'webhooks', subject: '', status: 'skipped', detail: 'no webhook calls a Service' };

describe('exit code', () => {
  test('0 when everything that applies passed', () => expect(exitCode([ok, skipped])).toBe(0));
  test('1 when a problem was found, even if something could not be checked', () => expect(exitCode([ok, forbidden, problem])).toBe(1));
  test('2 when something could not be checked and nothing was wrong', () => expect(exitCode([ok, forbidden, skipped])).toBe(2));
  test('2 with no findings but unchecked ones', () => expect(exitCode([forbidden])).toBe(2));
});

describe('rendering', () => {
  const report: DoctorReport = {
    server: 'https://127.0.0.1:6443',
    user: 'admin',
    findings: [
      ok,
      { check: 'konnectivity-agents', subject: 'node-1', node: true, status: 'ok', detail: 'ready, 0 restarts' },
      { check: 'konnectivity-agents', subject: 'node-2', node: true, status: 'problem', detail: 'no agent pod on this node' },
      problem,
      { check: 'kubelet-logs', subject: 'node-2', node: true, status: 'ok', detail: 'log of a/b read' },
      skipped,
    ],
  };

  test('a node x check table, the cluster checks, then each problem with cause and fix', () => {
    const text = renderText(report);
    expect(text.split('\n')).toEqual([
      'cluster-doctor: https://127.0.0.1:6443 as user "admin"',
      '',
      'NODE    AGENT                SERVER  KUBELET (LOG)',
      'node-1  ✓ ready, 0 restarts          ✗ kubelet-port-blocked [2]',
      'node-2  ✗ problem [1]                ✓ log of a/b read',
      '',
      'CHECK                       SUBJECT  RESULT',
      'API server                  -        ✓ ready (ok), v1.35.4',
      'admission webhook services  -        - no webhook calls a Service',
      '',
      'PROBLEMS AND WHAT COULD NOT BE CHECKED',
      '[1] Konnectivity agents, node-2: no agent pod on this node',
      '[2] kubelet via API server (pod log), node-1: HTTP 500: dial tcp 10.0.0.1:10250: i/o timeout',
      `    cause: ${CAUSES['kubelet-port-blocked'].title}`,
      `    fix:   ${CAUSES['kubelet-port-blocked'].fix}`,
      '',
      '2 problem(s) found (exit 1)',
    ]);
  });

  test('--json carries the exit code and every finding', () => {
    const json = JSON.parse(renderJson(report));
    expect(json.exitCode).toBe(1);
    expect(json.findings).toHaveLength(report.findings.length);
    expect(json.findings[3].cause.id).toBe('kubelet-port-blocked');
  });
});
