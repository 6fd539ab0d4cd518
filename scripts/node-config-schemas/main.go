// Command node-config-schemas writes strict JSON Schemas of the Kubernetes config-file kinds this library
// emits (kubeadm, kubelet, kube-proxy, audit, encryption, egress selector), reflected over the real Go types
// of the Kubernetes release this module pins. Run by `npm run schemas:node-config`; the output is committed.
//
// Rules: a field's JSON name comes from its json tag ("-" skips it, ",inline" or an untagged embedded struct
// merges its fields); every object has additionalProperties false; types with their own JSON form
// (Duration, Time, Quantity, IntOrString, bootstrap token strings) get that form; a field is required only
// when its doc comment carries a +required marker (kubeadm and the kubelet default everything else).
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strings"

	apiserverv1 "k8s.io/apiserver/pkg/apis/apiserver/v1"
	apiserverv1beta1 "k8s.io/apiserver/pkg/apis/apiserver/v1beta1"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	kubeproxyv1alpha1 "k8s.io/kube-proxy/config/v1alpha1"
	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"
	kubeadmv1beta3 "k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/v1beta3"
	kubeadmv1beta4 "k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/v1beta4"
)

type kind struct {
	apiVersion string
	value      any
}

var kinds = []kind{
	{"kubeadm.k8s.io/v1beta3", kubeadmv1beta3.ClusterConfiguration{}},
	{"kubeadm.k8s.io/v1beta3", kubeadmv1beta3.InitConfiguration{}},
	{"kubeadm.k8s.io/v1beta3", kubeadmv1beta3.JoinConfiguration{}},
	{"kubeadm.k8s.io/v1beta4", kubeadmv1beta4.ClusterConfiguration{}},
	{"kubeadm.k8s.io/v1beta4", kubeadmv1beta4.InitConfiguration{}},
	{"kubeadm.k8s.io/v1beta4", kubeadmv1beta4.JoinConfiguration{}},
	{"kubelet.config.k8s.io/v1beta1", kubeletv1beta1.KubeletConfiguration{}},
	{"kubeproxy.config.k8s.io/v1alpha1", kubeproxyv1alpha1.KubeProxyConfiguration{}},
	{"audit.k8s.io/v1", auditv1.Policy{}},
	{"apiserver.config.k8s.io/v1", apiserverv1.EncryptionConfiguration{}},
	{"apiserver.k8s.io/v1beta1", apiserverv1beta1.EgressSelectorConfiguration{}},
}

// Types whose JSON form is not their Go structure (they implement json.Marshaler).
var special = map[string]map[string]any{
	"k8s.io/apimachinery/pkg/apis/meta/v1.Duration":                                 {"type": "string", "pattern": `^([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$|^0$`},
	"k8s.io/apimachinery/pkg/apis/meta/v1.Time":                                     {"type": "string"},
	"k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime":                                {"type": "string"},
	"k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1":                                 {"type": "object"},
	"k8s.io/apimachinery/pkg/api/resource.Quantity":                                 {"type": []string{"string", "number"}},
	"k8s.io/apimachinery/pkg/util/intstr.IntOrString":                               {"type": []string{"string", "integer"}},
	"k8s.io/apimachinery/pkg/runtime.RawExtension":                                  {},
	"k8s.io/apimachinery/pkg/api/resource.QuantityValue":                            {"type": []string{"string", "number"}},
	"k8s.io/component-base/logs/api/v1.TimeOrMetaDuration":                          {"type": []string{"string", "integer"}},
	"k8s.io/kubernetes/cmd/kubeadm/app/apis/bootstraptoken/v1.BootstrapTokenString": {"type": "string"},
	"k8s.io/api/core/v1.ResourceList":                                               nil, // a plain map, reflected normally
}

type generator struct {
	defs    map[string]any
	markers map[string]map[string][]string // "pkg.Type" -> field name -> comment markers
	unknown map[string]bool
}

func defName(t reflect.Type) string {
	path := t.PkgPath()
	for _, p := range []string{"k8s.io/kubernetes/cmd/kubeadm/app/apis/", "k8s.io/apimachinery/pkg/apis/", "k8s.io/apiserver/pkg/apis/", "k8s.io/"} {
		path = strings.TrimPrefix(path, p)
	}
	return strings.ReplaceAll(path, "/", ".") + "." + t.Name()
}

