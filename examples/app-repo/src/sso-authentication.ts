import { Construct } from 'constructs';
import type { Chart } from 'cdk8s';
import type { ClusterComponent, ComponentContributions } from 'cluster-bootstrap';

/** Where our identity provider's CA sits on every control-plane node (installed by our node image). */
export const SSO_CA_DIR = '/etc/kubernetes/sso';

/**
 * Our single sign-on for kubectl: the API server trusts tokens of the company's OIDC issuer, reads the issuer's
 * CA from a host folder it mounts, and answers on the name our VPN gives it, which must be on its certificate.
 * No API objects: everything it needs is control-plane wiring, contributed through the component contract.
 */
export class SsoAuthenticationComponent implements ClusterComponent {
  readonly id: string = 'sso-authentication';
  constructor(
    private readonly issuer = 'https://sso.shop.example.com',
    private readonly apiName = 'kubectl.shop.example.com',
  ) {}
  isEnabled(): boolean {
    return true;
  }
  version(): string {
    return 'v1';
  }
  addTo(chart: Chart): Construct {
    return new Construct(chart, 'sso-authentication');
  }
  contributions(): ComponentContributions {
    return {
      apiServer: {
        args: { 'oidc-issuer-url': this.issuer, 'oidc-client-id': 'kubectl', 'oidc-username-claim': 'email', 'oidc-ca-file': `${SSO_CA_DIR}/ca.crt` },
        mounts: [{ name: 'sso-ca', hostPath: SSO_CA_DIR, mountPath: SSO_CA_DIR, readOnly: true, pathType: 'Directory' }],
      },
      certificates: { apiServerSANs: [this.apiName] },
    };
  }
}
