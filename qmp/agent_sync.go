package qmp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"time"
)

// agentDelimiter prefixes guest-sync-delimited's reply. No JSON text
// contains it (it is not UTF-8), so it marks where the stream is in step.
const agentDelimiter = 0xFF

// Sync brings the stream in step: it sends 0xFF (which makes the agent's
// parser drop any half-received request) and guest-sync-delimited with a
// random id, then discards everything up to the 0xFF that prefixes the
// reply carrying that id. A real qemu-ga first answers the 0xFF itself
// with a parse error, and a stale reply to an earlier client's sync may
// sit in the pipe; both are skipped. ctx bounds the whole exchange.
func (a *Agent) Sync(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.broken != nil {
		return a.broken
	}
	defer a.interruptOn(ctx)()
	return a.sync(ctx, a.deadline(ctx))
}

// sync is Sync under a.mu.
func (a *Agent) sync(ctx context.Context, deadline time.Time) error {
	id := rand.Uint32()>>1 + 1 // positive, and exact in any JSON reader
	req := append([]byte{agentDelimiter}, `{"execute":"guest-sync-delimited","arguments":{"id":`...)
	req = append(strconv.AppendUint(req, uint64(id), 10), "}}\n"...)
	if err := a.write(deadline, req); err != nil {
		return a.fail(ctx, "sync", err)
	}
	_ = a.conn.SetReadDeadline(deadline)
	for {
		if time.Now().After(deadline) {
			return a.fail(ctx, "sync", context.DeadlineExceeded)
		}
		if err := a.fr.skipPast(agentDelimiter, agentStaleMax); err != nil {
			return a.fail(ctx, "sync", err)
		}
		msg, err := a.fr.next()
		if errors.Is(err, errNotJSON) || errors.Is(err, errTooLarge) {
			continue // junk after a stray 0xFF: look for the next one
		}
		if err != nil {
			return a.fail(ctx, "sync", err)
		}
		m, err := decodeMessage(msg)
		if err != nil || m.kind != msgReply || m.errResp != nil {
			continue
		}
		var got uint64
		if json.Unmarshal(m.ret, &got) == nil && got == uint64(id) {
			a.synced = true
			return nil
		}
	}
}

// skipPast discards bytes up to and including the first delim, reading
// more as needed, and forgets any half-scanned object. More than limit
// bytes discarded fail with errTooLarge, so a peer streaming junk cannot
// grow memory; the read deadline bounds the time.
func (f *framer) skipPast(delim byte, limit int) error {
	f.st, f.stack, f.scanned, f.lit, f.hex, f.key = stTop, f.stack[:0], 0, "", 0, false
	skipped := 0
	for {
		b := f.buf[f.start:f.end]
		if i := bytes.IndexByte(b, delim); i >= 0 {
			f.start += i + 1
			return nil
		}
		skipped += len(b)
		f.start = f.end
		if skipped > limit {
			return errTooLarge
		}
		if err := f.fill(); err != nil {
			return err
		}
	}
}
