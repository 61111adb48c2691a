package upswift

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The shared pace's file: the pacer's pace as JSON, times in wall-clock
// Unix nanoseconds (0 for none), with the version of its shape.
const (
	paceVersion = 1
	maxPace     = 4 << 10 // bytes: anything longer is not a pace
)

// paceFile is the file's shape.
type paceFile struct {
	Version              int     `json:"version"`
	Updated              int64   `json:"updated"`
	Rate                 float64 `json:"rate"`
	Last                 int64   `json:"last"`
	Reserved             int64   `json:"reserved"`
	Hold                 int64   `json:"hold"`
	Accepted             int     `json:"accepted"`
	Limited              bool    `json:"limited"`
	WMax                 float64 `json:"wmax"`
	Floor                float64 `json:"floor"`
	SecsToWmax           float64 `json:"k"`
	CutAt                int64   `json:"cut_at"`
	RefusedStart         int64   `json:"refused"`
	AcceptedAfterRefused int     `json:"granted"`
	Fastest              float64 `json:"fastest"`
	LastGood             int64   `json:"last_good"`
	// LockBusy counts the steps of all processes that found the lock busy
	// for lockWait: how loaded the machine is, for who looks.
	LockBusy int `json:"lock_busy"`
}

var errCorruptPace = errors.New("not a pace")

// decodePace reads a file: errCorruptPace when it is no JSON or holds
// impossible values (it is replaced), another error when it is another
// version's or shape's (it is left alone).
func decodePace(data []byte) (paceFile, error) {
	var f paceFile
	err := json.Unmarshal(data, &f)
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax) || (err == nil && f.Version == 0):
		return f, errCorruptPace
	case err != nil:
		return f, fmt.Errorf("a file of another shape: %w", err)
	case f.Version != paceVersion:
		return f, fmt.Errorf("a file of another version (%d; this provider writes %d)", f.Version, paceVersion)
	case f.Rate <= 0 || f.SecsToWmax < 0 || f.WMax < 0 || f.Floor < 0 || f.Fastest < 0 || f.Accepted < 0 ||
		f.AcceptedAfterRefused < 0 || f.LockBusy < 0 || f.Updated <= 0:
		return f, errCorruptPace
	}
	return f, nil
}

func filePace(pc *pace, now time.Time) paceFile {
	return paceFile{
		Version: paceVersion, Updated: unixNano(now), Rate: pc.rate, Last: unixNano(pc.last),
		Reserved: unixNano(pc.reserved), Hold: unixNano(pc.hold), Accepted: pc.accepted, Limited: pc.limited,
		WMax: pc.wmax, Floor: pc.floor, SecsToWmax: pc.secsToWmax, CutAt: unixNano(pc.cutAt),
		RefusedStart: unixNano(pc.refusedStart), AcceptedAfterRefused: pc.acceptedAfterRefused, Fastest: pc.fastest,
		LastGood: unixNano(pc.lastGood),
	}
}

func (f paceFile) pace() pace {
	return pace{
		rate: f.Rate, last: fromUnixNano(f.Last), reserved: fromUnixNano(f.Reserved), hold: fromUnixNano(f.Hold),
		accepted: f.Accepted, limited: f.Limited, wmax: f.WMax, floor: f.Floor, secsToWmax: f.SecsToWmax,
		cutAt: fromUnixNano(f.CutAt), refusedStart: fromUnixNano(f.RefusedStart),
		acceptedAfterRefused: f.AcceptedAfterRefused, fastest: f.Fastest, lastGood: fromUnixNano(f.LastGood),
	}
}

// unixNano is 0 for the zero time, whose Unix nanoseconds overflow.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
