package sim

import (
	"net"
	"sync"
	"time"
)

// Output to a client goes through a bounded queue drained by one writer
// goroutine, so replies and events never interleave and a client that stops
// reading can only cost maxQueueBytes before it is dropped — the VM itself
// never blocks on a socket.
const (
	maxQueueBytes = 8 << 20
	writeTimeout  = 30 * time.Second
)

type conn struct {
	nc   net.Conn
	wake chan struct{}
	done chan struct{} // closed by kill

	mu      sync.Mutex
	queue   [][]byte
	queued  int
	closing bool // flush what is queued, then close

	killOnce sync.Once

	// Monitor mode, guarded by VM.mu.
	negotiated bool
	oob        bool
}

func newConn(nc net.Conn) *conn {
	return &conn{nc: nc, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// send queues one encoded message; it never blocks. A client whose backlog
// exceeds maxQueueBytes is disconnected.
func (c *conn) send(b []byte) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	if c.queued+len(b) > maxQueueBytes {
		c.mu.Unlock()
		c.kill()
		return
	}
	c.queue = append(c.queue, b)
	c.queued += len(b)
	c.mu.Unlock()
	c.signal()
}

func (c *conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// closeAfterFlush makes the writer close the connection once the queue is
// empty; later sends are dropped.
func (c *conn) closeAfterFlush() {
	c.mu.Lock()
	c.closing = true
	c.mu.Unlock()
	c.signal()
}

// kill closes the connection now, unblocking its reader and writer.
func (c *conn) kill() {
	c.killOnce.Do(func() {
		close(c.done)
		_ = c.nc.Close()
	})
}

func (c *conn) writeLoop() {
	for {
		c.mu.Lock()
		batch, closing := c.queue, c.closing
		c.queue, c.queued = nil, 0
		c.mu.Unlock()
		for _, b := range batch {
			_ = c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := c.nc.Write(b); err != nil {
				c.kill()
				return
			}
		}
		if len(batch) > 0 {
			continue
		}
		if closing {
			c.kill()
			return
		}
		select {
		case <-c.wake:
		case <-c.done:
			return
		}
	}
}
