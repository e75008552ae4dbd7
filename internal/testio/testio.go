// Package testio holds small I/O helpers tests share across packages. It
// is for tests only and imports nothing of qmpdash.
package testio

import (
	"bytes"
	"sync"
)

// SyncBuffer is an io.Writer that is safe to read (String) while another
// goroutine writes to it: a program's output watched by its test.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
