import type { TenantLimitRangeConfig } from '../../lib/config/types';
import { admitContainer, checkLimitRange, limitRangeItems, storedLimitRangeItems } from '../../lib/tenants/limit-range';

// The Kubernetes docs' two LimitRange examples (seed 3.1 and 3.2)
const MEMORY_DEFAULTS: TenantLimitRangeConfig = { container: { default: { memory: '512Mi' }, defaultRequest: { memory: '256Mi' } } };
const MEMORY_MIN_MAX: TenantLimitRangeConfig = { container: { max: { memory: '1Gi' }, min: { memory: '500Mi' } } };

const issues = (limits: TenantLimitRangeConfig) => checkLimitRange(limits, 'tenants.0.limitRange');

describe('the docs example "default memory request and limit" (mem-limit-range)', () => {
  test('emits exactly its spec.limits', () => {
    expect(limitRangeItems(MEMORY_DEFAULTS)).toEqual([{ type: 'Container', default: { memory: '512Mi' }, defaultRequest: { memory: '256Mi' } }]);
    expect(issues(MEMORY_DEFAULTS)).toEqual([]);
  });

  test('a container without resources gets request 256Mi and limit 512Mi', () => {
    expect(admitContainer(MEMORY_DEFAULTS, {})).toEqual({ resources: { requests: { memory: '256Mi' }, limits: { memory: '512Mi' } }, violations: [] });
  });

  test('a container with only a 1Gi limit gets a 1Gi request (not the 256Mi default)', () => {
    expect(admitContainer(MEMORY_DEFAULTS, { limits: { memory: '1Gi' } }).resources).toEqual({ requests: { memory: '1Gi' }, limits: { memory: '1Gi' } });
  });

  test('a container with only a 128Mi request gets the 512Mi default limit', () => {
    expect(admitContainer(MEMORY_DEFAULTS, { requests: { memory: '128Mi' } }).resources).toEqual({ requests: { memory: '128Mi' }, limits: { memory: '512Mi' } });
  });
});

describe('the docs example "minimum and maximum memory" (mem-min-max-demo-lr)', () => {
  test('emits exactly its spec.limits, and the API server stores default and defaultRequest 1Gi', () => {
    expect(limitRangeItems(MEMORY_MIN_MAX)).toEqual([{ type: 'Container', max: { memory: '1Gi' }, min: { memory: '500Mi' } }]);
    expect(storedLimitRangeItems(MEMORY_MIN_MAX)).toEqual([
      { type: 'Container', default: { memory: '1Gi' }, defaultRequest: { memory: '1Gi' }, max: { memory: '1Gi' }, min: { memory: '500Mi' } },
    ]);
    expect(issues(MEMORY_MIN_MAX)).toEqual([]);
  });

  test('600Mi request and 800Mi limit are admitted as written', () => {
    expect(admitContainer(MEMORY_MIN_MAX, { requests: { memory: '600Mi' }, limits: { memory: '800Mi' } })).toEqual({
      resources: { requests: { memory: '600Mi' }, limits: { memory: '800Mi' } },
      violations: [],
    });
  });

  test('a 1.5Gi limit is refused with the API server message', () => {
    expect(admitContainer(MEMORY_MIN_MAX, { requests: { memory: '800Mi' }, limits: { memory: '1.5Gi' } }).violations).toEqual([
      'maximum memory usage per Container is 1Gi, but limit is 1536Mi',
    ]);
  });

  test('a 100Mi request is refused with the API server message', () => {
    expect(admitContainer(MEMORY_MIN_MAX, { requests: { memory: '100Mi' }, limits: { memory: '800Mi' } }).violations).toEqual([
      'minimum memory usage per Container is 500Mi, but request is 100Mi',
    ]);
  });

  test('a container without resources gets 1Gi request and limit', () => {
    expect(admitContainer(MEMORY_MIN_MAX, {})).toEqual({ resources: { requests: { memory: '1Gi' }, limits: { memory: '1Gi' } }, violations: [] });
  });
});

