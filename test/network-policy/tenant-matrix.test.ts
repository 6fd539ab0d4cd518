import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli/policy-matrix';
import { parseClusterConfig } from '../../lib/config/parse';
import { tenantReachability } from '../../lib/network-policy/tenant-matrix';

const config = parseClusterConfig({ tenants: [{ name: 'team-a' }, { name: 'team-b', networkPolicies: { ingress: 'same-namespace' } }, { name: 'batch', networkPolicies: { egress: 'dns-only' } }] });

function cell(m: ReturnType<typeof tenantReachability>[number], from: string, to: string): boolean | null {
  return m.allowed[m.sources.indexOf(from)][m.destinations.indexOf(to)];
}

describe("the tenants' reachability picture", () => {
  const [tcp, dns] = tenantReachability(config);

  test('each ingress and egress option shows as its name says', () => {
    expect(cell(tcp, 'team-a/app-1', 'team-a/app-2')).toBe(false); // ingress deny
    expect(cell(tcp, 'team-b/app-1', 'team-b/app-2')).toBe(true); // ingress same-namespace
    expect(cell(tcp, 'team-b/app-1', 'team-a/app-1')).toBe(false);
    expect(cell(tcp, 'team-a/app-1', 'outside')).toBe(true); // egress all-except-metadata
    expect(cell(tcp, 'team-a/app-1', 'cloud metadata')).toBe(false);
    expect(cell(tcp, 'batch/app-1', 'outside')).toBe(false); // egress dns-only
    expect(cell(tcp, 'no-policies/app-1', 'cloud metadata')).toBe(true);
    expect(dns.sources.every((s) => cell(dns, s, 'kube-system/coredns'))).toBe(true);
  });

  test('policy-matrix writes the page, and a bad config exits 1 leaving the previous page as it was', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-matrix-'));
    try {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), cwd: dir, env: {} };
      fs.writeFileSync(path.join(dir, 'cluster.yaml'), 'tenants:\n  - name: team-a\n');
      expect(main(['--out', 'matrix.html'], io)).toBe(0);
      const page = fs.readFileSync(path.join(dir, 'matrix.html'), 'utf8');
      expect(page).toContain('team-a/app-1');
      expect(page.match(/<table>/g)).toHaveLength(2);
      fs.writeFileSync(path.join(dir, 'cluster.yaml'), 'tenants:\n  - name: team-a\n    networkPolicies: { ingress: same-namespace, egress: dns-only }\n');
      expect(main(['--out', 'matrix.html'], io)).toBe(1);
      expect(err.join('')).toMatch(/tenants\.0\.networkPolicies\.ingress/);
      expect(fs.readFileSync(path.join(dir, 'matrix.html'), 'utf8')).toBe(page);
      expect(main(['--colour'], io)).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
