package model

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/qmpdash/qmpdash/qmp"
)

// Sending commands to a VM through the fleet, and what the fleet knows of
// the commands each VM accepts (query-commands, query-qmp-schema).

// slowAfter are the commands after which the slow facts (devices, block
// devices) are fetched again: QEMU sends no event for all of them.
var slowAfter = map[string]bool{
	"device_add": true, "device_del": true, "blockdev-change-medium": true, "blockdev-add": true,
	"blockdev-del": true, "eject": true,
}

// ErrUnknownVM is returned for an ID the fleet does not watch.
var ErrUnknownVM = errors.New("no such VM")

// Execute sends one command to a VM and waits for the reply, bounded by ctx
// (and the fleet's timeout when ctx has no deadline).
func (f *Fleet) Execute(ctx context.Context, vmID, command string, args json.RawMessage) CommandResult {
	res := CommandResult{VMID: vmID, Command: command}
	v := f.vm(vmID)
	if v == nil {
		res.Err = ErrorInfo{Kind: KindOther, Message: fmt.Sprintf("%s: %v", vmID, ErrUnknownVM), Time: f.cfg.Now()}
		return res
	}
	if f.cfg.ReadOnly && !ReadOnlyAllows(command) {
		res.Err = ErrorInfo{Kind: KindOther, Message: fmt.Sprintf("read-only: %s was not sent (only %s are)", command, ReadOnlyRule), Time: f.cfg.Now()}
		return res
	}
	c := v.client()
	if c == nil {
		res.Err = ErrorInfo{Kind: qmp.KindConnect, Message: fmt.Sprintf("qmp %s: not connected", v.addr), Time: f.cfg.Now()}
		return res
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.cfg.Timeout)
		defer cancel()
	}
	quit := command == "quit"
	if quit {
		// Set first: QEMU may close the monitor before the reply is read.
		v.quitAsked.Store(true)
	}
	var refused func()
	if command == "device_del" {
		var a struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(args, &a) == nil && a.ID != "" {
			refused = v.requestUnplug(a.ID, f.cfg.Now())
			f.touch()
		}
	}
	ret, err := c.ExecuteRaw(ctx, command, args)
	if quit && err != nil {
		var re *qmp.ResponseError
		if errors.As(err, &re) {
			v.quitAsked.Store(false) // refused: QEMU goes on
		} else if ce := (*qmp.ConnectError)(nil); errors.As(err, &ce) {
			err = nil // the connection ended because QEMU quit, as asked
		}
	}
	if err != nil && refused != nil {
		refused()
		f.touch()
	}
	if err == nil && slowAfter[command] {
		v.poke(v.slowCh)
	}
	res.Reply = ret
	res.Err = NewErrorInfo(err, f.cfg.Now())
	if err == nil && command == "balloon" {
		var a struct {
			Value uint64 `json:"value"`
		}
		if json.Unmarshal(args, &a) == nil {
			req := &BalloonRequest{Asked: a.Value, At: f.cfg.Now()}
			if v.recordOn(c, func() { v.balloonAsked.Store(req) }) {
				v.poke(v.requestCh)
			}
		}
	}
	if err == nil && command == "migrate" {
		var a struct {
			URI string `json:"uri"`
		}
		if json.Unmarshal(args, &a) == nil && a.URI != "" {
			v.recordOn(c, func() { v.migrateURI.Store(&a.URI) })
		}
	}
	return res
}

// Reconnect cuts short the wait before a VM's next connection attempt, so
// it starts now (a gone VM is tried once more). It reports false when
// there is nothing to cut: the VM is connected or connecting.
func (f *Fleet) Reconnect(vmID string) (bool, error) {
	v := f.vm(vmID)
	if v == nil {
		return false, fmt.Errorf("%s: %w", vmID, ErrUnknownVM)
	}
	return v.kick(), nil
}

// CommandNames lists what the VM accepts (query-commands), sorted; nil
// until it has connected once.
func (f *Fleet) CommandNames(vmID string) []string {
	v := f.vm(vmID)
	if v == nil {
		return nil
	}
	return v.commandNames()
}

// CommandArgs lists a command's arguments from the VM's query-qmp-schema.
// It never blocks: the first call starts fetching the schema and reports
// false until it has arrived.
func (f *Fleet) CommandArgs(vmID, command string) ([]ArgSpec, bool) {
	s, _ := f.schema(vmID, false)
	if s == nil {
		return nil, false
	}
	args, ok := s.CommandArgs(command)
	if !ok {
		return nil, false
	}
	out := make([]ArgSpec, len(args))
	for i, a := range args {
		out[i] = ArgSpec{Name: a.Name, Type: a.Type, Optional: a.Optional}
	}
	return out, true
}

// ErrSchemaPending is ValidateArgs' answer while the VM's schema is being
// fetched: nothing is checked yet, so nothing may be sent yet. The fleet
// signals a change (Changed) when the fetch ends either way.
var ErrSchemaPending = errors.New("the VM's QMP schema is being fetched")

// SchemaUnavailableError is ValidateArgs' answer when the VM's schema
// cannot be had (not connected, or query-qmp-schema failed): the arguments
// cannot be checked. Asking again retries a failed fetch.
type SchemaUnavailableError struct{ Reason string }

func (e *SchemaUnavailableError) Error() string {
	return "the VM's QMP schema is unavailable: " + e.Reason
}

// ValidateArgs checks arguments against the VM's schema. It never blocks
// and never says yes unchecked: nil only when they fit; ErrSchemaPending
// while the schema is on its way (the first call starts fetching it), a
// *SchemaUnavailableError when it cannot be had, or what does not fit.
func (f *Fleet) ValidateArgs(vmID, command string, args json.RawMessage) error {
	s, err := f.schema(vmID, true)
	if err != nil {
		return err
	}
	return s.ValidateArgs(command, args)
}

func (f *Fleet) schema(vmID string, retry bool) (*qmp.Schema, error) {
	v := f.vm(vmID)
	if v == nil {
		return nil, &SchemaUnavailableError{Reason: ErrUnknownVM.Error()}
	}
	return v.schemaOrFetch(retry)
}
