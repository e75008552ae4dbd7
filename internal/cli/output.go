package cli

import "github.com/qmpdash/qmpdash/internal/termsafe"

// Text that came from a VM is printed only through these, by the rules the
// dashboard uses (internal/termsafe is the one sanitiser).
var (
	safe     = termsafe.Line // one terminal line
	safeText = termsafe.Text // multi-line text (human-monitor-command's): breaks kept, CR dropped
	safeJSON = termsafe.JSON // JSON, escaped without changing its meaning
)
