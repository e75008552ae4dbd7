package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"os"
	"sync"
	"time"
)

// A simulated QEMU Guest Agent (qemu-ga 7.2's wire): the demo's VMs get
// guest facts through it, and tests use it for what a real host qemu-ga
// must never be sent (guest-shutdown would power off the machine running
// the tests). It answers guest-sync-delimited with the 0xFF prefix, the
// fact queries from AgentFacts, and guest-shutdown as a real agent does:
// no reply on success. Each request is one line, as qmpdash's client
// writes them; 0xFF bytes (the resync marker) are dropped.

// AgentFacts is what the simulated guest says about itself.
type AgentFacts struct {
	Version     string // guest-info's version
	HostName    string
	PrettyName  string // os-release PRETTY_NAME
	Kernel      string // uname -r
	Zone        string
	Offset      int // seconds east of UTC
	Interfaces  []AgentInterface
	Filesystems []AgentFilesystem
	Users       []string
}

// AgentInterface is one network interface; Addresses are "ADDR/PREFIX".
type AgentInterface struct {
	Name, MAC string
	Addresses []string
}

// AgentFilesystem is one mounted file system.
type AgentFilesystem struct {
	Mountpoint, Type string
	Used, Total      uint64
}

// Agent is one simulated guest agent listening on a unix socket.
type Agent struct {
	l  net.Listener
	wg sync.WaitGroup

	mu        sync.Mutex
	facts     AgentFacts
	silent    bool // accept, read, never answer (no agent running in the guest)
	conns     map[net.Conn]struct{}
	shutdowns chan string // the mode of each guest-shutdown received
	pings     uint64      // guest-ping answered
}

// ListenAgent starts an agent with facts on path (an old socket file
// there is replaced).
func ListenAgent(path string, facts AgentFacts) (*Agent, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		_ = os.Remove(path)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	a := &Agent{l: l, facts: facts, conns: map[net.Conn]struct{}{}, shutdowns: make(chan string, 16)}
	a.wg.Add(1)
	go a.accept()
	return a, nil
}

// SetSilent makes the agent stop answering (true) or answer again.
func (a *Agent) SetSilent(s bool) {
	a.mu.Lock()
	a.silent = s
	a.mu.Unlock()
}

// SetFacts replaces what the guest says from the next question on.
func (a *Agent) SetFacts(f AgentFacts) {
	a.mu.Lock()
	a.facts = f
	a.mu.Unlock()
}

// Shutdowns receives the mode ("powerdown", "reboot", "halt"; "" for the
// default) of each guest-shutdown the agent was sent.
func (a *Agent) Shutdowns() <-chan string { return a.shutdowns }

// Pings is how many guest-ping the agent has answered (a poller asks one
// per round).
func (a *Agent) Pings() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pings
}

// Close stops the agent and ends its connections.
func (a *Agent) Close() error {
	err := a.l.Close()
	a.mu.Lock()
	for c := range a.conns {
		_ = c.Close()
	}
	a.mu.Unlock()
	a.wg.Wait()
	return err
}

func (a *Agent) accept() {
	defer a.wg.Done()
	for {
		c, err := a.l.Accept()
		if err != nil {
			return
		}
		a.mu.Lock()
		a.conns[c] = struct{}{}
		a.mu.Unlock()
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			a.serve(c)
			a.mu.Lock()
			delete(a.conns, c)
			a.mu.Unlock()
			_ = c.Close()
		}()
	}
}

// agentMaxLine bounds one request.
const agentMaxLine = 1 << 20

func (a *Agent) serve(c net.Conn) {
	sc := bufio.NewScanner(c)
	sc.Buffer(make([]byte, 0, 4096), agentMaxLine)
	for sc.Scan() {
		line := bytes.ReplaceAll(sc.Bytes(), []byte{0xFF}, nil)
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var req struct {
			Execute   string          `json:"execute"`
			Arguments json.RawMessage `json:"arguments"`
		}
		a.mu.Lock()
		silent, facts := a.silent, a.facts
		a.mu.Unlock()
		if silent {
			continue
		}
		var out []byte
		if err := json.Unmarshal(line, &req); err != nil {
			out = agentError("GenericError", "JSON parse error")
		} else {
			out = a.answer(req.Execute, req.Arguments, facts)
		}
		if out == nil {
			continue
		}
		_ = c.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

// answer is the reply to one command, nil for none.
func (a *Agent) answer(cmd string, args json.RawMessage, f AgentFacts) []byte {
	switch cmd {
	case "guest-sync-delimited", "guest-sync":
		var x struct {
			ID json.Number `json:"id"`
		}
		if json.Unmarshal(args, &x) != nil || x.ID == "" {
			return agentError("GenericError", "Parameter 'id' is missing")
		}
		r := agentReturn(x.ID)
		if cmd == "guest-sync-delimited" {
			r = append([]byte{0xFF}, r...)
		}
		return r
	case "guest-ping":
		a.mu.Lock()
		a.pings++
		a.mu.Unlock()
		return agentReturn(struct{}{})
	case "guest-info":
		return agentReturn(map[string]any{"version": f.Version, "supported_commands": []any{}})
	case "guest-get-osinfo":
		return agentReturn(map[string]string{"pretty-name": f.PrettyName, "kernel-release": f.Kernel,
			"machine": "x86_64", "id": "linux"})
	case "guest-get-host-name":
		return agentReturn(map[string]string{"host-name": f.HostName})
	case "guest-get-timezone":
		return agentReturn(map[string]any{"zone": f.Zone, "offset": f.Offset})
	case "guest-network-get-interfaces":
		out := []map[string]any{}
		for _, i := range f.Interfaces {
			var addrs []map[string]any
			for _, ad := range i.Addresses {
				ip, prefix, _ := net.ParseCIDR(ad)
				if ip == nil {
					continue
				}
				n, _ := prefix.Mask.Size()
				t := "ipv6"
				if ip.To4() != nil {
					t = "ipv4"
				}
				addrs = append(addrs, map[string]any{"ip-address-type": t, "ip-address": ip.String(), "prefix": n})
			}
			out = append(out, map[string]any{"name": i.Name, "hardware-address": i.MAC, "ip-addresses": addrs})
		}
		return agentReturn(out)
	case "guest-get-fsinfo":
		out := []map[string]any{}
		for i, fs := range f.Filesystems {
			out = append(out, map[string]any{"name": "vda" + string(rune('1'+i)), "mountpoint": fs.Mountpoint,
				"type": fs.Type, "used-bytes": fs.Used, "total-bytes": fs.Total, "disk": []any{}})
		}
		return agentReturn(out)
	case "guest-get-users":
		out := []map[string]any{}
		for _, u := range f.Users {
			out = append(out, map[string]any{"user": u, "login-time": 1.7e9})
		}
		return agentReturn(out)
	case "guest-shutdown":
		var x struct {
			Mode string `json:"mode"`
		}
		_ = json.Unmarshal(args, &x)
		switch x.Mode {
		case "", "powerdown", "halt", "reboot":
		default:
			return agentError("GenericError", "Invalid parameter 'mode'")
		}
		select {
		case a.shutdowns <- x.Mode:
		default:
		}
		return nil // a real agent never replies on success
	}
	return agentError("CommandNotFound", "The command "+cmd+" has not been found")
}

func agentReturn(v any) []byte {
	b, err := json.Marshal(map[string]any{"return": v})
	if err != nil {
		return agentError("GenericError", err.Error())
	}
	return append(b, '\n')
}

func agentError(class, desc string) []byte {
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"class": class, "desc": desc}})
	return append(b, '\n')
}
