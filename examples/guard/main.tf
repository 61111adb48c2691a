# A removal that reads its scope first and refuses to run when the scope is
# larger than expected. upswift_devices lists, during the plan, the devices
# that the removal's device_filter selects; the precondition fails the plan
# when they are more than 20, so nothing is removed and the plan says why.
#
# Preconditions need Terraform 1.2 or later (or OpenTofu).

terraform {
  required_version = ">= 1.2.0"

  required_providers {
    upswift = {
      source = "upswift/upswift"
    }
  }
}

provider "upswift" {}

locals {
  # One filter for the scope and the removal, so that they cannot differ.
  legacy_agent_filter = {
    project = { name = "Demo" }
    groups  = [{ name = "TestGroup1" }, { name = "TestGroup2" }]
    filters = [
      { type = "device_state", operand = "is", value = "online" },
    ]
  }
}

data "upswift_devices" "scope" {
  device_filter = local.legacy_agent_filter
}

resource "upswift_app_removal" "legacy_agent" {
  app_name      = "legacy-agent"
  device_filter = local.legacy_agent_filter

  lifecycle {
    precondition {
      condition     = length(data.upswift_devices.scope.device_uuids) <= 20
      error_message = "The removal of legacy-agent would apply to ${length(data.upswift_devices.scope.device_uuids)} devices, more than the 20 expected: check device_filter before applying."
    }
  }
}

# The plan shows the scope under "Changes to Outputs", before anything is
# removed.
output "legacy_agent_scope" {
  value = data.upswift_devices.scope.device_uuids
}
