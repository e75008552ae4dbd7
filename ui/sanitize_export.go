package ui

// SanitizeLine is the UI's sanitiser for one-line text from a VM, for
// other front ends (the CLI's human output) so there is one set of rules:
// escape sequences, C0/C1 controls, DEL, bidi overrides and invalid UTF-8
// are removed or replaced; newlines and tabs become spaces.
func SanitizeLine(s string) string { return sanitizeLine(s) }

// SanitizeText is SanitizeLine for multi-line text: newlines are kept.
func SanitizeText(s string) string { return sanitizeText(s) }
