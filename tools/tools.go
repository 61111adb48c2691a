//go:build generate

// Package tools pins the documentation generator and holds the go:generate
// lines that `make generate` runs.
package tools

import (
	// Documentation generation.
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)

// Format Terraform code for use in documentation.
//go:generate terraform fmt -recursive ../examples/

// Generate documentation from the provider schema, examples/ and templates/.
// The Terraform CLI found on PATH is used to read the schema; nothing is
// downloaded when one is there.
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate --provider-dir .. --provider-name upswift
