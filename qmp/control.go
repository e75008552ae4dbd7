package qmp

import "context"

// Control commands. Each returns QEMU's verdict: nil, or a ResponseError
// with the class QEMU gave.

// Stop pauses the VM (STOP event).
func (c *Client) Stop(ctx context.Context) error { return c.Execute(ctx, "stop", nil, nil) }

// Cont resumes the VM (RESUME event); it also starts a VM begun with -S.
func (c *Client) Cont(ctx context.Context) error { return c.Execute(ctx, "cont", nil, nil) }

// SystemReset resets the VM (RESET event).
func (c *Client) SystemReset(ctx context.Context) error {
	return c.Execute(ctx, "system_reset", nil, nil)
}

// SystemPowerdown asks the guest to power down (POWERDOWN event).
func (c *Client) SystemPowerdown(ctx context.Context) error {
	return c.Execute(ctx, "system_powerdown", nil, nil)
}

// Quit makes QEMU exit (SHUTDOWN event); the connection ends right after.
func (c *Client) Quit(ctx context.Context) error { return c.Execute(ctx, "quit", nil, nil) }

// Balloon sets the balloon target to bytes.
func (c *Client) Balloon(ctx context.Context, bytes uint64) error {
	return c.Execute(ctx, "balloon", map[string]uint64{"value": bytes}, nil)
}

// Eject opens the tray of a removable device, by qdev id (QEMU 7.2 also
// takes the deprecated "device" name; use EjectDevice for that).
func (c *Client) Eject(ctx context.Context, id string, force bool) error {
	args := map[string]any{"id": id}
	if force {
		args["force"] = true
	}
	return c.Execute(ctx, "eject", args, nil)
}

// DeviceDel unplugs a device by id; completion is the DEVICE_DELETED event.
func (c *Client) DeviceDel(ctx context.Context, id string) error {
	return c.Execute(ctx, "device_del", map[string]string{"id": id}, nil)
}

// Screendump writes the display to a file on QEMU's host.
func (c *Client) Screendump(ctx context.Context, filename string) error {
	return c.Execute(ctx, "screendump", map[string]string{"filename": filename}, nil)
}

// HumanMonitorCommand runs an HMP command line and returns its output.
func (c *Client) HumanMonitorCommand(ctx context.Context, commandLine string) (string, error) {
	var out string
	err := c.Execute(ctx, "human-monitor-command", map[string]string{"command-line": commandLine}, &out)
	return out, err
}
