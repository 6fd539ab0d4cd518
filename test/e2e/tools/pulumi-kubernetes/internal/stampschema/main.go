// stampschema mirrors upstream provider/cmd/pulumi-resource-kubernetes/generate.go:
// reads schema.json + terraform-mapping.json from the provider module dir, sets
// the schema "version" to $VERSION, writes compact *-embed.json files to OUTDIR.
package main

import (
	"encoding/json"
	"log"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: stampschema <module-cmd-dir> <outdir>")
	}
	src, out := os.Args[1], os.Args[2]
	version := os.Getenv("VERSION")
	if version == "" {
		log.Fatal("VERSION not set")
	}
	b, err := os.ReadFile(filepath.Join(src, "schema.json"))
	if err != nil {
		log.Fatal(err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(b, &spec); err != nil {
		log.Fatal(err)
	}
	spec.Version = version
	if b, err = json.Marshal(spec); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "schema-embed.json"), b, 0o644); err != nil {
		log.Fatal(err)
	}
	tf, err := os.ReadFile(filepath.Join(src, "terraform-mapping.json"))
	if err != nil {
		log.Fatal(err)
	}
	var m any
	if err := json.Unmarshal(tf, &m); err != nil {
		log.Fatal(err)
	}
	if tf, err = json.Marshal(m); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "terraform-mapping-embed.json"), tf, 0o644); err != nil {
		log.Fatal(err)
	}
}
