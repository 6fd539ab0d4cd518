// Command cyclonus-truth-table prints cyclonus' verdict on every connection of a policy suite, as JSON, so the
// e2e tier can compare our NetworkPolicy evaluator with cyclonus' matcher (github.com/mattfenwick/cyclonus) on
// the same policy sets.
//
// Pod-to-pod cells come from cyclonus' own simulated probe (its JobBuilder over every pod and container port,
// run by its SimulatedJobRunner), which is what `cyclonus analyze --mode probe` prints as a table. cyclonus probes
// pods only, so cells toward an address outside the pod set go through the same matcher with the destination given
// by IP alone, the way cyclonus represents an ipBlock peer.
//
// stdin:  {"policies": [NetworkPolicy...], "namespaces": {"x": {"ns": "x"}}, "pods": [{"namespace", "name",
//          "labels", "ip", "ports": [{"name", "port", "protocol"}]}], "externals": [{"name", "ip", "port"}]}
// stdout: {"cells": [{"from": "x/a", "to": "y/b" | "<external name>", "port": 80, "protocol": "TCP",
//          "ingress": true, "egress": true, "allowed": true}]}
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/mattfenwick/cyclonus/pkg/connectivity/probe"
	"github.com/mattfenwick/cyclonus/pkg/generator"
	"github.com/mattfenwick/cyclonus/pkg/matcher"
	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

type port struct {
	Name     string      `json:"name"`
	Port     int         `json:"port"`
	Protocol v1.Protocol `json:"protocol"`
}

type pod struct {
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	Labels    map[string]string `json:"labels"`
	IP        string            `json:"ip"`
	Ports     []port            `json:"ports"`
}

type external struct {
	Name string `json:"name"`
	IP   string `json:"ip"`
	Port int    `json:"port"`
}

type input struct {
	Policies   []*networkingv1.NetworkPolicy `json:"policies"`
	Namespaces map[string]map[string]string  `json:"namespaces"`
	Pods       []pod                         `json:"pods"`
	Externals  []external                    `json:"externals"`
}

type cell struct {
	From     string      `json:"from"`
	To       string      `json:"to"`
	Port     int         `json:"port"`
	Protocol v1.Protocol `json:"protocol"`
	Ingress  bool        `json:"ingress"`
	Egress   bool        `json:"egress"`
	Allowed  bool        `json:"allowed"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintf(os.Stderr, "cyclonus-truth-table: reading the input JSON: %v\n", err)
		os.Exit(2)
	}
	resources := &probe.Resources{Namespaces: in.Namespaces}
	for _, p := range in.Pods {
		var containers []*probe.Container
		for _, c := range p.Ports {
			containers = append(containers, &probe.Container{Name: c.Name, Port: c.Port, Protocol: c.Protocol, PortName: c.Name})
		}
		if len(containers) == 0 {
			fmt.Fprintf(os.Stderr, "cyclonus-truth-table: pod %s/%s has no ports; cyclonus probes container ports\n", p.Namespace, p.Name)
			os.Exit(2)
		}
		resources.Pods = append(resources.Pods, probe.NewPod(p.Namespace, p.Name, p.Labels, p.IP, containers))
	}
	policy := matcher.BuildNetworkPolicies(true, in.Policies)

	jobs := (&probe.JobBuilder{TimeoutSeconds: 1}).GetJobsForProbeConfig(resources, generator.ProbeAllAvailable)
	runner := &probe.SimulatedJobRunner{Policies: policy}
	var cells []cell
	for _, r := range runner.RunJobs(jobs.Valid) {
		if r.Job.FromKey == r.Job.ToKey {
			continue // a pod and itself: loopback, outside NetworkPolicy
		}
		cells = append(cells, cell{
			From: r.Job.FromKey, To: r.Job.ToKey, Port: r.Job.ResolvedPort, Protocol: r.Job.Protocol,
			Ingress: *r.Ingress == probe.ConnectivityAllowed, Egress: *r.Egress == probe.ConnectivityAllowed,
			Allowed: r.Combined == probe.ConnectivityAllowed,
		})
	}
	for _, p := range in.Pods {
		for _, e := range in.Externals {
			verdict := policy.IsTrafficAllowed(&matcher.Traffic{
				Source: &matcher.TrafficPeer{
					Internal: &matcher.InternalPeer{PodLabels: p.Labels, NamespaceLabels: in.Namespaces[p.Namespace], Namespace: p.Namespace},
					IP:       p.IP,
				},
				Destination:  &matcher.TrafficPeer{IP: e.IP},
				ResolvedPort: e.Port,
				Protocol:     v1.ProtocolTCP,
			})
			cells = append(cells, cell{
				From: p.Namespace + "/" + p.Name, To: e.Name, Port: e.Port, Protocol: v1.ProtocolTCP,
				Ingress: verdict.Ingress.IsAllowed(), Egress: verdict.Egress.IsAllowed(), Allowed: verdict.IsAllowed(),
			})
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(map[string][]cell{"cells": cells}); err != nil {
		fmt.Fprintf(os.Stderr, "cyclonus-truth-table: %v\n", err)
		os.Exit(1)
	}
}
