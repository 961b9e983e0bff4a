// deploy-lint: offline validators that deploy-check.mjs cannot do well in JavaScript.
//
//	deploy-lint dockerfile <Dockerfile>...   BuildKit's own parser, build checks (`docker build --check`)
//	                                         and the resulting image config (ports, user, env, cmd)
//	deploy-lint compose <compose.yaml>       the Compose Specification loader (schema + consistency),
//	                                         printing the normalized project
//	deploy-lint jsonschema <schema.json> <file.yaml>...
//	                                         every YAML document of each file against a JSON schema
//	deploy-lint yaml2json <file.yaml>        every YAML document of a file as JSON (YAML 1.2 core
//	                                         schema, like Kubernetes and Helm read it)
//
// Output is one JSON document on stdout; the exit code is 0 when the command ran (findings are in
// the JSON) and 2 on usage or I/O errors.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/opencontainers/go-digest"
	"github.com/santhosh-tekuri/jsonschema/v6"
	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) < 3 {
		usage()
	}
	var out any
	var err error
	switch os.Args[1] {
	case "dockerfile":
		out, err = lintDockerfiles(os.Args[2:])
	case "compose":
		out, err = loadCompose(os.Args[2])
	case "yaml2json":
		out, err = yamlToJSON(os.Args[2])
	case "jsonschema":
		if len(os.Args) < 4 {
			usage()
		}
		out, err = validateJSONSchema(os.Args[2], os.Args[3:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "deploy-lint:", err)
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "deploy-lint:", err)
		os.Exit(2)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: deploy-lint dockerfile <file>... | compose <file> | jsonschema <schema> <file>... | yaml2json <file>")
	os.Exit(2)
}

// ---------------------------------------------------------------------------------------------
// Dockerfiles

// offlineResolver answers BuildKit's base-image lookups without a registry: every base image is a
// non-empty linux/amd64 image with a PATH, which is all the checks need.
type offlineResolver struct{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	cfg := map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"config":       map[string]any{"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + fmt.Sprintf("%064x", 1)}},
	}
	dt, err := json.Marshal(cfg)
	return ref, "", dt, err
}

type dockerfileFinding struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
}

type dockerfileResult struct {
	File     string              `json:"file"`
	Error    string              `json:"error,omitempty"`
	Warnings []dockerfileFinding `json:"warnings"`
	Image    *imageSummary       `json:"image,omitempty"`
	Args     map[string]string   `json:"args"`
}

type imageSummary struct {
	User         string         `json:"user"`
	Env          []string       `json:"env"`
	Cmd          []string       `json:"cmd"`
	Entrypoint   []string       `json:"entrypoint"`
	WorkingDir   string         `json:"workingDir"`
	ExposedPorts []string       `json:"exposedPorts"`
	Healthcheck  map[string]any `json:"healthcheck,omitempty"`
}

func lintDockerfiles(files []string) ([]dockerfileResult, error) {
	var results []dockerfileResult
	for _, f := range files {
		dt, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		results = append(results, lintDockerfile(f, dt))
	}
	return results, nil
}

func lintDockerfile(file string, dt []byte) dockerfileResult {
	ctx := context.Background()
	res := dockerfileResult{File: file, Warnings: []dockerfileFinding{}, Args: map[string]string{}}
	sourceMap := llb.NewSourceMap(nil, filepath.Base(file), "Dockerfile", dt)
	sourceMap.Definition = &llb.Definition{}
	opt := dockerfile2llb.ConvertOpt{
		Config:       dockerui.Config{BuildArgs: map[string]string{}},
		MetaResolver: offlineResolver{},
		SourceMap:    sourceMap,
	}
	lint, err := dockerfile2llb.DockerfileLint(ctx, dt, opt)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	for _, w := range lint.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		res.Warnings = append(res.Warnings, dockerfileFinding{Rule: w.RuleName, Message: w.Detail, Line: line})
	}
	if lint.Error != nil {
		res.Error = lint.Error.Message
		return res
	}
	// Convert the default target to read back the image config the build would produce.
	built, err := dockerfile2llb.Dockerfile2LLB(ctx, dt, opt)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	c := built.Image.Config
	sum := &imageSummary{User: c.User, Env: c.Env, Cmd: c.Cmd, Entrypoint: c.Entrypoint, WorkingDir: c.WorkingDir, ExposedPorts: []string{}}
	for p := range c.ExposedPorts {
		sum.ExposedPorts = append(sum.ExposedPorts, p)
	}
	if c.Healthcheck != nil {
		sum.Healthcheck = map[string]any{"test": c.Healthcheck.Test}
	}
	res.Image = sum
	// Global ARG defaults (before the first FROM), for the shape checks in deploy-check.
	for _, line := range bytes.Split(dt, []byte("\n")) {
		l := string(bytes.TrimSpace(line))
		if len(l) >= 5 && (l[:5] == "FROM " || l[:5] == "from ") {
			break
		}
		var name, value string
		if n, _ := fmt.Sscanf(l, "ARG %s", &name); n == 1 {
			if i := bytes.IndexByte([]byte(name), '='); i >= 0 {
				name, value = name[:i], name[i+1:]
			}
			res.Args[name] = value
		}
	}
	return res
}

