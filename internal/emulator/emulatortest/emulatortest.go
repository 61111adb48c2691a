// Package emulatortest starts an Upswift API emulator for a test.
package emulatortest

import (
	"testing"

	"github.com/upswift/terraform-provider-upswift/internal/emulator"
)

// Start serves emulator.New(f) on 127.0.0.1 with a free port, and closes it
// when the test ends. Pass emulator.DemoFleet() for the demo fleet. It fails
// the test at once if the server cannot start.
func Start(t testing.TB, f *emulator.Fleet) *emulator.Server {
	t.Helper()
	s, err := emulator.Start("127.0.0.1:0", emulator.New(f))
	if err != nil {
		t.Fatalf("start upswift emulator: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close upswift emulator: %v", err)
		}
	})
	return s
}
