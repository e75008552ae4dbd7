// Package remote reaches QEMU monitors on other machines over SSH: one SSH
// connection per host (host.go), every VM's unix socket a direct-streamlocal
// channel over it, handed out as a net.Conn with working deadlines
// (pipeconn.go) so the qmp client's guarantees hold unchanged; short
// commands run on the host over the same connection (listing sockets,
// reading /proc). It authenticates as OpenSSH users expect (auth.go: the
// agent, then ~/.ssh/config's IdentityFile, then the default keys), checks
// the host key against known_hosts before anything is sent (hostkey.go),
// keeps the connection alive and reconnects with backoff, and says per host
// whether it is up (Pool.Hosts). It imports nothing of qmpdash: model uses
// it, never the other way round.
package remote
