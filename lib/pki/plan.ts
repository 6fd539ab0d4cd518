import { IpAddress } from '../net/cidr';
import { ContributionConflictError, type ClusterWiring } from '../contributions';
import type { ClusterConfig, SubjectAltName } from '../config/cluster-config';
import { parseSubjectAltName } from '../config/resolve-pki';
import type { PkiKeyAlgorithm } from '../config/types';

/** X.509 key usages the plan uses, by their RFC 5280 / openssl names. */
export type KeyUsage = 'digitalSignature' | 'keyEncipherment' | 'keyCertSign';
/** Extended key usages the plan uses. */
export type ExtendedKeyUsage = 'serverAuth' | 'clientAuth';
/** kubeadm's names of the three CAs (`kubeadm certs check-expiration`). */
export type CaName = 'ca' | 'etcd-ca' | 'front-proxy-ca';

/** One certificate of the cluster, as kubeadm lays it out under /etc/kubernetes/pki. */
export interface PlannedCertificate {
  /** kubeadm's name for it, e.g. `apiserver`, `etcd-server`, `etcd-ca`. */
  readonly name: string;
  /** Path under the PKI directory without extension: `etcd/server` is `etcd/server.crt` + `etcd/server.key`. */
  readonly baseName: string;
  /** What the certificate is for, one line. */
  readonly purpose: string;
  /** For a leaf: the CA that signs it. CAs sign themselves. */
  readonly signer?: CaName;
  readonly isCa: boolean;
  readonly commonName: string;
  /** Subject O values: the groups a client certificate authenticates as. */
  readonly organizations: readonly string[];
  /** Subject OU values (the cluster name on the CAs, so trust stores tell clusters apart). */
  readonly organizationalUnits: readonly string[];
  readonly keyUsages: readonly KeyUsage[];
  readonly extendedKeyUsages: readonly ExtendedKeyUsage[];
  /** DNS subject alternative names, deduplicated, in plan order. */
  readonly dnsNames: readonly string[];
  /** IP subject alternative names in canonical text form, deduplicated, in plan order. */
  readonly ipAddresses: readonly string[];
  readonly validityDays: number;
}

/** A bare key pair (no certificate): the service-account token signing key. */
export interface PlannedKeyPair {
  readonly name: string;
  /** `sa`: `sa.key` (private) and `sa.pub` (public). */
  readonly baseName: string;
  readonly purpose: string;
}

export interface PkiPlan {
  readonly clusterName: string;
  readonly keyAlgorithm: PkiKeyAlgorithm;
  /** CAs first (each before the certificates it signs), then the leaves. */
  readonly certificates: readonly PlannedCertificate[];
  readonly keyPairs: readonly PlannedKeyPair[];
}

/** Where kubeadm reads and writes the cluster's certificates on a control-plane node. */
export const KUBEADM_PKI_DIR = '/etc/kubernetes/pki';

/** The CA certificate of each signer, by kubeadm name. */
export const CA_BASE_NAMES: Readonly<Record<CaName, string>> = { ca: 'ca', 'etcd-ca': 'etcd/ca', 'front-proxy-ca': 'front-proxy-ca' };

/**
 * The `O` of apiserver-kubelet-client: kubeadm moved it from `system:masters` to `kubeadm:cluster-admins`
 * (bound to cluster-admin by kubeadm) in 1.29, so the certificate is no longer a break-glass credential.
 */
export function kubeletClientGroup(config: ClusterConfig): string {
  return config.kubernetesVersion.minor >= 29 ? 'kubeadm:cluster-admins' : 'system:masters';
}

/** The API server certificate's names: the in-cluster `kubernetes` Service names, the endpoint, the Service IPs. */
export function apiServerSubjectAltNames(config: ClusterConfig, wiring: ClusterWiring): { dnsNames: string[]; ipAddresses: string[] } {
  const sans: SubjectAltName[] = [];
  const dns = (name: string) => sans.push({ kind: 'dns', name });
  for (const name of ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster']) dns(name);
  dns(`kubernetes.default.svc.${config.network.dnsDomain}`);
  sans.push(endpointSan(config.apiServer.host));
  // the `kubernetes` Service's ClusterIP (MASTER_CLUSTER_IP) of each service range
  for (const ip of config.network.firstServiceIPs) sans.push({ kind: 'ip', ip });
  sans.push(...config.pki.apiServerCertSANs);
  sans.push(...contributedSans(wiring));
  return splitSans(sans);
}

/** etcd's serving and peer names: loopback (the API server dials 127.0.0.1:2379) plus the configured ones. */
export function etcdSubjectAltNames(config: ClusterConfig): { dnsNames: string[]; ipAddresses: string[] } {
  const loopback = ['127.0.0.1', '::1'].map((text): SubjectAltName => ({ kind: 'ip', ip: IpAddress.parse(text) }));
  return splitSans([{ kind: 'dns', name: 'localhost' }, ...loopback, ...config.pki.etcdCertSANs]);
}

/** The components' extra API server SANs, typed (`collectContributions` refused any that is neither an IP nor a DNS name). */
function contributedSans(wiring: ClusterWiring): SubjectAltName[] {
  return wiring.certificates.apiServerSANs.map((text) => {
    const san = parseSubjectAltName(text);
    if (!san) throw new ContributionConflictError(`API server certificate SAN ${JSON.stringify(text)}: neither an IP address nor a DNS name`);
    return san;
  });
}

function endpointSan(host: string): SubjectAltName {
  // parse.ts validated apiServer.host as an IP or a DNS name; here we only tell which
  const ip = IpAddress.tryParse(host);
  return ip ? { kind: 'ip', ip } : { kind: 'dns', name: host };
}

/** DNS names (case-insensitively unique) and canonical IPs (unique), each in first-seen order. */
export function splitSans(sans: readonly SubjectAltName[]): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const san of sans) {
    if (san.kind === 'dns') {
      if (!dnsNames.some((d) => d.toLowerCase() === san.name.toLowerCase())) dnsNames.push(san.name);
    } else {
      const text = san.ip.toString();
      if (!ipAddresses.includes(text)) ipAddresses.push(text);
    }
  }
  return { dnsNames, ipAddresses };
}

