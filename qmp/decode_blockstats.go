package qmp

// query-blockstats is the one reply every poll of every VM decodes that is
// large: QEMU 7.2 sends ~40 counters, a "parent" node's and timed stats
// per device (4.7 KB for a VM with two disks), of which the dashboard
// keeps eleven. decodeBlockStats reads just those with a single pass that
// skips the rest, in ~0.6 of the general decoder's time; that was a
// tenth of the dashboard's CPU at 500 VMs (docs/BENCHMARKS.md).
//
// It takes only what it can decode exactly as encoding/json does, and
// says so: lower-case keys, plain ASCII strings without escapes, integers
// that fit their field, no nulls where a value is kept, a nil slice to
// fill. Anything else (which QEMU does not send) reports ok false, and the
// general decoder does the whole reply; FuzzDecodersAgree holds both to
// encoding/json's results. b is valid JSON (the framer checked it).
func decodeBlockStats(b []byte, out *[]BlockStatsEntry) (ok bool) {
	if *out != nil {
		return false // encoding/json would decode into the old elements
	}
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '[' {
		return false
	}
	entries := []BlockStatsEntry{}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		*out = entries
		return true
	}
	for i < len(b) {
		var e BlockStatsEntry
		end, ok := eachMember(b, i, func(key, v []byte) bool {
			switch string(key) {
			case "device":
				return plainString(v, &e.Device)
			case "qdev":
				return plainString(v, &e.QDev)
			case "node-name":
				return plainString(v, &e.NodeName)
			case "stats":
				_, ok := eachMember(v, 0, e.Stats.set)
				return ok
			}
			return true
		})
		if !ok {
			return false
		}
		entries = append(entries, e)
		i = skipWS(b, end)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ']':
			*out = entries
			return true
		case ',':
			i = skipWS(b, i+1)
		default:
			return false
		}
	}
	return false
}

func (s *BlockStats) set(key, v []byte) bool {
	switch string(key) {
	case "rd_bytes":
		return plainUint(v, &s.RdBytes)
	case "wr_bytes":
		return plainUint(v, &s.WrBytes)
	case "rd_operations":
		return plainUint(v, &s.RdOperations)
	case "wr_operations":
		return plainUint(v, &s.WrOperations)
	case "flush_operations":
		return plainUint(v, &s.FlushOps)
	case "idle_time_ns":
		return plainInt(v, &s.IdleTimeNS)
	case "rd_total_time_ns":
		return plainInt(v, &s.RdTotalTimeNS)
	case "wr_total_time_ns":
		return plainInt(v, &s.WrTotalTimeNS)
	case "failed_rd_operations":
		return plainUint(v, &s.FailedRdOps)
	case "failed_wr_operations":
		return plainUint(v, &s.FailedWrOps)
	case "failed_flush_operations":
		return plainUint(v, &s.FailedFlushOps)
	}
	return true
}

// eachMember calls f with each member of the object at b[i], in order
// (f reports false to give up), and returns the index past the object.
// ok is false for anything but an object with plain lower-case keys.
func eachMember(b []byte, i int, f func(key, v []byte) bool) (end int, ok bool) {
	i = skipWS(b, i)
	if i >= len(b) || b[i] != '{' {
		return 0, false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, false
		}
		kEnd := stringEnd(b, i)
		if kEnd >= len(b) {
			return 0, false
		}
		key := b[i+1 : kEnd-1]
		for _, c := range key {
			// encoding/json matches keys case-insensitively and unquotes
			// them: leave any key that is not plainly lower case to it.
			if c == '\\' || c >= 0x80 || ('A' <= c && c <= 'Z') {
				return 0, false
			}
		}
		i = skipWS(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return 0, false
		}
		vEnd := valueEnd(b, i)
		if vEnd <= i || vEnd > len(b) || !f(key, b[i:vEnd]) {
			return 0, false
		}
		i = skipWS(b, vEnd)
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case '}':
			return i + 1, true
		case ',':
			i = skipWS(b, i+1)
		default:
			return 0, false
		}
	}
}

// plainString takes a string without escapes or non-ASCII bytes.
func plainString(v []byte, out *string) bool {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return false
	}
	for _, c := range v[1 : len(v)-1] {
		if c == '\\' || c >= 0x80 || c < 0x20 {
			return false
		}
	}
	*out = string(v[1 : len(v)-1])
	return true
}

// plainUint takes digits only, that fit a uint64.
func plainUint(v []byte, out *uint64) bool {
	n, ok := digits(v)
	if ok {
		*out = n
	}
	return ok
}

// plainInt takes an optional minus and digits, that fit an int64.
func plainInt(v []byte, out *int64) bool {
	neg := len(v) > 0 && v[0] == '-'
	if neg {
		v = v[1:]
	}
	n, ok := digits(v)
	switch {
	case !ok || n > 1<<63 || (n == 1<<63 && !neg):
		return false
	case neg:
		*out = -int64(n) // -(1<<63) wraps to itself, as it should
	default:
		*out = int64(n)
	}
	return true
}

// digits reads a non-empty run of decimal digits that fits a uint64 (no
// strconv: it would copy v to a string per field).
func digits(v []byte) (uint64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}
