package upswift

import (
	"testing"
	"time"
)

// BenchmarkPaceStep: what the shared pace adds to a request's two steps
// (its start and its answer, each locked, read and written), beside the
// same steps alone; "two processes" alternates two stores on one file, so
// that every read decodes what the other wrote.
func BenchmarkPaceStep(b *testing.B) {
	for _, tt := range []struct {
		name   string
		stores int
	}{{"alone", 0}, {"shared", 1}, {"two processes", 2}} {
		b.Run(tt.name, func(b *testing.B) {
			clock := &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
			dir := b.TempDir()
			pacers := []*pacer{newPacer(0, clock.now)}
			for i := range tt.stores {
				if i > 0 {
					pacers = append(pacers, newPacer(0, clock.now))
				}
				pacers[i].share(newPaceStore(dir, "https://api.example", testToken))
			}
			i := 0
			for b.Loop() {
				p := pacers[i%len(pacers)]
				i++
				clock.advance(time.Second)
				tk, d := p.tryStart(true)
				if d != 0 {
					b.Fatalf("a request waits %s", d)
				}
				p.succeeded(tk)
			}
		})
	}
}