// ---------------------------------------------------------------------------------------------
// Compose

type composeResult struct {
	Error   string         `json:"error,omitempty"`
	Project map[string]any `json:"project,omitempty"`
}

func loadCompose(file string) (composeResult, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return composeResult{}, err
	}
	if _, err := os.Stat(abs); err != nil {
		return composeResult{}, err
	}
	// No OS environment and no .env: the file must be complete on its own.
	opts, err := cli.NewProjectOptions([]string{abs},
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithEnv([]string{}),
		cli.WithName("storytelling"),
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(false),
	)
	if err != nil {
		return composeResult{}, err
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return composeResult{Error: err.Error()}, nil
	}
	dt, err := project.MarshalJSON()
	if err != nil {
		return composeResult{}, err
	}
	var m map[string]any
	if err := json.Unmarshal(dt, &m); err != nil {
		return composeResult{}, err
	}
	return composeResult{Project: m}, nil
}

// ---------------------------------------------------------------------------------------------
// JSON schema

type schemaFinding struct {
	File     string `json:"file"`
	Document int    `json:"document"`
	Error    string `json:"error"`
}

func validateJSONSchema(schemaFile string, files []string) ([]schemaFinding, error) {
	c := jsonschema.NewCompiler()
	schema, err := c.Compile(schemaFile)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", schemaFile, err)
	}
	findings := []schemaFinding{}
	for _, f := range files {
		dt, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		dec := yamlv3.NewDecoder(bytes.NewReader(dt))
		for i := 0; ; i++ {
			var node yamlv3.Node
			if err := dec.Decode(&node); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				findings = append(findings, schemaFinding{File: f, Document: i, Error: err.Error()})
				break
			}
			raw, err := yamlv3.Marshal(&node)
			if err != nil {
				return nil, err
			}
			js, err := yaml.YAMLToJSON(raw)
			if err != nil {
				findings = append(findings, schemaFinding{File: f, Document: i, Error: err.Error()})
				continue
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
			if err != nil {
				return nil, err
			}
			if inst == nil {
				continue
			}
			if err := schema.Validate(inst); err != nil {
				findings = append(findings, schemaFinding{File: f, Document: i, Error: err.Error()})
			}
		}
	}
	return findings, nil
}

// ---------------------------------------------------------------------------------------------
// YAML to JSON

type yamlResult struct {
	Error     string            `json:"error,omitempty"`
	Documents []json.RawMessage `json:"documents"`
}

func yamlToJSON(file string) (yamlResult, error) {
	dt, err := os.ReadFile(file)
	if err != nil {
		return yamlResult{}, err
	}
	res := yamlResult{Documents: []json.RawMessage{}}
	docs, err := splitYAML(dt)
	if err != nil {
		res.Error = err.Error()
		return res, nil
	}
	for i, doc := range docs {
		js, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			res.Error = fmt.Sprintf("document %d: %v", i, err)
			return res, nil
		}
		res.Documents = append(res.Documents, json.RawMessage(js))
	}
	return res, nil
}

// splitYAML returns each document of a YAML stream re-encoded on its own (comments dropped).
func splitYAML(dt []byte) ([][]byte, error) {
	dec := yamlv3.NewDecoder(bytes.NewReader(dt))
	var docs [][]byte
	for {
		var node yamlv3.Node
		if err := dec.Decode(&node); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, err
		}
		raw, err := yamlv3.Marshal(&node)
		if err != nil {
			return nil, err
		}
		docs = append(docs, raw)
	}
}
