package store

import (
	"fmt"
	"os"
	"syscall"
)

// Lock is an exclusive hold on a database file by one process.
type Lock struct{ f *os.File }

// LockFile takes an exclusive, non-blocking lock on path+".lock". SQLite
// mode runs one warroom per database: the lock turns a second copy started
// by mistake into a clear error instead of two workers sharing the jobs,
// and lets the holder release leases a killed predecessor left behind. The
// kernel drops the lock when the process dies, even by kill -9.
func LockFile(path string) (*Lock, error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("store: %s is in use by another warroom process (%w)", path, err)
	}
	return &Lock{f: f}, nil
}

// Release lets go of the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	return l.f.Close()
}
