/** A container image pinned by tag, whose registry host a cluster-wide mirror can replace. */
export class ImageRef {
  /** Parses `registry/repository:tag`; the first path segment is the registry host. */
  static parse(reference: string): ImageRef {
    const match = /^([^/]+)\/(.+):([^:/]+)$/.exec(reference);
    if (!match) throw new Error(`image reference "${reference}" must look like registry/repository:tag`);
    return new ImageRef(match[1], match[2], match[3]);
  }

  constructor(
    readonly registry: string,
    readonly repository: string,
    readonly tag: string,
  ) {}

  /** The full reference, with the registry replaced by `mirror` when one is configured. */
  resolve(mirror?: string): string {
    return `${mirror ?? this.registry}/${this.repository}:${this.tag}`;
  }

  toString(): string {
    return this.resolve();
  }
}
