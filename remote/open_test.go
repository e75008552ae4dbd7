package remote

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

type closer struct{ closed atomic.Bool }

func (c *closer) Close() error { c.closed.Store(true); return nil }

// An open that never returns (x/crypto's lost channel open) is given up
// once its connection ends, and Close does not wait for it; what it opens
// after all is closed.
func TestOpenOnGivesUpWhenTheConnectionEnds(t *testing.T) {
	p := NewPool(HomeOptions(t.TempDir()))
	cl := new(ssh.Client) // only a key here: openOn never touches it
	p.track(cl, true)
	release := make(chan struct{})
	late := &closer{}
	type result struct {
		c   *closer
		err error
	}
	got := make(chan result, 1)
	go func() {
		c, err := openOn(context.Background(), p, cl, func() (*closer, error) {
			<-release
			return late, nil
		})
		got <- result{c, err}
	}()
	select {
	case r := <-got:
		t.Fatalf("openOn returned %v, %v while the open and the connection were both live", r.c, r.err)
	default:
	}
	p.track(cl, false) // the connection ends, as watch sees it
	select {
	case r := <-got:
		if !errors.Is(r.err, errConnEnded) || r.c != nil {
			t.Fatalf("openOn = %v, %v; want errConnEnded", r.c, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("openOn still waiting 10s after its connection ended")
	}
	closed := make(chan struct{})
	go func() { p.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Pool.Close waited for an open that never returns")
	}
	close(release)
	deadline := time.Now().Add(10 * time.Second)
	for !late.closed.Load() {
		if time.Now().After(deadline) {
			t.Fatal("the channel opened after the caller gave up was never closed")
		}
		time.Sleep(time.Millisecond)
	}
	// On a connection already gone, openOn does not wait at all.
	if _, err := openOn(context.Background(), p, cl, func() (*closer, error) { select {} }); !errors.Is(err, errConnEnded) {
		t.Fatalf("open on an ended connection: %v", err)
	}
}

// ctx ending gives up the open too; a live connection's open that returns
// is passed through.
func TestOpenOnCtxAndResult(t *testing.T) {
	p := NewPool(HomeOptions(t.TempDir()))
	t.Cleanup(p.Close)
	cl := new(ssh.Client)
	p.track(cl, true)
	t.Cleanup(func() { p.track(cl, false) }) // before Close, which would close it
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := openOn(ctx, p, cl, func() (*closer, error) { select {} }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	want := &closer{}
	if c, err := openOn(context.Background(), p, cl, func() (*closer, error) { return want, nil }); c != want || err != nil {
		t.Fatalf("open = %v, %v", c, err)
	}
	if want.closed.Load() {
		t.Fatal("a channel handed to the caller was closed")
	}
}
