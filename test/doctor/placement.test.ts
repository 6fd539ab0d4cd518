import { daemonSetRunsOn, tolerates } from '../../lib/doctor/placement';

const node = (labels: Record<string, string>, taints: { key: string; value?: string; effect: string }[] = []) => ({ name: 'n', labels, taints });
const linux = { 'kubernetes.io/os': 'linux' };

describe('where a DaemonSet belongs', () => {
  test('Linux workers only, for the agent (Linux nodeSelector, CriticalAddonsOnly toleration)', () => {
    const tolerations = [{ key: 'CriticalAddonsOnly', operator: 'Exists' }];
    expect(daemonSetRunsOn(node(linux), linux, tolerations)).toBe(true);
    expect(daemonSetRunsOn(node({ 'kubernetes.io/os': 'windows' }), linux, tolerations)).toBe(false);
    expect(daemonSetRunsOn(node(linux, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]), linux, tolerations)).toBe(false);
    // PreferNoSchedule does not keep it away; the controller's own tolerations do not either
    expect(daemonSetRunsOn(node(linux, [{ key: 'x', effect: 'PreferNoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), linux, tolerations)).toBe(true);
  });

  test('toleration matching: Exists, Equal with value, effect, and the empty key', () => {
    expect(tolerates({ operator: 'Exists' }, { key: 'a', effect: 'NoSchedule' })).toBe(true);
    expect(tolerates({ key: 'a', value: 'b', effect: 'NoSchedule' }, { key: 'a', value: 'b', effect: 'NoSchedule' })).toBe(true);
    expect(tolerates({ key: 'a', value: 'c' }, { key: 'a', value: 'b', effect: 'NoSchedule' })).toBe(false);
    expect(tolerates({ key: 'a', operator: 'Exists', effect: 'NoExecute' }, { key: 'a', effect: 'NoSchedule' })).toBe(false);
  });
});
