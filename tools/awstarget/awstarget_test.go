package awstarget

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestUnreachableIsNotRetried(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, c := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("send: %w", refused), true},
		{&net.DNSError{Err: "no such host", Name: "bedrock.invalid", IsNotFound: true}, true},
		{&net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}, false},
		{errors.New("ThrottlingException"), false},
	} {
		if got := Unreachable(c.err); got != c.want {
			t.Errorf("Unreachable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestInterruptedErrorKeepsBoth(t *testing.T) {
	last := errors.New("ThrottlingException: Rate exceeded")
	err := error(&interruptedError{err: fmt.Errorf("op: %w", context.DeadlineExceeded), last: last})
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, last) {
		t.Errorf("%v does not unwrap to both the deadline and the last attempt", err)
	}
	if want := "op: context deadline exceeded (last attempt: ThrottlingException: Rate exceeded)"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}
