import * as semver from 'semver';

/**
 * The apiserver-network-proxy release paired with each Kubernetes minor, as CoreDNS follows kubeadm's table.
 * From 1.28 upstream's minor follows Kubernetes' (1.28 → v0.28.x); 1.26–1.27 take the 0.1.x line and older
 * minors the 0.0.x line (the upstream README, "Versioning and releases").
 *
 * Each tag is the newest patch of its line in the registry.k8s.io image promotion manifest
 * (kubernetes/k8s.io `registry.k8s.io/images/k8s-staging-kas-network-proxy/images.yaml`, stored copy at
 * commit 04a53aba); newer patches may have been promoted since. v0.29.3 is skipped there (built wrongly, the
 * same image as v0.29.4). Sources read for flags: v0.0.37, v0.30.3, v0.31.4, v0.34.0, v0.36.0.
 */
export const KONNECTIVITY_RELEASES: Readonly<Record<number, string>> = {
  28: 'v0.28.6',
  29: 'v0.29.5',
  30: 'v0.30.4',
  31: 'v0.31.4',
  32: 'v0.32.1',
  33: 'v0.33.1',
  34: 'v0.34.0',
  35: 'v0.35.0',
  36: 'v0.36.0',
};
const FIRST_PAIRED_MINOR = 28;
const NEWEST_PAIRED_MINOR = 36;
/** Kubernetes 1.26–1.27: the release-0.1 line (image tags up to v0.1.10 in the manifest above). */
const RELEASE_0_1 = 'v0.1.10';
/** Kubernetes 1.23–1.25 and the Konnectivity task page of the Kubernetes docs: the release-0.0 line. */
const RELEASE_0_0 = 'v0.0.37';

/** The release paired with a Kubernetes minor (a minor newer than the table takes the newest entry). */
export function pairedKonnectivityVersion(kubernetesMinor: number): string {
  if (kubernetesMinor >= FIRST_PAIRED_MINOR) return KONNECTIVITY_RELEASES[Math.min(kubernetesMinor, NEWEST_PAIRED_MINOR)];
  if (kubernetesMinor >= 26) return RELEASE_0_1;
  return RELEASE_0_0;
}

/**
 * Whether `version` belongs to the line paired with `kubernetesMinor` (any patch of it): v0.35.x for 1.35,
 * v0.1.x for 1.27.
 */
export function isPairedKonnectivityVersion(version: string, kubernetesMinor: number): boolean {
  const paired = semver.parse(pairedKonnectivityVersion(kubernetesMinor))!;
  const chosen = semver.parse(version);
  return !!chosen && chosen.major === paired.major && chosen.minor === paired.minor;
}

/**
 * The first release each flag we set appeared in, where that is not the oldest release we check (v0.0.37,
 * which has every other flag we set). Read from the releases' `cmd/{server,agent}/app/options/options.go`:
 * absent in v0.0.37 and v0.30.3, present in v0.31.4, v0.34.0 and v0.36.0; upstream PR #643 (lease-based server
 * counting) added both to master after v0.30, before the release-0.31 branch.
 */
export const KONNECTIVITY_FLAGS_SINCE: Readonly<Record<string, string>> = {
  'enable-lease-controller': '0.31.0',
  'count-server-leases': '0.31.0',
};

/** Whether the release `version` has `flag` (a flag name without dashes, of the server or the agent). */
export function konnectivityVersionHasFlag(version: string, flag: string): boolean {
  const since = KONNECTIVITY_FLAGS_SINCE[flag];
  const v = semver.valid(version.replace(/^v/, ''));
  return since === undefined || (!!v && semver.gte(v, since));
}
