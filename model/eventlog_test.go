package model

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

func testEvent(i int) LoggedEvent {
	return LoggedEvent{
		Source: fmt.Sprintf("vm%d", i%3),
		Name:   "BLOCK_JOB_COMPLETED",
		Data:   json.RawMessage(fmt.Sprintf(`{"device":"drive0","len":%d,"offset":%d,"speed":0,"type":"mirror"}`, i, i)),
		Time:   time.Unix(1700000000, int64(i)*1000),
	}
}

// seqs lists the Seq of each event, for compact comparisons.
func seqs(es []LoggedEvent) []uint64 {
	out := make([]uint64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

func seqRange(from, to uint64) []uint64 {
	out := []uint64{}
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func sameSeqs(t *testing.T, label string, got []LoggedEvent, want []uint64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: nil slice, want non-nil", label)
	}
	g := seqs(got)
	if len(g) != len(want) {
		t.Errorf("%s: Seqs %v, want %v", label, g, want)
		return
	}
	for i := range g {
		if g[i] != want[i] {
			t.Errorf("%s: Seqs %v, want %v", label, g, want)
			return
		}
	}
}

func TestEventLogAppend(t *testing.T) {
	l := NewEventLog(3)
	for i := 1; i <= 5; i++ {
		in := testEvent(i)
		in.Seq = 999 // ignored
		got := l.Append(in)
		if got.Seq != uint64(i) {
			t.Errorf("Append #%d returned Seq %d", i, got.Seq)
		}
		if got.Name != in.Name || got.Source != in.Source || string(got.Data) != string(in.Data) || !got.Time.Equal(in.Time) {
			t.Errorf("Append #%d returned %+v, fields differ from %+v", i, got, in)
		}
	}
	if l.Len() != 3 || l.Cap() != 3 || l.Dropped() != 2 {
		t.Errorf("Len=%d Cap=%d Dropped=%d, want 3, 3, 2", l.Len(), l.Cap(), l.Dropped())
	}
	snap := l.Snapshot()
	sameSeqs(t, "Snapshot", snap, []uint64{3, 4, 5})
	if string(snap[0].Data) != string(testEvent(3).Data) {
		t.Errorf("oldest held event has Data %s, want event 3's", snap[0].Data)
	}
}

func TestEventLogCopiesData(t *testing.T) {
	l := NewEventLog(4)
	buf := []byte(`{"a":1}`)
	l.Append(LoggedEvent{Name: "X", Data: buf})
	copy(buf, `{"b":2}`)
	if got := string(l.Snapshot()[0].Data); got != `{"a":1}` {
		t.Errorf("stored Data changed with the caller's buffer: %s", got)
	}
	l.Append(LoggedEvent{Name: "nil data"})
	if d := l.Snapshot()[1].Data; d != nil {
		t.Errorf("nil Data stored as %q", d)
	}
}

func TestEventLogSmallCapacity(t *testing.T) {
	for _, c := range []int{0, -1} {
		l := NewEventLog(c)
		l.Append(testEvent(1))
		l.Append(testEvent(2))
		if l.Cap() != 1 || l.Len() != 1 || l.Dropped() != 1 {
			t.Errorf("capacity %d: Cap=%d Len=%d Dropped=%d, want 1, 1, 1", c, l.Cap(), l.Len(), l.Dropped())
		}
		sameSeqs(t, "Snapshot", l.Snapshot(), []uint64{2})
	}
}

func TestEventLogReads(t *testing.T) {
	empty := NewEventLog(5)
	// 8 events in a cap-5 log: Seqs 4..8 are held.
	full := NewEventLog(5)
	for i := 1; i <= 8; i++ {
		full.Append(testEvent(i))
	}
	partial := NewEventLog(5)
	for i := 1; i <= 3; i++ {
		partial.Append(testEvent(i))
	}

	tests := []struct {
		name string
		got  []LoggedEvent
		want []uint64
	}{
		{"empty Snapshot", empty.Snapshot(), []uint64{}},
		{"empty Since 0", empty.Since(0), []uint64{}},

		{"partial Snapshot", partial.Snapshot(), []uint64{1, 2, 3}},
		{"partial Since 0", partial.Since(0), []uint64{1, 2, 3}},
		{"partial Since 1", partial.Since(1), []uint64{2, 3}},

		{"wrapped Snapshot", full.Snapshot(), seqRange(4, 8)},
		{"Since 0", full.Since(0), seqRange(4, 8)},
		{"Since an evicted seq", full.Since(2), seqRange(4, 8)},
		{"Since just before oldest", full.Since(3), seqRange(4, 8)},
		{"Since oldest", full.Since(4), seqRange(5, 8)},
		{"Since middle", full.Since(6), []uint64{7, 8}},
		{"Since newest", full.Since(8), []uint64{}},
		{"Since the future", full.Since(1000), []uint64{}},
		{"Since max uint64", full.Since(^uint64(0)), []uint64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { sameSeqs(t, tt.name, tt.got, tt.want) })
	}
}

func TestEventLogReadsAreCopies(t *testing.T) {
	l := NewEventLog(4)
	l.Append(testEvent(1))
	for _, got := range [][]LoggedEvent{l.Snapshot(), l.Since(0)} {
		got[0].Name = "CHANGED"
	}
	if l.Snapshot()[0].Name != "BLOCK_JOB_COMPLETED" {
		t.Error("changing a returned slice changed the log")
	}
}

func TestEventLogBounded(t *testing.T) {
	l := NewEventLog(10000)
	for i := range 100000 {
		l.Append(testEvent(i))
	}
	if l.Len() != 10000 || l.Dropped() != 90000 {
		t.Fatalf("Len=%d Dropped=%d, want 10000, 90000", l.Len(), l.Dropped())
	}
	snap := l.Snapshot()
	if snap[0].Seq != 90001 || snap[len(snap)-1].Seq != 100000 {
		t.Errorf("held Seqs %d..%d, want 90001..100000", snap[0].Seq, snap[len(snap)-1].Seq)
	}
}

// Writers (one per VM) and readers at once; run with -race. Each writer's
// events must come out in its own order, and Seqs must be gap-free.
func TestEventLogConcurrent(t *testing.T) {
	const writers, perWriter = 4, 2000
	l := NewEventLog(500)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var readErr error
	var readWG sync.WaitGroup
	readWG.Add(1)
	go func() {
		defer readWG.Done()
		var last uint64
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, e := range l.Since(last) {
				if e.Seq <= last {
					readErr = fmt.Errorf("Since(%d) returned Seq %d", last, e.Seq)
					return
				}
				last = e.Seq
			}
			_, _ = l.Len(), l.Dropped()
		}
	}()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				l.Append(LoggedEvent{Source: fmt.Sprintf("w%d", w), Name: fmt.Sprint(i)})
			}
		}()
	}
	wg.Wait()
	close(stop)
	readWG.Wait()
	if readErr != nil {
		t.Fatal(readErr)
	}
	total := uint64(writers * perWriter)
	if l.Len() != 500 || l.Dropped() != total-500 {
		t.Errorf("Len=%d Dropped=%d, want 500, %d", l.Len(), l.Dropped(), total-500)
	}
	snap := l.Snapshot()
	sameSeqs(t, "final Snapshot", snap, seqRange(total-499, total))
	lastPer := map[string]int{}
	for _, e := range snap {
		i, err := strconv.Atoi(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if prev, ok := lastPer[e.Source]; ok && i <= prev {
			t.Fatalf("writer %s: event %d after %d", e.Source, i, prev)
		}
		lastPer[e.Source] = i
	}
}

