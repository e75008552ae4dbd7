package cli

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// goreleaserConfig is the part of .goreleaser.yaml the release depends on.
type goreleaserConfig struct {
	Version int `yaml:"version"`
	Before  struct {
		Hooks []string `yaml:"hooks"`
	} `yaml:"before"`
	Builds []struct {
		ID      string   `yaml:"id"`
		Main    string   `yaml:"main"`
		Env     []string `yaml:"env"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
		Ldflags []string `yaml:"ldflags"`
	} `yaml:"builds"`
	Nfpms []struct {
		IDs      []string   `yaml:"ids"`
		Formats  []string   `yaml:"formats"`
		Contents []nfpmFile `yaml:"contents"`
	} `yaml:"nfpms"`
}

type nfpmFile struct {
	Src string `yaml:"src"`
	Dst string `yaml:"dst"`
}

// .goreleaser.yaml builds static linux amd64 and arm64 binaries stamped
// with the version, and a .deb holding the man page its before hook makes
// with 'qmpdash man', which renders cleanly. goreleaser itself is too big
// to build in CI, so this checks what the release relies on.
func TestGoreleaserConfig(t *testing.T) {
	b, err := os.ReadFile("../../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c goreleaserConfig
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("parse: %v", err)
	}
	if c.Version != 2 || len(c.Builds) != 1 || len(c.Nfpms) != 1 {
		t.Fatalf("want goreleaser v2, one build, one nfpm: %+v", c)
	}
	build := c.Builds[0]
	if build.Main != "." || !slices.Contains(build.Env, "CGO_ENABLED=0") || !slices.Equal(build.Goos, []string{"linux"}) ||
		!slices.Equal(build.Goarch, []string{"amd64", "arm64"}) {
		t.Errorf("build: %+v", build)
	}
	if !strings.Contains(strings.Join(build.Ldflags, " "), "-X github.com/qmpdash/qmpdash/internal/cli.version=v{{ .Version }}") {
		t.Errorf("ldflags do not set the version: %q", build.Ldflags)
	}
	_ = version // the variable the -X above sets; renaming it breaks this file's build

	nfpm := c.Nfpms[0]
	if !slices.Equal(nfpm.Formats, []string{"deb"}) || !slices.Contains(nfpm.IDs, build.ID) {
		t.Errorf("nfpm: %+v", nfpm)
	}
	var manHook []string
	for _, h := range c.Before.Hooks {
		if m := regexp.MustCompile(`go run \. man \| gzip -9n > (\S+?)"?$`).FindStringSubmatch(h); m != nil {
			manHook = m
		}
	}
	if manHook == nil {
		t.Fatalf("no before hook runs 'go run . man': %q", c.Before.Hooks)
	}
	i := slices.IndexFunc(nfpm.Contents, func(f nfpmFile) bool { return f.Src == manHook[1] })
	if i < 0 || nfpm.Contents[i].Dst != "/usr/share/man/man1/qmpdash.1.gz" {
		t.Errorf("the .deb does not install %s as the man page: %+v", manHook[1], nfpm.Contents)
	}
	for _, f := range nfpm.Contents {
		if _, err := os.Stat("../../" + f.Src); err != nil && f.Src != manHook[1] {
			t.Errorf("packaged file missing: %v", err)
		}
	}
	// What the hook runs renders without a warning.
	page, _, code := runCLI(t, "man")
	if code != exitOK {
		t.Fatalf("man: exit %d", code)
	}
	assertRendersClean(t, page)
}

// CHANGELOG.md keeps an Unreleased section at the top (Keep a Changelog).
func TestChangelog(t *testing.T) {
	b, err := os.ReadFile("../../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	first := regexp.MustCompile(`(?m)^## .*$`).FindString(s)
	if !strings.Contains(s, "https://keepachangelog.com") || first != "## [Unreleased]" {
		t.Errorf("first section %q; want ## [Unreleased] and a link to keepachangelog.com", first)
	}
}
