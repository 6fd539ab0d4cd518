// The Kubernetes L1 constructs (generated from the Kubernetes 1.27 API) that cdk8s-plus-27 exports as
// `k8s`. Imported from their own module so synth does not load all of cdk8s-plus (it costs start-up
// time); it is the same module object as `import { k8s } from 'cdk8s-plus-27'`.
export * from 'cdk8s-plus-27/lib/imports/k8s';
