package qmp

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fillSlots fills QEMU's queue with MaxInFlight commands that the peer
// reads and holds unanswered. It returns their results and requests.
func fillSlots(t *testing.T, c *Client, peer *fakePeer) ([]<-chan error, []fakeRequest) {
	held := make([]<-chan error, MaxInFlight)
	var reqs []fakeRequest
	for i := range held {
		held[i] = background(func() error { return c.Execute(ctxFor(t, 20*time.Second), "query-status", nil, nil) })
		reqs = append(reqs, peer.read())
	}
	return held, reqs
}

func TestCallersPastMaxInFlightWaitForASlot(t *testing.T) {
	c, peer := connectFake(t)
	held, reqs := fillSlots(t, c, peer)

	// One more waits for a slot and gives up: it sends nothing.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.Execute(ctx, "query-name", nil, nil)
	assertKind[*TimeoutError](t, err, KindTimeout)
	if !strings.Contains(err.Error(), "waiting for a free slot") {
		t.Fatalf("timeout does not say it waited for a slot: %v", err)
	}

	// Another waits; answering one held command hands it the slot.
	waiting := background(func() error {
		name, err := c.QueryName(ctxFor(t, 20*time.Second))
		if err == nil && name != "ninth" {
			t.Errorf("name %q", name)
		}
		return err
	})
	peer.reply(reqs[0], `{"status": "running", "running": true}`)
	if err := recvWithin(t, held[0], "the first held command's caller never returned"); err != nil {
		t.Fatal(err)
	}
	ninth := peer.read()
	if ninth.Execute != "query-name" {
		t.Fatalf("after a slot freed the peer got %q, want the waiting query-name (the one that gave up sent nothing)", ninth.Execute)
	}
	peer.reply(ninth, `{"name": "ninth"}`)
	if err := recvWithin(t, waiting, "the caller waiting for a slot never returned"); err != nil {
		t.Fatal(err)
	}
	for i, req := range reqs[1:] {
		peer.reply(req, `{"status": "running", "running": true}`)
		if err := recvWithin(t, held[i+1], fmt.Sprintf("held command %d's caller never returned", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Pending(); n != 0 {
		t.Fatalf("Pending = %d after every reply", n)
	}

	// No slot leaked: MaxInFlight commands fit at once again (a leaked
	// slot would leave the last unsent and fillSlots waiting for it).
	again, second := fillSlots(t, c, peer)
	for _, req := range second {
		peer.reply(req, `{"status": "running", "running": true}`)
	}
	for _, res := range again {
		if err := recvWithin(t, res, "a command sent after the slots freed never returned"); err != nil {
			t.Fatal(err)
		}
	}
}

// slotArrivesAsCtxEnds is a done context whose first Err (exec's check)
// says nil and whose first Done frees a slot and waits until it has been
// handed to the caller: the slot and the end of the wait arrive together.
type slotArrivesAsCtxEnds struct {
	*cancelledDuringSend
	once     sync.Once
	freeSlot func()
}

func (c *slotArrivesAsCtxEnds) Done() <-chan struct{} {
	c.once.Do(c.freeSlot)
	return c.cancelledDuringSend.Done()
}

func TestACallerWhoseWaitEndedAsASlotCameSendsNothing(t *testing.T) {
	// select picks at random between the slot and the end of the wait,
	// so the race gets many tries.
	for i := range 40 {
		c, peer := pinnedClient(t)
		held, reqs := fillSlots(t, c, peer)
		ctx := &slotArrivesAsCtxEnds{cancelledDuringSend: newCancelledDuringSend()}
		ctx.freeSlot = func() {
			peer.reply(reqs[0], `{"status": "running", "running": true}`)
			for handed := false; !handed; {
				c.mu.Lock()
				handed = len(c.slotWaiters) == 0
				c.mu.Unlock()
				runtime.Gosched()
			}
		}
		err := c.Execute(ctx, "stop", nil, nil)
		assertKind[*TimeoutError](t, err, KindTimeout)
		if err := recvWithin(t, held[0], "the answered held command's caller never returned"); err != nil {
			t.Fatal(err)
		}
		// The next request on the wire is the next command, not the stop.
		go func() { peer.reply(peer.read(), `{"name": "next"}`) }()
		if name, err := c.QueryName(ctxFor(t, 10*time.Second)); err != nil || name != "next" {
			t.Fatalf("try %d: after a caller gave up on a slot: %q, %v (was its stop sent?)", i, name, err)
		}
		c.Close()
	}
}
