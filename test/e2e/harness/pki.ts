import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** A client identity: certificate common name and organisations (Kubernetes user and groups). */
interface Identity {
  readonly file: string;
  readonly cn: string;
  readonly groups: readonly string[];
}

export const IDENTITIES: readonly Identity[] = [
  { file: 'admin', cn: 'kubernetes-admin', groups: ['system:masters'] },
  { file: 'kube-controller-manager', cn: 'system:kube-controller-manager', groups: [] },
  { file: 'kube-scheduler', cn: 'system:kube-scheduler', groups: [] },
  // KWOK plays every node's kubelet; it needs to write Nodes, leases and pod status for all of them.
  { file: 'kwok', cn: 'kwok-controller', groups: ['system:masters'] },
];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 30_000 });
}

/**
 * Fresh throwaway PKI for one test cluster (openssl): a CA, the API server's serving certificate for
 * loopback, client certificates for each identity, and the service-account signing key pair.
 */
export function createPki(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const days = '2';
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=e2e-ca', '-days', days]);
  fs.writeFileSync(
    path.join(dir, 'server.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n',
  );
  fs.writeFileSync(path.join(dir, 'client.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  const issue = (name: string, subject: string, ext: string) => {
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', days, '-extfile', ext, '-out', `${name}.crt`]);
    fs.rmSync(path.join(dir, `${name}.csr`));
  };
  issue('apiserver', '/CN=kube-apiserver', 'server.ext');
  for (const id of IDENTITIES) issue(id.file, `${id.groups.map((g) => `/O=${g}`).join('')}/CN=${id.cn}`, 'client.ext');
  openssl(dir, ['genrsa', '-out', 'sa.key', '2048']);
  openssl(dir, ['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
}

/** A kubeconfig with the certificates embedded. */
export function kubeconfig(pkiDir: string, identity: string, server: string): string {
  const b64 = (f: string) => fs.readFileSync(path.join(pkiDir, f)).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: e2e\n  cluster:\n    server: ${server}\n    certificate-authority-data: ${b64('ca.crt')}`,
    'users:',
    `- name: ${identity}\n  user:\n    client-certificate-data: ${b64(`${identity}.crt`)}\n    client-key-data: ${b64(`${identity}.key`)}`,
    'contexts:',
    `- name: e2e\n  context:\n    cluster: e2e\n    user: ${identity}`,
    'current-context: e2e',
    '',
  ].join('\n');
}