func (g *generator) schemaOf(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer {
		return g.schemaOf(t.Elem())
	}
	full := t.PkgPath() + "." + t.Name()
	if s, ok := special[full]; ok && s != nil {
		return s
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string"} // []byte is base64 text in JSON
		}
		return map[string]any{"type": "array", "items": g.schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schemaOf(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if _, ok := reflect.New(t).Interface().(json.Marshaler); ok {
			g.unknown[full] = true
			return map[string]any{}
		}
		name := defName(t)
		if _, seen := g.defs[name]; !seen {
			g.defs[name] = nil // reserve: recursive types
			props := map[string]any{}
			var required []string
			g.fields(t, props, &required)
			def := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
			if len(required) > 0 {
				sort.Strings(required)
				def["required"] = required
			}
			g.defs[name] = def
		}
		return map[string]any{"$ref": "#/definitions/" + name}
	}
	panic(fmt.Sprintf("unhandled type %s (%s)", t, t.Kind()))
}

func (g *generator) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		parts := strings.Split(tag, ",")
		name := parts[0]
		inline := false
		for _, p := range parts[1:] {
			if p == "inline" {
				inline = true
			}
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if (inline || (f.Anonymous && name == "")) && ft.Kind() == reflect.Struct {
			g.fields(ft, props, required)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schemaOf(f.Type)
		for _, m := range g.markers[t.PkgPath()+"."+t.Name()][f.Name] {
			if m == "+required" || m == "+k8s:required" {
				*required = append(*required, name)
			}
		}
	}
}

// loadMarkers reads the `+marker` lines of every struct field's doc comment in the packages of `kinds`
// and of the packages they reference (reflection cannot see comments).
func (g *generator) loadMarkers(pkgs []string) {
	args := append([]string{"list", "-deps", "-f", "{{.ImportPath}}\t{{.Dir}}"}, pkgs...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		importPath, dir, _ := strings.Cut(line, "\t")
		if !strings.HasPrefix(importPath, "k8s.io/") || dir == "" {
			continue
		}
		parsed, err := parser.ParseDir(token.NewFileSet(), dir, nil, parser.ParseComments)
		if err != nil {
			panic(err)
		}
		for _, p := range parsed {
			for _, file := range p.Files {
				ast.Inspect(file, func(n ast.Node) bool {
					spec, ok := n.(*ast.TypeSpec)
					if !ok {
						return true
					}
					st, ok := spec.Type.(*ast.StructType)
					if !ok {
						return true
					}
					key := importPath + "." + spec.Name.Name
					for _, field := range st.Fields.List {
						if field.Doc == nil {
							continue
						}
						var ms []string
						for _, c := range field.Doc.List {
							text := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
							if strings.HasPrefix(text, "+") {
								ms = append(ms, strings.Fields(text)[0])
							}
						}
						for _, name := range field.Names {
							if g.markers[key] == nil {
								g.markers[key] = map[string][]string{}
							}
							g.markers[key][name.Name] = ms
						}
					}
					return false
				})
			}
		}
	}
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: node-config-schemas <kubernetes version> <output .json.gz>")
		os.Exit(2)
	}
	g := &generator{defs: map[string]any{}, markers: map[string]map[string][]string{}, unknown: map[string]bool{}}
	var pkgs []string
	for _, k := range kinds {
		pkgs = append(pkgs, reflect.TypeOf(k.value).PkgPath())
	}
	g.loadMarkers(pkgs)
	index := map[string]string{}
	for _, k := range kinds {
		t := reflect.TypeOf(k.value)
		ref := g.schemaOf(t)["$ref"].(string)
		name := strings.TrimPrefix(ref, "#/definitions/")
		def := g.defs[name].(map[string]any)
		props := def["properties"].(map[string]any)
		// TypeMeta is inline: pin apiVersion and kind to this kind so a document of another kind fails
		props["apiVersion"] = map[string]any{"const": k.apiVersion}
		props["kind"] = map[string]any{"const": t.Name()}
		def["required"] = uniqueSorted(append(asStrings(def["required"]), "apiVersion", "kind"))
		index[k.apiVersion+"/"+t.Name()] = name
	}
	if len(g.unknown) > 0 {
		var names []string
		for n := range g.unknown {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "types with a custom JSON form, accepted as any value (add them to `special`): %s\n", strings.Join(names, ", "))
		os.Exit(1)
	}
	bundle := map[string]any{
		"kubernetesVersion": os.Args[1],
		"source":            "reflected from the Go types of k8s.io/kubernetes@" + os.Args[1] + " and its staging modules (scripts/node-config-schemas)",
		"kinds":             index,
		"definitions":       g.defs,
	}
	raw, err := json.Marshal(bundle)
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	if err := os.WriteFile(os.Args[2], buf.Bytes(), 0o644); err != nil {
		panic(err)
	}
	fmt.Printf("wrote %s: %d kinds, %d definitions, %d bytes\n", os.Args[2], len(index), len(g.defs), buf.Len())
}

func asStrings(v any) []string {
	s, _ := v.([]string)
	return s
}

func uniqueSorted(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
