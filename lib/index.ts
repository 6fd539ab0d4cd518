// Public API of the cluster bootstrapper.
export * from './config/types';
export * from './config/cluster-config';
export { Cidr, IpAddress, parseCidrList, AddressSyntaxError, type IpFamily } from './config/cidr';
export { ConfigError, type ConfigIssue } from './config/errors';
export { parseClusterConfig, WINDOWS_MIN_VNI, WINDOWS_VXLAN_PORT } from './config/parse';
export { loadClusterConfig, findConfigSource, parseConfigText, CONFIG_ENV_VAR, type ConfigSource } from './config/load';
export { DEFAULT_CLUSTER_CONFIG, MIN_KUBERNETES_VERSION } from './config/defaults';
export type { ClusterComponent, OutputFile } from './component';
export { ClusterBootstrap, builtInComponents, type ClusterBootstrapProps } from './cluster-bootstrap';
export { ImageRef } from './images';
export * from './components/flannel';
export * from './components/kube-proxy-windows';
export { synthCharts, type ChartOutput } from './output/synth';
export { imagesOf } from './output/summary';
export * from './network-policy';
