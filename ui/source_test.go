package ui

import "github.com/qmpdash/qmpdash/model"

// The fleet is the real Source.
var _ Source = (*model.Fleet)(nil)
