package remote

import (
	"io"
	"net"
)

// An SSH channel has no deadlines (its SetDeadline fails), and the qmp
// client bounds every wait with them. So the channel is spliced to one end
// of a net.Pipe, which has deadlines, and the other end is handed out.
// net.Pipe holds no buffer, so a peer that floods fills only the SSH
// channel's window, which the reader bounds as for any socket.

// pipeConn is the handed-out end; closing it closes the channel.
type pipeConn struct {
	net.Conn
	local, remote net.Addr
}

func (p *pipeConn) LocalAddr() net.Addr  { return p.local }
func (p *pipeConn) RemoteAddr() net.Addr { return p.remote }

// splice returns a deadline-capable conn carrying ch. done runs once both
// copies have stopped (the channel is closed by then).
func splice(p *Pool, ch net.Conn, name string, done func()) net.Conn {
	mine, theirs := net.Pipe()
	stopped := make(chan struct{}, 2)
	p.goTracked(func() {
		_, _ = io.Copy(theirs, ch) // channel -> reader; EOF or error ends it
		theirs.Close()
		stopped <- struct{}{}
	})
	p.goTracked(func() {
		_, _ = io.Copy(ch, theirs) // writer -> channel; ends when mine closes
		ch.Close()
		stopped <- struct{}{}
	})
	p.goTracked(func() {
		<-stopped
		// Either side ended: end the other.
		theirs.Close()
		ch.Close()
		<-stopped
		if done != nil {
			done()
		}
	})
	addr := remoteAddr(name)
	return &pipeConn{Conn: mine, local: addr, remote: addr}
}

type remoteAddr string

func (a remoteAddr) Network() string { return "ssh" }
func (a remoteAddr) String() string  { return string(a) }
