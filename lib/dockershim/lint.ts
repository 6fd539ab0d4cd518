import * as path from 'path';

/**
 * Finds workloads that depend on Docker as the node's container runtime (dockershim is gone since
 * Kubernetes 1.24): pod templates that mount the Docker socket or a directory holding it from the host,
 * containers that run the `docker` CLI or restart the Docker service, and references to Docker's own
 * files. The kubectl/jsonpath script of the Kubernetes docs does this for running pods; this works on
 * manifests before they are applied. Plain functions over parsed objects.
 */

export type DockershimFindingType = 'docker-socket-mount' | 'docker-cli' | 'docker-config';

export interface DockershimFinding {
  /** `Kind/namespace/name` (or `Kind/name` without a namespace). */
  readonly object: string;
  /** The container involved (`init:` or `ephemeral:` prefix for those); undefined for a volume no container mounts. */
  readonly container?: string;
  readonly type: DockershimFindingType;
  /** What was found: the volume and host path, or the command. */
  readonly detail: string;
}

/** A Kubernetes object as parsed from YAML/JSON. */
export type ManifestObject = Record<string, any>;

// Where Docker puts its socket, and the directories above it: mounting any of them exposes the socket.
const DOCKER_SOCKETS = ['/var/run/docker.sock', '/run/docker.sock'];
const DOCKER_DIRS = ['/var/run/docker', '/run/docker'];
const SOCKET_PARENTS = new Set(['/', '/var', '/var/run', '/run']);
const DOCKER_CONFIG = /\/etc\/docker(\/|\b)/;
// `docker <word>` as a command in a shell string or argv (not `--docker-x`, `docker.io/...`, `dockerd`)
const DOCKER_CLI = /(?:^|[\s;&|(`'"])(?:[\w./-]*\/)?docker\s+[a-z]/;
const DOCKER_SERVICE = /\b(?:systemctl|service)\s+(?:\S+\s+)*(?:re)?(?:start|stop|restart|reload|kill)\s+docker(?:\.service)?\b|\bservice\s+docker\s+(?:re)?(?:start|stop|restart)/;

/** Why a host path exposes the Docker socket, or undefined. Normalizes `//`, `.`, `..` and trailing slashes. */
export function dockerSocketExposure(hostPath: string): string | undefined {
  const p = path.posix.normalize(hostPath).replace(/(.)\/+$/, '$1');
  if (DOCKER_SOCKETS.includes(p)) return 'is the Docker socket';
  if (DOCKER_DIRS.some((d) => p === d || p.startsWith(`${d}/`))) return "is Docker's runtime directory";
  if (SOCKET_PARENTS.has(p)) return 'holds the Docker socket';
  return undefined;
}

/** The pod spec of a workload or Pod (Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob, PodTemplate, ...). */
export function podSpecOf(object: ManifestObject): ManifestObject | undefined {
  if (!object || typeof object !== 'object') return undefined;
  if (object.kind === 'Pod') return object.spec;
  if (object.kind === 'PodTemplate') return object.template?.spec;
  if (object.kind === 'CronJob') return object.spec?.jobTemplate?.spec?.template?.spec;
  // Deployment, DaemonSet, StatefulSet, ReplicaSet, ReplicationController, Job, and custom workloads alike
  const spec = object.spec?.template?.spec;
  return spec && typeof spec === 'object' && Array.isArray(spec.containers) ? spec : undefined;
}

export function objectRef(object: ManifestObject): string {
  const m = object.metadata ?? {};
  return `${object.kind ?? '?'}/${m.namespace ? `${m.namespace}/` : ''}${m.name ?? '?'}`;
}

function containersOf(spec: ManifestObject): { name: string; container: ManifestObject }[] {
  const list = (items: unknown, prefix: string) => (Array.isArray(items) ? items : []).map((c: ManifestObject) => ({ name: `${prefix}${c?.name ?? '?'}`, container: c ?? {} }));
  return [...list(spec.initContainers, 'init:'), ...list(spec.containers, ''), ...list(spec.ephemeralContainers, 'ephemeral:')];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Every Docker dependency of one object (empty when it has no pod template or none). */
export function lintObject(object: ManifestObject): DockershimFinding[] {
  const spec = podSpecOf(object);
  if (!spec) return [];
  const ref = objectRef(object);
  const findings: DockershimFinding[] = [];
  const containers = containersOf(spec);
  for (const volume of Array.isArray(spec.volumes) ? spec.volumes : []) {
    const hostPath = volume?.hostPath?.path;
    if (typeof hostPath !== 'string') continue;
    const why = dockerSocketExposure(hostPath);
    if (!why) continue;
    const users = containers.filter((c) => (Array.isArray(c.container.volumeMounts) ? c.container.volumeMounts : []).some((m: ManifestObject) => m?.name === volume.name));
    const detail = `volume ${volume.name} mounts hostPath ${hostPath}, which ${why}`;
    if (!users.length) findings.push({ object: ref, type: 'docker-socket-mount', detail: `${detail} (no container mounts it yet)` });
    for (const u of users) findings.push({ object: ref, container: u.name, type: 'docker-socket-mount', detail });
  }
  for (const { name, container } of containers) {
    const argv = [...strings(container.command), ...strings(container.args)];
    const line = argv.join(' ');
    const execsDocker = argv.length > 0 && path.posix.basename(argv[0]) === 'docker';
    if (execsDocker || argv.some((a) => DOCKER_CLI.test(a))) findings.push({ object: ref, container: name, type: 'docker-cli', detail: `runs the docker CLI: ${line}` });
    else if (argv.some((a) => DOCKER_SERVICE.test(a))) findings.push({ object: ref, container: name, type: 'docker-cli', detail: `controls the Docker service: ${line}` });
    if (argv.some((a) => DOCKER_CONFIG.test(a))) findings.push({ object: ref, container: name, type: 'docker-config', detail: `uses Docker's configuration (/etc/docker): ${line}` });
    for (const env of Array.isArray(container.env) ? container.env : []) {
      if (typeof env?.value === 'string' && /docker\.sock/.test(env.value)) {
        findings.push({ object: ref, container: name, type: 'docker-socket-mount', detail: `env ${env.name}=${env.value} points at the Docker socket` });
      }
    }
  }
  return findings;
}

/** Every Docker dependency in a list of objects (`kind: List` items are looked into). */
export function lintManifests(objects: readonly ManifestObject[]): DockershimFinding[] {
  return objects.flatMap((o) => (o?.kind === 'List' || (typeof o?.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) ? lintManifests(o.items) : lintObject(o)));
}

export function formatFinding(f: DockershimFinding): string {
  return `${f.object}${f.container ? ` container ${f.container}` : ''}: ${f.detail} [${f.type}]`;
}
