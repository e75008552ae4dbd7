package model

import (
	"errors"
	"os"
	"testing"
	"time"
)

func TestProcStartTime(t *testing.T) {
	p := newFakeProc(t)
	p.write("stat", "cpu  1 2 3 4\nintr 5\nbtime 1700000000\nprocesses 9\n")
	p.proc(42, 1, 1, 3, 10) // starttime 5000 ticks: 50 s after boot
	got, err := ProcStartTime(p.root, 42)
	if want := time.Unix(1700000050, 0); err != nil || !got.Equal(want) {
		t.Fatalf("ProcStartTime = %v, %v; want %v", got, err, want)
	}
	if _, err := ProcStartTime(p.root, 43); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a process that is not there: %v", err)
	}
	p.write("stat", "cpu  1 2 3 4\n")
	if _, err := ProcStartTime(p.root, 42); !errors.Is(err, ErrProcFormat) {
		t.Fatalf("no btime: %v", err)
	}
	p.write("stat", "btime soon\n")
	if _, err := ProcStartTime(p.root, 42); !errors.Is(err, ErrProcFormat) {
		t.Fatalf("bad btime: %v", err)
	}
}

func TestProcStartTimeOfThisProcessIsInThePast(t *testing.T) {
	got, err := ProcStartTime("", os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if got.After(time.Now().Add(time.Second)) || got.Before(time.Now().Add(-24*time.Hour)) {
		t.Fatalf("this test binary started at %v?", got)
	}
}
