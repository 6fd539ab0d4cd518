#!/usr/bin/env node
// Regenerates schema/node-config/<version>.json.gz: strict JSON Schemas of the config-file kinds
// (kubeadm, kubelet, kube-proxy, audit, encryption, egress selector) reflected from the Go types of the
// Kubernetes release pinned in scripts/node-config-schemas/go.mod (main.go says how). Needs Go and the Go
// module proxy; tests and synth only read the committed file. To move to a newer release, change the
// k8s.io/kubernetes version and the staging replaces in go.mod, run `go mod tidy` there, then this script.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = __dirname;
const version = /k8s\.io\/kubernetes (v[0-9.]+)/.exec(fs.readFileSync(path.join(dir, 'go.mod'), 'utf8'))[1];
const target = path.join(dir, '..', '..', 'schema', 'node-config', `${version}.json.gz`);
fs.mkdirSync(path.dirname(target), { recursive: true });
const cache = path.join(os.homedir(), '.cache', 'cluster-bootstrap-tools');
const env = { GOMODCACHE: path.join(cache, 'gomod'), GOCACHE: path.join(cache, 'gocache'), GOFLAGS: '-buildvcs=false', ...process.env };
execFileSync('nice', ['-n', '19', 'go', 'run', '.', version, target], { cwd: dir, env, stdio: 'inherit' });
