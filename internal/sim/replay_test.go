package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// testdata/session.jsonl is a copy of /work/shared/qemu-7.2/session.jsonl:
// every line, both directions, of a session with a real QEMU 7.2.

type sessionLine struct {
	Dir string          `json:"dir"`
	Msg json.RawMessage `json:"msg"`
}

// exchange is one request with the events and reply QEMU answered it with.
type exchange struct {
	line    int // 1-based line of the request
	request json.RawMessage
	events  []msg
	reply   msg
}

func loadSession(t *testing.T) (greeting msg, exchanges []exchange) {
	t.Helper()
	f, err := os.Open("testdata/session.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	var cur *exchange
	for sc.Scan() {
		n++
		var sl sessionLine
		if err := json.Unmarshal(sc.Bytes(), &sl); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		if sl.Dir == ">" {
			exchanges = append(exchanges, exchange{line: n, request: sl.Msg})
			cur = &exchanges[len(exchanges)-1]
			continue
		}
		var m msg
		if err := json.Unmarshal(sl.Msg, &m); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		switch {
		case cur == nil:
			greeting = m
		case m.isEvent():
			cur.events = append(cur.events, m)
		default:
			cur.reply = m
		}
	}
	return greeting, exchanges
}

// valuesMayDiffer lists the commands whose replies depend on the host, the
// image files or elapsed time; for them only the shape (keys, array
// lengths, JSON kinds) must match the recording. Every other successful
// reply must match it exactly.
var valuesMayDiffer = map[string]string{
	"query-version":           "package string names the simulator",
	"query-cpus-fast":         "vCPU thread ids are fake",
	"query-block":             "image allocation and cache mode are modelled, not measured",
	"query-named-block-nodes": "image allocation is modelled, not measured",
	"query-blockstats":        "IO counters and idle times are modelled",
	"query-chardev":           "monitor socket path differs",
	"query-block-jobs":        "job progress depends on elapsed time (the test clock is frozen)",
	"query-balloon":           "the simulated guest obeys balloon; the recorded one had no driver",
	"human-monitor-command":   "qemu-io is not simulated; the reply is still a string",
}

// eventsDiffer lists request lines after which the simulator legitimately
// sends different events than the recording.
var eventsDiffer = map[int]string{
	// balloon (line 58) is answered at once; the simulated guest then adjusts
	// and BALLOON_CHANGE arrives before the next reply. The recorded guest
	// had no balloon driver, so QEMU sent nothing.
	60: "BALLOON_CHANGE from the cooperative simulated guest",
}

func TestReplayRecordedSession(t *testing.T) {
	clock := newFakeClock()
	v := New(recordedVM(clock))
	defer v.Close()
	recGreeting, exchanges := loadSession(t)
	c := pipeClient(t, v)
	if err := sameShape(recGreeting, c.greeting, "greeting"); err != nil {
		t.Fatal(err)
	}
	if len(exchanges) < 40 {
		t.Fatalf("only %d requests in the recording", len(exchanges))
	}
	for _, ex := range exchanges {
		var req struct {
			Execute string `json:"execute"`
			ExecOOB string `json:"exec-oob"`
		}
		_ = json.Unmarshal(ex.request, &req)
		cmd := req.Execute + req.ExecOOB
		where := fmt.Sprintf("line %d (%s)", ex.line, cmd)

		events, reply := c.exec(string(ex.request))

		if why, ok := eventsDiffer[ex.line]; ok {
			t.Logf("%s: events not compared: %s", where, why)
		} else if got, want := eventNames(events), eventNames(ex.events); got != want {
			t.Errorf("%s: events %q, recorded %q", where, got, want)
		}
		for i, e := range events {
			if i < len(ex.events) && ex.events[i].event() == e.event() && eventsDiffer[ex.line] == "" {
				if err := sameShape(decode(ex.events[i]["data"]), decode(e["data"]), where+" "+e.event()+" data"); err != nil {
					t.Error(err)
				}
			}
		}

		if !reflect.DeepEqual(decode(reply["id"]), decode(ex.reply["id"])) {
			t.Errorf("%s: id %s, recorded %s", where, reply["id"], ex.reply["id"])
		}
		if _, recErr := ex.reply["error"]; recErr {
			gotClass, gotDesc := reply.errClassDesc()
			wantClass, wantDesc := ex.reply.errClassDesc()
			if gotClass != wantClass || gotDesc != wantDesc {
				t.Errorf("%s: error (%s, %q), recorded (%s, %q)", where, gotClass, gotDesc, wantClass, wantDesc)
			}
			continue
		}
		if _, ok := reply["return"]; !ok {
			t.Errorf("%s: reply %v, recorded a return", where, reply)
			continue
		}
		got, want := decode(reply["return"]), decode(ex.reply["return"])
		if _, ok := valuesMayDiffer[cmd]; ok {
			if err := sameShape(want, got, where); err != nil {
				t.Error(err)
			}
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: return %s, recorded %s", where, reply["return"], ex.reply["return"])
		}
	}
}

func decode(raw json.RawMessage) any {
	if raw == nil {
		return nil
	}
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	_ = d.Decode(&v)
	return v
}

// sameShape compares two decoded JSON values structurally: the same object
// keys, array lengths and scalar kinds, at every depth.
func sameShape(want, got any, path string) error {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: got %T, recorded object", path, got)
		}
		if wk, gk := keys(w), keys(g); wk != gk {
			return fmt.Errorf("%s: keys %s, recorded %s", path, gk, wk)
		}
		for k := range w {
			if err := sameShape(w[k], g[k], path+"."+k); err != nil {
				return err
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: got %v, recorded array of %d", path, got, len(w))
		}
		for i := range w {
			if err := sameShape(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	default:
		if reflect.TypeOf(want) != reflect.TypeOf(got) {
			return fmt.Errorf("%s: got %T %v, recorded %T %v", path, got, got, want, want)
		}
	}
	return nil
}

func keys(m map[string]any) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}
