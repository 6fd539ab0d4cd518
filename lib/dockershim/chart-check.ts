import { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { formatFinding, lintManifests, type DockershimFinding } from './lint';

/** Every Docker dependency among the API objects under `scope` (a chart, an app, or any construct). */
export function lintDockershim(scope: IConstruct): DockershimFinding[] {
  // isApiObject, not instanceof: an app repo's cdk8s copy and ours are different classes
  const objects = scope.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
  return lintManifests(objects.map((o) => o.toJson()));
}

export interface DockershimCheckOptions {
  /**
   * Findings to accept (e.g. a node agent that knowingly talks to Docker on Docker-only nodes).
   * @default - none: every finding fails synthesis
   */
  readonly allow?: (finding: DockershimFinding) => boolean;
}

/**
 * Makes synthesis fail on Docker dependencies under `scope`: a construct validation (run by
 * `App.synth()` and by this library's synth) that reports each finding with the object, container and
 * the volume or command.
 */
export function addDockershimCheck(scope: IConstruct, options: DockershimCheckOptions = {}): void {
  scope.node.addValidation({
    validate: () =>
      lintDockershim(scope)
        .filter((f) => !options.allow?.(f))
        .map((f) => `depends on Docker (dockershim was removed in Kubernetes 1.24): ${formatFinding(f)}`),
  });
}