/**
 * Every certificate the cluster needs, following kubeadm's layout and identities (kubeadm `certs list`),
 * plus the Konnectivity server's client certificate when Konnectivity is on. Pure: same config, same plan.
 */
export function pkiPlan(config: ClusterConfig, wiring: ClusterWiring): PkiPlan {
  const p = config.pki;
  // keyEncipherment as kubeadm on RSA keys; kubeadm asserts it on EC keys too, which RFC 5480 as updated by
  // RFC 8813 forbids (an EC key cannot encipher keys), so ours never do (test/e2e/pki-vs-kubeadm.e2e.test.ts)
  const rsa = p.keyAlgorithm.startsWith('RSA');
  const leafUsages: KeyUsage[] = rsa ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
  const caUsages: KeyUsage[] = [...leafUsages, 'keyCertSign'];
  const none = { dnsNames: [], ipAddresses: [] };

  const ca = (name: CaName, commonName: string, purpose: string): PlannedCertificate => ({
    name,
    baseName: CA_BASE_NAMES[name],
    purpose,
    isCa: true,
    commonName,
    organizations: [],
    organizationalUnits: [config.clusterName],
    keyUsages: caUsages,
    extendedKeyUsages: [],
    ...none,
    validityDays: p.caValidityDays,
  });
  const leaf = (
    name: string,
    baseName: string,
    signer: CaName,
    purpose: string,
    subject: { commonName: string; organizations?: string[] },
    extendedKeyUsages: ExtendedKeyUsage[],
    sans: { dnsNames: string[]; ipAddresses: string[] } = none,
  ): PlannedCertificate => ({
    name,
    baseName,
    purpose,
    signer,
    isCa: false,
    commonName: subject.commonName,
    organizations: subject.organizations ?? [],
    organizationalUnits: [],
    keyUsages: leafUsages,
    extendedKeyUsages,
    ...sans,
    validityDays: p.certificateValidityDays,
  });

  const etcdSans = etcdSubjectAltNames(config);
  const certificates: PlannedCertificate[] = [
    ca('ca', 'kubernetes', 'cluster CA: signs the API server, kubelet and client certificates'),
    ca('etcd-ca', 'etcd-ca', 'etcd CA: signs etcd serving, peer and client certificates'),
    ca('front-proxy-ca', 'front-proxy-ca', 'front-proxy CA: identifies the API server to extension API servers'),
    leaf('apiserver', 'apiserver', 'ca', 'API server serving certificate', { commonName: 'kube-apiserver' }, ['serverAuth'], apiServerSubjectAltNames(config, wiring)),
    leaf('apiserver-kubelet-client', 'apiserver-kubelet-client', 'ca', 'API server client certificate for kubelets', { commonName: 'kube-apiserver-kubelet-client', organizations: [kubeletClientGroup(config)] }, ['clientAuth']),
    leaf('front-proxy-client', 'front-proxy-client', 'front-proxy-ca', 'API server client certificate for the front proxy (aggregation layer)', { commonName: 'front-proxy-client' }, ['clientAuth']),
    leaf('etcd-server', 'etcd/server', 'etcd-ca', 'etcd serving certificate', { commonName: 'kube-etcd' }, ['serverAuth', 'clientAuth'], etcdSans),
    leaf('etcd-peer', 'etcd/peer', 'etcd-ca', 'etcd peer certificate (member to member)', { commonName: 'kube-etcd-peer' }, ['serverAuth', 'clientAuth'], etcdSans),
    leaf('etcd-healthcheck-client', 'etcd/healthcheck-client', 'etcd-ca', 'client certificate of the etcd liveness probe', { commonName: 'kube-etcd-healthcheck-client' }, ['clientAuth']),
    leaf('apiserver-etcd-client', 'apiserver-etcd-client', 'etcd-ca', 'API server client certificate for etcd', { commonName: 'kube-apiserver-etcd-client' }, ['clientAuth']),
  ];
  // components' client certificates (the Konnectivity server's, an app repo's), signed by the cluster CA
  for (const c of wiring.certificates.clientCertificates) {
    // the name is also the file's base name, so it must be new as either
    if (certificates.some((p) => p.name === c.name || p.baseName === c.name)) {
      const by = wiring.sources.find((s) => s.contributions.certificates?.clientCertificates?.some((o) => o.name === c.name))?.id;
      throw new ContributionConflictError(`client certificate "${c.name}"${by ? ` from component "${by}"` : ''}: the PKI plan already has a certificate of that name`);
    }
    certificates.push(leaf(c.name, c.name, 'ca', c.purpose, { commonName: c.commonName, organizations: [...(c.organizations ?? [])] }, ['clientAuth']));
  }
  return {
    clusterName: config.clusterName,
    keyAlgorithm: p.keyAlgorithm,
    certificates,
    keyPairs: [{ name: 'sa', baseName: 'sa', purpose: 'service-account token signing key (sa.key) and verification key (sa.pub)' }],
  };
}
