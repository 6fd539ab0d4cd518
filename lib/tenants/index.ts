export * from './tenant-namespace';
export * from './limit-range';
export * from './resource-quota';
export * from './pod-security';
