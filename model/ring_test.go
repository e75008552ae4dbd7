package model

import (
	"slices"
	"testing"
)

func TestRing(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		push     []int
		want     []int
		wantCap  int
	}{
		{"empty", 3, nil, []int{}, 3},
		{"partly full", 3, []int{1, 2}, []int{1, 2}, 3},
		{"exactly full", 3, []int{1, 2, 3}, []int{1, 2, 3}, 3},
		{"wrapped once", 3, []int{1, 2, 3, 4}, []int{2, 3, 4}, 3},
		{"wrapped many", 3, []int{1, 2, 3, 4, 5, 6, 7, 8}, []int{6, 7, 8}, 3},
		{"wrapped to start", 3, []int{1, 2, 3, 4, 5, 6}, []int{4, 5, 6}, 3},
		{"capacity one", 1, []int{1, 2, 3}, []int{3}, 1},
		{"zero capacity raised to one", 0, []int{1, 2}, []int{2}, 1},
		{"negative capacity raised to one", -5, []int{9}, []int{9}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRing[int](tt.capacity)
			for _, v := range tt.push {
				r.Push(v)
			}
			if got := r.Values(); !slices.Equal(got, tt.want) || got == nil {
				t.Fatalf("Values() = %v (nil=%v), want %v", got, got == nil, tt.want)
			}
			if r.Len() != len(tt.want) {
				t.Errorf("Len() = %d, want %d", r.Len(), len(tt.want))
			}
			if r.Cap() != tt.wantCap {
				t.Errorf("Cap() = %d, want %d", r.Cap(), tt.wantCap)
			}
			last, ok := r.Last()
			if len(tt.want) == 0 {
				if ok || last != 0 {
					t.Errorf("Last() = %d, %v on empty ring, want 0, false", last, ok)
				}
			} else if !ok || last != tt.want[len(tt.want)-1] {
				t.Errorf("Last() = %d, %v, want %d, true", last, ok, tt.want[len(tt.want)-1])
			}
		})
	}
}

func TestRingValuesIsACopy(t *testing.T) {
	r := NewRing[int](3)
	r.Push(1)
	r.Push(2)
	got := r.Values()
	got[0] = 100
	r.Push(3)
	r.Push(4)
	if !slices.Equal(got, []int{100, 2}) {
		t.Errorf("earlier Values() changed by Push: %v", got)
	}
	if v := r.Values(); !slices.Equal(v, []int{2, 3, 4}) {
		t.Errorf("ring changed by writing to a copy: %v", v)
	}
}

func TestRingReset(t *testing.T) {
	r := NewRing[*int](2)
	x := 1
	r.Push(&x)
	r.Push(&x)
	r.Push(&x)
	r.Reset()
	if r.Len() != 0 || r.Cap() != 2 {
		t.Fatalf("after Reset Len=%d Cap=%d, want 0, 2", r.Len(), r.Cap())
	}
	if _, ok := r.Last(); ok {
		t.Error("Last() ok after Reset")
	}
	for i, p := range r.buf {
		if p != nil {
			t.Errorf("buf[%d] still references a value after Reset", i)
		}
	}
	y := 2
	r.Push(&y)
	if v := r.Values(); len(v) != 1 || *v[0] != 2 {
		t.Errorf("after Reset and Push, Values() = %v", v)
	}
}

func TestRingPushDoesNotAllocate(t *testing.T) {
	r := NewRing[float64](8)
	allocs := testing.AllocsPerRun(100, func() { r.Push(1.5) })
	if allocs != 0 {
		t.Errorf("Push allocates %v times per call, want 0", allocs)
	}
}
