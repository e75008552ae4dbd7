package fleet

import "github.com/qmpdash/qmpdash/model"

// setGuestIP does what the model does when the agent's facts arrive.
func setGuestIP(g *model.Guest) { g.IP = g.FirstIP() }
