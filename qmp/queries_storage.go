package qmp

import "context"

// Queries of the block layer that a storage daemon (qemu-storage-daemon)
// answers as well as a VM: nodes and exports.

// BlockNode is one entry of query-named-block-nodes.
type BlockNode struct {
	NodeName string `json:"node-name"`
	Driver   string `json:"drv"`
	File     string `json:"file"`
	ReadOnly bool   `json:"ro"`
	Image    struct {
		VirtualSize uint64 `json:"virtual-size"`
	} `json:"image"`
}

// QueryNamedBlockNodes runs query-named-block-nodes with flat (each node
// once, without its backing chain inlined).
func (c *Client) QueryNamedBlockNodes(ctx context.Context) ([]BlockNode, error) {
	var r []BlockNode
	err := c.Execute(ctx, "query-named-block-nodes", map[string]bool{"flat": true}, &r)
	return r, err
}

// BlockExport is one entry of query-block-exports.
type BlockExport struct {
	ID           string `json:"id"`
	Type         string `json:"type"` // nbd, fuse, vhost-user-blk, vduse-blk
	NodeName     string `json:"node-name"`
	ShuttingDown bool   `json:"shutting-down"`
}

// QueryBlockExports runs query-block-exports.
func (c *Client) QueryBlockExports(ctx context.Context) ([]BlockExport, error) {
	return query[[]BlockExport](ctx, c, "query-block-exports")
}
