/**
 * The `pki` section of the cluster config: the certificates in kubeadm's layout, their plan files and `cluster-pki`.
 * Part of `cluster.yaml`; see `types.ts`.
 */

/**
 * Key type of every generated key pair, named as kubeadm v1beta4 `encryptionAlgorithm` names them.
 * ECDSA-P256 keys are faster to make and smaller; RSA-2048 is kubeadm's default.
 */
export type PkiKeyAlgorithm = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'ECDSA-P256';

export interface PkiConfig {
  /**
   * Synthesize the certificate plan under `dist/pki/`: an openssl `csr.conf` and a cfssl CSR JSON per
   * certificate, cfssl's `ca-config.json` and an openssl script. They hold no key material.
   * @default true
   */
  readonly planFiles?: boolean;

  /**
   * Key type of the CAs, the certificates and the service-account key pair.
   * @default "RSA-2048"
   */
  readonly keyAlgorithm?: PkiKeyAlgorithm;

  /**
   * Days the three CAs (kubernetes, etcd, front-proxy) are valid (kubeadm: 10 years).
   * @asType integer
   * @minimum 1
   * @maximum 36500
   * @default 3650
   */
  readonly caValidityDays?: number;

  /**
   * Days each leaf certificate is valid (kubeadm: 1 year). At most `caValidityDays`.
   * @asType integer
   * @minimum 1
   * @maximum 36500
   * @default 365
   */
  readonly certificateValidityDays?: number;

  /**
   * Extra subject alternative names of the API server certificate (kubeadm `apiServer.certSANs`): IP addresses
   * or DNS names (a leading `*.` label is allowed), e.g. control-plane node names and addresses.
   * @default - none
   */
  readonly apiServerCertSANs?: string[];

  /**
   * Extra subject alternative names of the etcd server and peer certificates (kubeadm `etcd.local.serverCertSANs`
   * and `peerCertSANs`): the names and addresses etcd members and the API server dial.
   * @default - none
   */
  readonly etcdCertSANs?: string[];
}