describe('checks as the API server validates a LimitRange', () => {
  test.each<[string, TenantLimitRangeConfig, string, string]>([
    ['default > max', { container: { default: { memory: '2Gi' }, max: { memory: '1Gi' } } }, 'container.default.memory', 'default value 2Gi is greater than max value 1Gi'],
    ['defaultRequest > default', { container: { default: { memory: '512Mi' }, defaultRequest: { memory: '1Gi' } } }, 'container.defaultRequest.memory', 'default request value 1Gi is greater than default limit value 512Mi'],
    ['min > max', { container: { min: { cpu: '2' }, max: { cpu: '1500m' } } }, 'container.min.cpu', 'min value 2 is greater than max value 1500m'],
    ['min > defaultRequest', { container: { min: { memory: '600Mi' }, defaultRequest: { memory: '500Mi' }, default: { memory: '1Gi' } } }, 'container.defaultRequest.memory', 'min value 600Mi is greater than default request value 500Mi'],
    ['min > default', { container: { min: { memory: '1Gi' }, default: { memory: '512Mi' } } }, 'container.default.memory', 'min value 1Gi is greater than default value 512Mi'],
    ['defaultRequest > max, default defaulted from max', { container: { max: { memory: '1Gi' }, defaultRequest: { memory: '1.5Gi' } } }, 'container.defaultRequest.memory', 'default request value 1536Mi is greater than max value 1Gi'],
    ['pod min > max', { container: {}, pod: { min: { memory: '2Gi' }, max: { memory: '1Gi' } } }, 'pod.min.memory', 'min value 2Gi is greater than max value 1Gi'],
    ['ratio below 1', { container: { maxLimitRequestRatio: { cpu: '0.5' } } }, 'container.maxLimitRequestRatio.cpu', 'ratio 500m is less than 1'],
    ['ratio above max/min', { container: { min: { cpu: '1' }, max: { cpu: '2' }, maxLimitRequestRatio: { cpu: '4' } } }, 'container.maxLimitRequestRatio.cpu', 'ratio 4 is greater than max/min = 2.000000'],
    ['extended resource default differs from the request', { container: { max: { 'example.com/gpu': '4' }, defaultRequest: { 'example.com/gpu': '1' } } }, 'container.defaultRequest.example.com/gpu', 'default value 4 must equal defaultRequest value 1 in example.com/gpu (default (defaulted from max) vs defaultRequest)'],
    ['extended resource fraction', { container: { max: { 'example.com/gpu': '1.5' } } }, 'container.max.example.com/gpu', 'must be an integer'],
    ['unknown resource', { container: { max: { gpus: '1' } } }, 'container.max.gpus', 'unknown resource "gpus"'],
    ['kubernetes.io resource', { container: { max: { 'kubernetes.io/gpu': '1' } } }, 'container.max.kubernetes.io/gpu', 'unknown resource "kubernetes.io/gpu"'],
    ['not a quantity', { container: { max: { memory: '1GB' } } }, 'container.max.memory', 'not a quantity'],
    ['negative', { container: { min: { memory: '-1Mi' } } }, 'container.min.memory', 'must be greater than or equal to 0'],
    ['volume claims only know storage', { persistentVolumeClaim: { max: { memory: '1Gi', storage: '10Gi' } } }, 'persistentVolumeClaim.max.memory', 'unknown resource "memory"'],
    ['volume claims need min or max storage', { persistentVolumeClaim: {} }, 'persistentVolumeClaim', 'either a minimum or a maximum storage value is required'],
  ])('%s', (_, limits, path, message) => {
    const found = issues(limits);
    expect(found.map((i) => [i.path, i.message])).toEqual([[`tenants.0.limitRange.${path}`, message]]);
    expect(found[0].hint.length).toBeGreaterThan(10);
  });

  test('each issue carries the value as written', () => {
    const [issue] = issues({ container: { default: { memory: '2Gi' }, max: { memory: '1Gi' } } });
    expect(issue.value).toBe('2Gi');
    expect(issue.hint).toMatch(/lower default.memory or raise max.memory/);
  });

  test('comparisons are exact across suffixes: 1Gi equals 1024Mi, 1073741825 exceeds 1Gi', () => {
    expect(issues({ container: { default: { memory: '1024Mi' }, max: { memory: '1Gi' } } })).toEqual([]);
    expect(issues({ container: { default: { memory: '1073741825' }, max: { memory: '1Gi' } } }).map((i) => i.path)).toEqual(['tenants.0.limitRange.container.default.memory']);
  });

  test('valid limits of every type pass and keep their order in spec.limits', () => {
    const limits: TenantLimitRangeConfig = {
      container: { default: { cpu: '500m', memory: '512Mi' }, defaultRequest: { cpu: '100m', memory: '256Mi' }, min: { cpu: '50m' }, max: { cpu: '2', memory: '2Gi' }, maxLimitRequestRatio: { cpu: '10' } },
      pod: { max: { memory: '4Gi' } },
      persistentVolumeClaim: { min: { storage: '1Gi' }, max: { storage: '50Gi' } },
    };
    expect(issues(limits)).toEqual([]);
    expect(limitRangeItems(limits).map((i) => i.type)).toEqual(['Container', 'Pod', 'PersistentVolumeClaim']);
  });

  test('an empty container section emits no Container item', () => {
    expect(limitRangeItems({ container: {} })).toEqual([]);
    expect(limitRangeItems({ container: { default: {} }, pod: { max: { cpu: '4' } } })).toEqual([{ type: 'Pod', max: { cpu: '4' } }]);
  });
});

describe('admission constraints', () => {
  test('a missing limit under a max and a missing request under a min are reported as the API server does', () => {
    expect(admitContainer({ container: { max: { cpu: '1' }, default: {} } }, {}).violations).toEqual([]);
    expect(admitContainer({ container: { min: { cpu: '100m' } } }, { limits: { memory: '1Gi' } }).resources.requests).toEqual({ memory: '1Gi', cpu: '100m' });
  });

  test('the limit/request ratio', () => {
    const limits = { container: { maxLimitRequestRatio: { memory: '2' } } };
    expect(admitContainer(limits, { requests: { memory: '100Mi' }, limits: { memory: '400Mi' } }).violations).toEqual(['memory max limit to request ratio per Container is 2, but provided ratio is 4.000000']);
    expect(admitContainer(limits, { requests: { memory: '100Mi' }, limits: { memory: '200Mi' } }).violations).toEqual([]);
    expect(admitContainer(limits, {}).violations).toEqual(['memory max limit to request ratio per Container is 2, but no request is specified or request is 0']);
  });
});
