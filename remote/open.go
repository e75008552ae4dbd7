package remote

import (
	"context"
	"errors"
	"io"
	"sync"

	"golang.org/x/crypto/ssh"
)

// errConnEnded is a channel open given up because its connection ended.
var errConnEnded = errors.New("connection lost while opening a channel")

// openOn runs open, a channel open on cl (a monitor's stream, a remote
// command's session), and returns what it returns; or ctx's error once ctx
// ends; or errConnEnded once cl's connection has ended. A channel it opens
// after the caller stopped waiting is closed.
//
// The open runs in a goroutine of its own that Close does not wait for,
// because x/crypto/ssh (v0.57) can lose an open that races the end of its
// connection: the mux forgets its channels when the read side fails and
// stops writers only after, so a channel registered in between sends its
// request without error and waits for an answer nothing will ever give,
// not even Client.Close. Waiting for it hung Pool.Close for good (a test
// ran into the go test timeout). Such a goroutine, left blocked, is all the
// race costs; every other open returns as soon as its connection is gone.
func openOn[T io.Closer](ctx context.Context, p *Pool, cl *ssh.Client, open func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	res := make(chan result, 1)
	var mu sync.Mutex
	gaveUp := false
	go func() {
		v, err := open()
		mu.Lock()
		defer mu.Unlock()
		if gaveUp {
			// Nobody waits: close what came too late, here, so a lost
			// open leaves only this goroutine, blocked inside x/crypto.
			if err == nil {
				v.Close()
			}
			return
		}
		res <- result{v, err}
	}()
	var err error
	select {
	case r := <-res:
		return r.v, r.err
	case <-ctx.Done():
		err = ctx.Err()
	case <-p.ended(cl):
		err = errConnEnded
	}
	mu.Lock()
	gaveUp = true
	mu.Unlock()
	select {
	case r := <-res: // it came just before we gave up
		if r.err == nil {
			r.v.Close()
		}
	default:
	}
	var zero T
	return zero, err
}

// ended is closed once cl's connection has ended (at once if it has).
func (p *Pool) ended(cl *ssh.Client) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ch, ok := p.clients[cl]; ok {
		return ch
	}
	ch := make(chan struct{})
	close(ch)
	return ch
}
