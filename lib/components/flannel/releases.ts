import type { FlannelVersion } from '../../config/types';
import { ImageRef } from '../../images';

/** What differs between the Flannel releases this library pins. */
export interface FlannelRelease {
  readonly flannel: ImageRef;
  readonly cniPlugin: ImageRef;
  /** v0.28.6 replaced `cp` with the image's `install-conf` helper for installing the CNI config. */
  readonly installConfCommand: readonly string[];
  /** v0.28.9 added a health server (`--healthz-port`) with /healthz and /readyz. */
  readonly healthzPort?: number;
}

const INSTALL_CONF = ['/opt/bin/install-conf'];
const CP_CONF = ['cp', '-f'];

export const FLANNEL_RELEASES: Readonly<Record<FlannelVersion, FlannelRelease>> = {
  'v0.28.9': {
    flannel: new ImageRef('ghcr.io', 'flannel-io/flannel', 'v0.28.9'),
    cniPlugin: new ImageRef('ghcr.io', 'flannel-io/flannel-cni-plugin', 'v1.9.1-flannel3'),
    installConfCommand: INSTALL_CONF,
    healthzPort: 8081,
  },
  'v0.27.0': {
    flannel: new ImageRef('ghcr.io', 'flannel-io/flannel', 'v0.27.0'),
    cniPlugin: new ImageRef('ghcr.io', 'flannel-io/flannel-cni-plugin', 'v1.7.1-flannel1'),
    installConfCommand: CP_CONF,
  },
};
