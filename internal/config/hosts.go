package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Host is one [hosts.NAME] table: an SSH destination and the paths on it
// to watch, so that --host NAME stands for their ssh:// targets.
//
//	[hosts.lab1]
//	ssh = "root@lab1.example.org:22"   # [user@]host[:port] or a ~/.ssh/config alias
//	targets = ["/run/qemu", "/var/run/qemu-server/*.qmp"]
type Host struct {
	SSH     string
	Targets []string // absolute paths on the host: sockets, directories or globs
}

// DefaultHostTargets are watched on a host whose table names no targets:
// the same places local discovery looks.
var DefaultHostTargets = []string{"/run/qemu", "/var/run/qemu-server/*.qmp"}

// readHosts reads the [hosts] table: NAME = {ssh = "...", targets = [...]}.
func readHosts(data any) (map[string]Host, error) {
	tables, ok := data.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want tables [hosts.NAME] with ssh and targets, got %s", tomlType(data))
	}
	out := make(map[string]Host, len(tables))
	for _, name := range slices.Sorted(maps.Keys(tables)) {
		t, ok := tables[name].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("hosts.%s: want a table with ssh and targets, got %s", name, tomlType(tables[name]))
		}
		var h Host
		for _, k := range slices.Sorted(maps.Keys(t)) {
			switch k {
			case "ssh":
				s, ok := t[k].(string)
				if !ok || strings.TrimSpace(s) == "" || strings.ContainsAny(s, "/ \t") {
					return nil, fmt.Errorf("hosts.%s.ssh: want \"[user@]host[:port]\", got %v", name, t[k])
				}
				h.SSH = s
			case "targets":
				ts, err := toStrings(t[k], "an array of absolute paths on the host")
				if err != nil {
					return nil, fmt.Errorf("hosts.%s.targets: %v", name, err)
				}
				for _, p := range ts {
					if !strings.HasPrefix(p, "/") {
						return nil, fmt.Errorf("hosts.%s.targets: %q is not an absolute path on the host", name, p)
					}
				}
				h.Targets = ts
			default:
				return nil, fmt.Errorf("hosts.%s: unknown key %q (want ssh and targets)", name, k)
			}
		}
		if h.SSH == "" {
			return nil, fmt.Errorf("hosts.%s: no ssh = \"[user@]host[:port]\"", name)
		}
		out[name] = h
	}
	return out, nil
}

// HostTargets are the ssh:// targets of the named hosts, in order. An
// unknown name is an error listing the known ones.
func (s Settings) HostTargets(names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		h, ok := s.Hosts.Value[n]
		if !ok {
			known := slices.Sorted(maps.Keys(s.Hosts.Value))
			if len(known) == 0 {
				return nil, fmt.Errorf("no host %q: the config file has no [hosts.NAME] tables", n)
			}
			return nil, fmt.Errorf("no host %q in the config file (hosts: %s)", n, strings.Join(known, ", "))
		}
		paths := h.Targets
		if len(paths) == 0 {
			paths = DefaultHostTargets
		}
		for _, p := range paths {
			out = append(out, "ssh://"+h.SSH+p)
		}
	}
	return out, nil
}
