package render

import (
	"github.com/qmpdash/qmpdash/internal/termsafe"
	"github.com/qmpdash/qmpdash/model"
)

// displayName is the VM's name made safe, falling back to its id.
func DisplayName(v *model.VMSnapshot) string {
	n := v.Name
	if n == "" {
		n = v.ID
	}
	return termsafe.Line(termsafe.Clip(n, 256))
}
