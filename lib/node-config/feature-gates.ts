import { closest } from 'fastest-levenshtein';
import { FEATURE_GATES } from './feature-gates.generated';

/** Why a feature gate setting would make the kubelet or kube-proxy of a release refuse to start, if it would. */
export interface FeatureGateProblem {
  readonly message: string;
  readonly hint: string;
}

/** The Kubernetes minors whose gate lists this library holds (read from those releases' own code). */
export function listedFeatureGateMinors(): string[] {
  return Object.keys(FEATURE_GATES);
}

/**
 * Checks one feature gate against the registry of the given Kubernetes minor, as kube-proxy and the kubelet do
 * at start-up (`unrecognized feature gate`, `cannot set feature gate ... locked to ...`). A minor without a
 * list here is not checked (undefined).
 */
export function featureGateProblem(name: string, value: boolean, minor: number): FeatureGateProblem | undefined {
  const release = FEATURE_GATES[`1.${minor}`];
  if (!release) return undefined;
  const gate = release.gates[name];
  if (!gate) {
    const near = closest(name, Object.keys(release.gates));
    return {
      message: `not a feature gate of Kubernetes 1.${minor} (kube-proxy and the kubelet refuse to start: "unrecognized feature gate")`,
      hint: `did you mean ${near}? A gate that has been removed is on for good; delete the entry`,
    };
  }
  const [defaultValue, locked] = gate;
  if (locked && value !== defaultValue) {
    return {
      message: `locked to ${defaultValue} in Kubernetes 1.${minor} (kube-proxy and the kubelet refuse any other value)`,
      hint: `delete the entry: the feature is ${defaultValue ? 'always on (GA)' : 'always off (deprecated)'} in this release`,
    };
  }
  return undefined;
}