// eventLogHeap fills a log of the given capacity with n events and returns
// the live heap it accounts for, measured after garbage collection.
func eventLogHeap(capacity, n int) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	l := NewEventLog(capacity)
	for i := range n {
		l.Append(testEvent(i))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(l)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

// Eviction must free memory: a log that has seen 100 000 events holds no
// more than one that has seen only as many as it can hold. Without
// eviction it would be about ten times larger.
func TestEventLogMemoryBounded(t *testing.T) {
	full := eventLogHeap(10000, 10000)
	after := eventLogHeap(10000, 100000)
	t.Logf("heap for a cap-10000 log: %d B after 10 000 events, %d B after 100 000", full, after)
	if full == 0 {
		t.Fatal("measured no heap for 10 000 events; measurement is broken")
	}
	if limit := full + full/2 + 256<<10; after > limit {
		t.Errorf("heap after 100 000 events = %d B, want <= %d B (10 000 events took %d B)", after, limit, full)
	}
}

func BenchmarkEventLogAppend(b *testing.B) {
	l := NewEventLog(10000)
	e := testEvent(1)
	b.ReportAllocs()
	for b.Loop() {
		l.Append(e)
	}
}

// BenchmarkEventLogMemory100k reports the live heap of a default-sized
// (10 000) log after 100 000 events: the "memory after 100 000 events"
// figure. Run with -benchtime=1x; the metric is per log, not per op.
func BenchmarkEventLogMemory100k(b *testing.B) {
	var heap uint64
	for b.Loop() {
		heap = eventLogHeap(10000, 100000)
	}
	b.ReportMetric(float64(heap), "heap-B/100k-events")
	b.ReportMetric(0, "ns/op")
}
