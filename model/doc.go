// Package model is the dashboard's state, with no UI in it. A Fleet watches
// many VMs, one goroutine each (vm.go): it connects through package qmp,
// reconnects with backoff, cut short by Reconnect or by the socket coming
// back, and tells a VM that quit from one that was lost (backoff.go,
// reconnect.go), tells a VM from a storage daemon by the commands it
// offers and polls each for what it has (storage.go), polls at most once
// at a time (poll.go), applies QMP
// events at once (events_apply.go), derives rates, progress and history
// from the counters (figures.go, rates.go, ring.go; hostproc.go and
// procstart.go for /proc), logs events (eventlog.go) and finds monitors
// from target specs, rescanning directories and globs (targets.go,
// watch.go), dialling a discovered socket only when the QEMU listening on
// it has it as a QMP monitor (discover.go, sockowner.go, sockrole.go);
// ssh:// targets go through package remote's one SSH connection per host,
// their directories listed there and their /proc figures batched per host
// (remote.go, remoteproc.go). It asks each VM's guest agent beside the
// monitor's poll, publishing only changes (guest.go, guestagent.go;
// guestfind.go finds the agent through the VM's QOM, guestcommands.go sends
// it commands, guestonce.go is one round for one-shot commands). Readers
// get immutable snapshots (snapshot.go) and a
// coalesced change signal; errors reach them already classified
// (ErrorInfo).
//
// Of qmpdash it imports packages qmp and remote only. It must never import ui, themes,
// Bubble Tea, Lip Gloss or anything that draws: the UI, the CLI and the
// exporters read the fleet, the fleet knows none of them.
package model
