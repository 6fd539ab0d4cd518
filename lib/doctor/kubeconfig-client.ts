// The client of a kubeconfig file: @kubernetes/client-node's KubeConfig applies its tokens, client certificates
// and exec plugins; requests are raw HTTPS (api-client.ts) rather than the generated API classes, because every
// request needs its own deadline and a failure must name the exact URL.
import * as fs from 'fs';
import type * as https from 'https';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeconfigError, request, type DoctorClient } from './api-client';

export function clientFromKubeconfig(file: string): DoctorClient {
  if (!fs.existsSync(file)) throw new KubeconfigError(`no kubeconfig at ${file} (give --kubeconfig <file> or set KUBECONFIG)`);
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (e) {
    throw new KubeconfigError(`cannot read kubeconfig ${file}: ${(e as Error).message}`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new KubeconfigError(`kubeconfig ${file} has no current context with a cluster server`);
  const server = cluster.server.replace(/\/+$/, '');
  const user = kc.getCurrentUser()?.name ?? '(no user)';
  return {
    server,
    user,
    async get(pathAndQuery, timeoutMs) {
      const url = new URL(server + pathAndQuery);
      const options: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
      await kc.applyToHTTPSOptions(options);
      return request(url, options, timeoutMs);
    },
  };
}

